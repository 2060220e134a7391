"""Remote care of a board: restart its player, reboot its PC, change its log level, fetch the last
lines of its log. Operators and admins of the board's unit; every command is audited.

Commands go over the board's socket (like a screenshot request); the player decides what it does:
a reboot only where its own config file allows it (the heartbeat's ``allow_reboot``; the server
refuses early where the board never said so, the player refuses anyway). A log fetch is a row
fulfilled by the player's upload naming it (``DEVICE_LOGS``, bounded body); a few are kept per board.
Called from worker threads (sync routes), which hand the message to the bus.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal

import anyio.from_thread
from sqlmodel import Session, col, select

from signage_contract import device as wire
from signage_server.core import audit, roles
from signage_server.core.auth import require_role
from signage_server.core.bus import Bus, BusMessage
from signage_server.core.errors import Conflict, Invalid, NotFound
from signage_server.devices.boards import get_board
from signage_server.models import BoardLogFetch, BoardStatus, User

OBJECT_TYPE = "board_care"
KEEP_LOG_FETCHES = 5
CLOCK_SKEW_WARN_S = 300.0  # a board clock further than this from the server's is warned about
CareAction = Literal["restart", "reboot", "log_level"]


def clock_skewed(offset_s: float | None) -> bool:
    return offset_s is not None and abs(offset_s) > CLOCK_SKEW_WARN_S


def _publish(bus: Bus, board_id: int, message: wire.CareCommand | wire.LogsRequest) -> None:
    anyio.from_thread.run(bus.publish, BusMessage(message.model_dump_json(), frozenset({board_id})))


def send_care(session: Session, *, actor: User, ip: str, bus: Bus, board_id: int, action: CareAction,
              level: str | None = None) -> None:
    """Send a care command to the board (it acts on it when online: nothing is queued)."""
    require_role(actor, roles.OPERATORS)
    board = get_board(session, actor=actor, board_id=board_id)
    if action == "log_level":
        if level not in wire.LOG_LEVELS:
            raise Invalid("care.bad_level", f"unknown log level {level!r}", level=level)
    else:
        level = None
    if action == "reboot":
        status = session.get(BoardStatus, board_id)
        if status is None or status.allow_reboot is not True:
            raise Conflict("care.reboot_not_allowed",
                           "this board's player does not allow a remote reboot (allow_reboot in its "
                           "player.toml)", board_id=board_id)
    audit.record_as(session, actor, ip, action, OBJECT_TYPE, board_id, unit_id=board.unit_id,
                    after={"level": level} if level else None)
    session.commit()
    command = wire.CareCommand.model_validate({"action": action, "level": level})
    _publish(bus, board_id, command)


def request_logs(session: Session, *, actor: User, ip: str, bus: Bus, board_id: int,
                 lines: int) -> BoardLogFetch:
    """Ask the board for the last ``lines`` lines of its log; its upload fulfils the returned row."""
    require_role(actor, roles.OPERATORS)
    board = get_board(session, actor=actor, board_id=board_id)
    if not 1 <= lines <= wire.LOG_LINES_MAX:
        raise Invalid("care.bad_line_count", f"ask for 1 to {wire.LOG_LINES_MAX} lines",
                      max=wire.LOG_LINES_MAX)
    row = BoardLogFetch(id=secrets.token_hex(12), board_id=board_id, requested_by=actor.id,
                        line_count=lines)
    session.add(row)
    audit.record_as(session, actor, ip, "fetch_logs", OBJECT_TYPE, board_id, unit_id=board.unit_id,
                    after={"lines": lines})
    session.commit()
    session.refresh(row)
    _publish(bus, board_id, wire.LogsRequest(request_id=row.id, lines=lines))
    return row


def log_fetch(session: Session, *, actor: User, board_id: int, fetch_id: str) -> BoardLogFetch:
    require_role(actor, roles.OPERATORS)  # logs are for those who may care for the board
    get_board(session, actor=actor, board_id=board_id)
    row = session.get(BoardLogFetch, fetch_id)
    if row is None or row.board_id != board_id:
        raise NotFound("care.log_fetch_not_found", f"log request {fetch_id} not found", id=fetch_id)
    return row


def latest_log_fetch(session: Session, *, actor: User, board_id: int) -> BoardLogFetch | None:
    require_role(actor, roles.OPERATORS)
    get_board(session, actor=actor, board_id=board_id)
    return session.exec(
        select(BoardLogFetch).where(BoardLogFetch.board_id == board_id)
        .order_by(col(BoardLogFetch.requested_at).desc()).limit(1)
    ).first()


def save_log_upload(session: Session, board_id: int, upload: wire.LogUpload, received_at: datetime) -> bool:
    """The board's answer to a log request (device side; the board is authenticated by its token).
    False when it names no open request of this board (nothing is stored)."""
    row = session.get(BoardLogFetch, upload.request_id)
    if row is None or row.board_id != board_id or row.fulfilled_at is not None:
        return False
    row.fulfilled_at, row.text = received_at, "\n".join(upload.lines)
    session.add(row)
    session.commit()
    old = session.exec(
        select(BoardLogFetch).where(BoardLogFetch.board_id == board_id)
        .order_by(col(BoardLogFetch.requested_at).desc()).offset(KEEP_LOG_FETCHES)
    ).all()
    for stale in old:
        session.delete(stale)
    session.commit()
    return True
