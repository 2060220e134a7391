"""Routes used by players: pairing, the signed manifest, media, the WebSocket, credential rotation.

Devices reach only their own board: the bearer token resolves to one board, and media are served
only when that board's manifest, or the one it replaced, names them (a board keeps its manifest in
force until the next one's media are in its cache, so it may be downloading the replaced one's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, HTTPException, Request, Response, WebSocket, status
from fastapi.responses import FileResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.websockets import WebSocketDisconnect

from signage_contract import device as wire
from signage_contract.signing import encode_key, key_id
from signage_server.core import audit
from signage_server.devices import pairing
from signage_server.devices.auth import (
    UNPAIRED,
    bearer_token,
    hash_token,
    issue_credential,
    live_devices,
)
from signage_server.devices.hub import Connection
from signage_server.devices.poll_cache import PollCache, forget_everywhere
from signage_server.devices.session import Opening, converse, open_session
from signage_server.manifest.composer import Composer
from signage_server.models import Board, PairingTicket, utcnow
from signage_server.reports.receipts import Recorded, record_delivery
from signage_server.web.deps import (
    BusDep,
    ClientIpDep,
    ComposerDep,
    CurrentDevice,
    DeviceThreadsDep,
    EngineDep,
    HubDep,
    MediaStoreDep,
    PairingLimitsDep,
    PollCacheDep,
    ReceiptsDep,
    SessionDep,
    SigningKeyDep,
    state_of,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["device"])
MEDIA_CACHE_CONTROL = "private, max-age=31536000, immutable"


@router.post(wire.PAIRING_START, response_model=wire.PairingTicket, status_code=201,
             responses={429: {"description": "too many requests from this address"},
                        503: {"description": "too many tickets open"}})
def start_pairing(body: wire.PairingStart, session: SessionDep, limits: PairingLimitsDep,
                  ip: ClientIpDep) -> wire.PairingTicket:
    """An unpaired player asks for a code to show on its screen."""
    opened = pairing.open_ticket(session, limits=limits, ip=ip, start=body)
    ticket = opened.ticket
    return wire.PairingTicket(
        ticket_id=ticket.id, code=ticket.code, secret=opened.secret, expires_at=ticket.expires_at
    )


@router.get(wire.PAIRING_POLL, response_model=wire.PairingStatus)
def poll_pairing(
    ticket_id: str,
    session: SessionDep,
    signing_key: SigningKeyDep,
    cache: PollCacheDep,
    bus: BusDep,
    x_pairing_secret: Annotated[str, Header()],
) -> wire.PairingStatus:
    """The player collects its credential, once, after an operator claimed its code."""
    ticket = session.get(PairingTicket, ticket_id)
    if ticket is None or not secrets.compare_digest(ticket.secret_hash, hash_token(x_pairing_secret)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown pairing ticket")
    if ticket.claimed_board_id is None:
        state = "expired" if ticket.expires_at <= utcnow() else "pending"
        return wire.PairingStatus(state=state)
    if ticket.delivered_at is not None:
        return wire.PairingStatus(state="expired")  # a credential is handed out once only
    _credential, token = issue_credential(session, ticket.claimed_board_id, ticket.hardware_id)
    ticket.delivered_at = utcnow()
    session.add(ticket)
    session.commit()
    # The board's earlier credentials were revoked: no instance may answer them from memory.
    anyio.from_thread.run(forget_everywhere, cache, bus, frozenset({ticket.claimed_board_id}))
    verify_key = signing_key.verify_key
    log.info("board %s paired (ticket %s)", ticket.claimed_board_id, ticket.id)
    return wire.PairingStatus(
        state="claimed",
        credential=wire.DeviceCredential(
            board_id=str(ticket.claimed_board_id),
            token=token,
            server_public_key=encode_key(verify_key),
            key_id=key_id(verify_key),
        ),
    )


@router.post(wire.DEVICE_ROTATE, response_model=wire.DeviceCredential)
def rotate_credential(device: CurrentDevice, request: Request, session: SessionDep,
                      signing_key: SigningKeyDep, cache: PollCacheDep, bus: BusDep) -> wire.DeviceCredential:
    """The device swaps its token for a new one; the old one stops working at once."""
    board = session.get(Board, device.board_id)
    audit.record(session, action="rotate_credential", object_type="board", object_id=device.board_id,
                 actor=f"board:{device.board_id}", unit_id=None if board is None else board.unit_id,
                 ip=audit.client_ip(request), before={"credential": device.id})
    _credential, token = issue_credential(session, device.board_id, device.hardware_id)
    anyio.from_thread.run(forget_everywhere, cache, bus, frozenset({device.board_id}))  # the old token
    verify_key = signing_key.verify_key
    return wire.DeviceCredential(
        board_id=str(device.board_id),
        token=token,
        server_public_key=encode_key(verify_key),
        key_id=key_id(verify_key),
    )


@router.get(wire.DEVICE_MANIFEST, responses={304: {"description": "unchanged"}, 401: {}})
async def get_manifest(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The board's signed manifest; 304 when the ETag matches.

    The hot path of every board's poll. An unchanged poll of a known token is answered on the
    event loop from memory (``devices/poll_cache.py``), touching no database. Otherwise
    authentication and the version lookup run in one worker thread hop with one session, and what
    they read is remembered. The services are read with ``state_of`` rather than injected: each
    injected dependency costs every poll a resolution step (measured: 304 polls ~12 % slower with
    two of them).
    """
    cache = state_of(request, "poll_cache", PollCache)
    token = bearer_token(authorization)
    wanted = {tag.strip() for tag in if_none_match.split(",")} if if_none_match else set()
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNPAIRED, {"WWW-Authenticate": "Bearer"})
    token_hash = hash_token(token)
    if wanted and (etag := cache.unchanged(token_hash, wanted)) is not None:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED,
                        headers={"ETag": etag, "Cache-Control": "no-cache"})
    engine = state_of(request, "engine", Engine)
    composer = state_of(request, "composer", Composer)
    threads = state_of(request, "device_threads", anyio.CapacityLimiter)
    recorded = state_of(request, "recorded", Recorded)

    def answer() -> Response:
        epoch = cache.epoch  # before any read: an invalidation from now on voids what is read
        with Session(engine) as session:
            device = live_devices(session, [token_hash]).get(token_hash)
            if device is None:
                raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNPAIRED, {"WWW-Authenticate": "Bearer"})
            cache.seen(device.credential_id)  # stamped with the others, not one commit per poll
            cache.remember_token(token_hash, device.credential_id, device.board_id, epoch)
            version, horizon_end = composer.current_version(session, device.board_id)
            cache.remember_version(device.board_id, version, horizon_end, epoch)
            etag = f'"{version}"'
            headers = {"ETag": etag, "Cache-Control": "no-cache"}
            if etag in wanted:
                return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
            version, document, item_ids = composer.current_document(session, device.board_id)
            headers["ETag"] = f'"{version}"'
            record_delivery(session, device.board_id, document, utcnow(), recorded, item_ids)
            return Response(content=document, media_type="application/json", headers=headers)

    response: Response = await anyio.to_thread.run_sync(answer, limiter=threads)
    return response


@router.get(wire.DEVICE_MEDIA, response_class=FileResponse)
def get_media(
    sha256: str, device: CurrentDevice, session: SessionDep, composer: ComposerDep, media_store: MediaStoreDep
) -> FileResponse:
    composed = composer.current(session, device.board_id)
    if sha256 not in composed.media_sha256 and sha256 not in composed.previous_media_sha256:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this board's manifests name no such media")
    path = media_store.local_path(sha256)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "media file missing from the store")
    return FileResponse(
        path,
        media_type="application/octet-stream",
        headers={"Cache-Control": MEDIA_CACHE_CONTROL, "ETag": f'"{sha256}"'},
    )


@router.websocket(wire.DEVICE_SOCKET)
async def device_socket(
    websocket: WebSocket, engine: EngineDep, composer: ComposerDep, hub: HubDep, receipts: ReceiptsDep,
    threads: DeviceThreadsDep,
) -> None:
    """The WebSocket transport of a board's session (``devices/session.py`` holds the rest)."""
    token = bearer_token(websocket.headers.get("authorization"))

    def authenticate() -> Opening | None:
        with Session(engine) as session:
            return open_session(session, composer, token)

    opening = await anyio.to_thread.run_sync(authenticate, limiter=threads)
    if opening is None:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="unknown device credential")
        return
    await websocket.accept()
    connection = Connection(
        board_id=opening.board_id, send_text=websocket.send_text, close=_closer(websocket)
    )
    hub.add(connection)
    pump = asyncio.create_task(connection.pump())
    try:
        await converse(websocket.receive_text, connection, opening, receipts)
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove(connection)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


def _closer(websocket: WebSocket) -> Callable[[int, str], Awaitable[None]]:
    async def close(code: int, reason: str) -> None:
        await websocket.close(code=code, reason=reason)

    return close
