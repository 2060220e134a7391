"""A board's live session, whatever carries it: the WebSocket today, another transport tomorrow.

A transport authenticates the device (``open_session``: its board, the manifest version it should
have, the overrides it must show at once), registers a ``hub.Connection`` whose ``send_text`` and
``close`` are its own, and hands its receiving end to ``converse``: wait for Hello, push the live
overrides, nudge a stale device, then route what the device says (acknowledgements) until it leaves.
A new transport (MQTT, say) is a module beside ``web/api/boards/device.py`` that does those three
steps; this module and the hub stay as they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session

from signage_contract import device as wire
from signage_server.devices.auth import credential_for_token
from signage_server.devices.hub import Connection
from signage_server.emergency.receipts import ReceiptRecorder
from signage_server.emergency.targets import overrides_by_board
from signage_server.manifest.composer import Composer
from signage_server.manifest.inputs import board_context
from signage_server.models import Board, utcnow
from signage_server.units.tree import UnitTree

log = logging.getLogger(__name__)
HELLO_TIMEOUT_S = 10.0
POLICY_VIOLATION = 1008  # the WebSocket close code; other transports map it to their own refusal

Receive = Callable[[], Awaitable[str]]


@dataclass(frozen=True)
class Opening:
    """What a session starts with: the board, its current manifest version, the pushes it needs."""

    board_id: int
    version: str
    pushes: list[str]


def open_session(session: Session, composer: Composer, token: str | None) -> Opening | None:
    """The session of the device holding ``token``; None for an unknown or revoked credential."""
    credential = credential_for_token(session, token)
    if credential is None:
        return None
    version = composer.current(session, credential.board_id).version
    return Opening(credential.board_id, version, override_pushes(session, credential.board_id))


def override_pushes(session: Session, board_id: int) -> list[str]:
    """The active overrides covering the board, as pushes: a board back from a reboot or an outage
    shows them at once, before it even fetches its manifest."""
    board = session.get(Board, board_id)
    if board is None:
        return []
    context = board_context(board, UnitTree.load_ancestors(session, [board.unit_id]))
    found = overrides_by_board(session, [context], utcnow()).get(board_id, [])
    return [wire.OverridePush(override=o).model_dump_json() for o in found]


async def converse(receive: Receive, connection: Connection, opening: Opening,
                   receipts: ReceiptRecorder) -> None:
    """Wait for Hello; push live overrides and nudge if the device's manifest is stale; then read
    acknowledgements until the transport's ``receive`` raises (the device left)."""
    try:
        hello = wire.Hello.model_validate_json(await asyncio.wait_for(receive(), HELLO_TIMEOUT_S))
    except (TimeoutError, ValidationError):
        await connection.close(POLICY_VIOLATION, "expected hello")
        return
    for text in opening.pushes:
        connection.offer(text)
    if hello.manifest_version != opening.version:
        connection.offer(wire.Nudge(version=opening.version).model_dump_json())
    while True:
        text = await receive()
        try:
            message = wire.parse_device_message(text)
        except ValidationError as exc:
            if not wire.is_unknown_message(exc):  # unknown ones (a newer player's) are ignored
                log.info("board %d sent a malformed message", connection.board_id)
            continue
        match message:
            case wire.OverrideAck():
                receipts.record(connection.board_id, message)
            case wire.Hello():
                pass  # only the first one counts; other device messages travel over HTTP
