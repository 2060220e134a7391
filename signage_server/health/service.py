"""Board health and screenshots as operators and viewers read them: status, link events, daily
uptime, the unit wall, screenshot history and files, screenshots on demand.

Every function takes the acting user; a board or unit outside their subtree answers
``board.not_found`` / ``unit.not_found``. ``now`` and ``config`` come from the health monitor.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import cast

import anyio.from_thread
from sqlalchemy import func
from sqlmodel import Session, col, select

from signage_contract import device as wire
from signage_contract.timezone import LOCAL_ZONE
from signage_server.core import roles
from signage_server.core.auth import ensure_in_scope, require_role
from signage_server.core.bus import Bus, BusMessage
from signage_server.core.errors import Invalid, NotFound
from signage_server.devices.boards import get_board
from signage_server.devices.power import effective_for_boards
from signage_server.health.care import clock_skewed
from signage_server.health.schemas import (
    BoardEventPublic,
    BoardHealthPublic,
    LinkStatus,
    ScreenshotPublic,
    UptimeDayPublic,
    WallTile,
)
from signage_server.health.screenshots import ScreenshotStore
from signage_server.health.store import HealthConfig, board_spans, link_status
from signage_server.health.uptime import daily_uptime
from signage_server.models import Board, BoardEvent, BoardStatus, Screenshot, ScreenshotRequestRow, User
from signage_server.units.service import local_midnight_utc, subtree_ids

MAX_UPTIME_DAYS = 366


def local_days(first: date | None, last: date | None, now: datetime, *, default_days: int,
               max_days: int) -> tuple[date, date]:
    """``first``..``last`` (local dates, inclusive); by default the ``default_days`` ending today."""
    last = last or now.astimezone(LOCAL_ZONE).date()
    first = first or last - timedelta(days=default_days - 1)
    if first > last or (last - first).days >= max_days:
        raise Invalid("period.invalid", f"from..to must be a range of 1 to {max_days} days",
                      max_days=max_days)
    return first, last


def _status(row: BoardStatus | None, now: datetime, config: HealthConfig) -> LinkStatus:
    return cast(LinkStatus, link_status(row, now, config))


def board_health(session: Session, *, actor: User, board_id: int, now: datetime,
                 config: HealthConfig) -> BoardHealthPublic:
    """The latest heartbeat and the link state (``never_seen`` before the first heartbeat)."""
    get_board(session, actor=actor, board_id=board_id)
    row = session.get(BoardStatus, board_id)
    state = _status(row, now, config)
    if row is None:
        return BoardHealthPublic(board_id=board_id, status=state)
    return BoardHealthPublic(
        board_id=board_id, status=state, last_seen_at=row.last_seen_at, online_since=row.changed_at,
        software_version=row.software_version, uptime_s=row.uptime_s, manifest_version=row.manifest_version,
        regions=row.regions, clock_offset_s=row.clock_offset_s, free_disk_bytes=row.free_disk_bytes,
        cache_bytes=row.cache_bytes, last_error=row.last_error, screen_state=row.screen_state,
        brightness=row.brightness, os_name=row.os_name, temperature_c=row.temperature_c,
        allow_reboot=row.allow_reboot, log_level=row.log_level, clock_skewed=clock_skewed(row.clock_offset_s),
    )


def board_events(session: Session, *, actor: User, board_id: int, limit: int) -> list[BoardEventPublic]:
    """Recorded offline / back_online transitions, newest first (flaps coalesced: link_state.py)."""
    get_board(session, actor=actor, board_id=board_id)
    rows = session.exec(
        select(BoardEvent).where(BoardEvent.board_id == board_id)
        .order_by(col(BoardEvent.at).desc(), col(BoardEvent.id).desc()).limit(limit)
    ).all()
    return [BoardEventPublic(board_id=r.board_id, kind=r.kind, at=r.at, flaps=r.flaps) for r in rows]


def board_uptime(session: Session, *, actor: User, board_id: int, now: datetime, config: HealthConfig,
                 first: date | None = None, last: date | None = None) -> list[UptimeDayPublic]:
    """Uptime per local day (``first``..``last`` inclusive, default the last 7 days); see uptime.py."""
    board = get_board(session, actor=actor, board_id=board_id)
    first, last = local_days(first, last, now, default_days=7, max_days=MAX_UPTIME_DAYS)
    start, end = local_midnight_utc(first), local_midnight_utc(last + timedelta(days=1))
    spans = board_spans(session, [board_id], start, end, config)[board_id]
    power = effective_for_boards(session, [board]).get(board_id)
    days = daily_uptime(spans, first, last, now, since=board.created_at, power=power)
    return [UptimeDayPublic(day=d.day, percent=d.percent, observed_s=d.observed_s, covered_s=d.covered_s,
                            scheduled_off_s=d.scheduled_off_s)
            for d in days]


def unit_wall(session: Session, *, actor: User, unit_id: int, now: datetime,
              config: HealthConfig) -> list[WallTile]:
    """Every board of the unit's subtree: latest thumbnail, link status, last seen."""
    ensure_in_scope(session, actor, unit_id)
    units = subtree_ids(session, unit_id)
    boards = session.exec(select(Board).where(col(Board.unit_id).in_(units)).order_by(col(Board.id))).all()
    ids = [b.id for b in boards if b.id is not None]
    statuses = {s.board_id: s for s in session.exec(
        select(BoardStatus).where(col(BoardStatus.board_id).in_(ids))).all()}
    latest = _latest_screenshots(session, ids)
    tiles = []
    for board in boards:
        assert board.id is not None
        row, shot = statuses.get(board.id), latest.get(board.id)
        tiles.append(WallTile(
            board_id=board.id, name=board.name, unit_id=board.unit_id, status=_status(row, now, config),
            last_seen_at=row.last_seen_at if row else None,
            screenshot_taken_at=shot.taken_at if shot else None,
            thumbnail_url=ScreenshotPublic.of(shot).thumbnail_url if shot else None,
        ))
    return tiles


def _latest_screenshots(session: Session, board_ids: list[int]) -> dict[int, Screenshot]:
    if not board_ids:
        return {}
    newest = (
        select(Screenshot.board_id, func.max(Screenshot.id).label("id"))
        .where(col(Screenshot.board_id).in_(board_ids)).group_by(col(Screenshot.board_id)).subquery()
    )
    rows = session.exec(select(Screenshot).join(newest, col(Screenshot.id) == newest.c.id)).all()
    return {r.board_id: r for r in rows}


# --- screenshots -----------------------------------------------------------------------------


def screenshots(session: Session, *, actor: User, board_id: int,
                limit: int | None = None) -> list[Screenshot]:
    """The board's kept screenshots, newest first (bounded by ``SIGNAGE_SCREENSHOT_KEEP``)."""
    get_board(session, actor=actor, board_id=board_id)
    statement = (select(Screenshot).where(Screenshot.board_id == board_id)
                 .order_by(col(Screenshot.received_at).desc(), col(Screenshot.id).desc()))
    return list(session.exec(statement.limit(limit) if limit else statement).all())


def latest_screenshot(session: Session, *, actor: User, board_id: int) -> Screenshot:
    shots = screenshots(session, actor=actor, board_id=board_id, limit=1)
    if not shots:
        raise NotFound("screenshot.none_yet", f"board {board_id} has sent no screenshot yet",
                       board_id=board_id)
    return shots[0]


def screenshot_file(session: Session, *, actor: User, store: ScreenshotStore, board_id: int, shot_id: int,
                    thumbnail: bool) -> Path:
    """Where the image (or its thumbnail) lies; ``screenshot.not_found`` / ``screenshot.file_missing``."""
    get_board(session, actor=actor, board_id=board_id)
    shot = session.get(Screenshot, shot_id)
    if shot is None or shot.board_id != board_id:
        raise NotFound("screenshot.not_found", f"screenshot {shot_id} not found", id=shot_id)
    path = store.local(store.thumbnail_path(shot) if thumbnail else store.image_path(shot))
    if path is None:
        raise NotFound("screenshot.file_missing", f"screenshot {shot_id} file missing", id=shot_id)
    return path


def request_screenshot(session: Session, *, actor: User, bus: Bus, board_id: int) -> ScreenshotRequestRow:
    """Ask the board for a fresh capture over its WebSocket; the upload naming the request's id
    fulfils it. Called from a worker thread (sync routes), which hands the message to the bus."""
    require_role(actor, roles.OPERATORS)
    get_board(session, actor=actor, board_id=board_id)
    row = ScreenshotRequestRow(id=secrets.token_hex(12), board_id=board_id, requested_by=actor.id)
    session.add(row)
    session.commit()
    session.refresh(row)
    text = wire.ScreenshotRequest(request_id=row.id).model_dump_json()
    anyio.from_thread.run(bus.publish, BusMessage(text, frozenset({board_id})))
    return row


def screenshot_request(session: Session, *, actor: User, board_id: int,
                       request_id: str) -> ScreenshotRequestRow:
    get_board(session, actor=actor, board_id=board_id)
    row = session.get(ScreenshotRequestRow, request_id)
    if row is None or row.board_id != board_id:
        raise NotFound("screenshot_request.not_found", f"screenshot request {request_id} not found",
                       id=request_id)
    return row
