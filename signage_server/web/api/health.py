"""Board health for operators and viewers: status, link events, daily uptime, the unit wall.

Everything is scoped: a board or unit outside the user's subtree answers 404.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, cast

from fastapi import APIRouter, HTTPException, Query, Request, status
from sqlalchemy import func
from sqlmodel import Session, col, select

from signage_server.core.auth import ensure_in_scope, in_scope, not_found
from signage_server.health.schemas import (
    BoardEventPublic,
    BoardHealthPublic,
    LinkStatus,
    ScreenshotPublic,
    UptimeDayPublic,
    WallTile,
)
from signage_server.health.store import HealthConfig, board_spans, link_status
from signage_server.health.uptime import LOCAL_TZ, daily_uptime
from signage_server.models import Board, BoardEvent, BoardStatus, Screenshot, User
from signage_server.units.service import local_midnight_utc, subtree_ids
from signage_server.web.deps import CurrentUser, SessionDep

router = APIRouter(tags=["health"])
MAX_UPTIME_DAYS = 366


def board_in_scope(session: Session, user: User, board_id: int) -> Board:
    board = session.get(Board, board_id)
    if board is None or not in_scope(session, user, board.unit_id):
        raise not_found("board", board_id)
    return board


def health_config(request: Request) -> HealthConfig:
    config: HealthConfig = request.app.state.health.config
    return config


def health_now(request: Request) -> datetime:
    """The health monitor's clock (the system clock, except in tests)."""
    now: datetime = request.app.state.health.clock()
    return now


@router.get("/boards/{board_id}/status", response_model=BoardHealthPublic)
def board_status(
    session: SessionDep, user: CurrentUser, request: Request, board_id: int
) -> BoardHealthPublic:
    """The latest heartbeat and the link state (``never_seen`` before the first heartbeat)."""
    board_in_scope(session, user, board_id)
    row = session.get(BoardStatus, board_id)
    state = cast(LinkStatus, link_status(row, health_now(request), health_config(request)))
    if row is None:
        return BoardHealthPublic(board_id=board_id, status=state)
    return BoardHealthPublic(
        board_id=board_id, status=state, last_seen_at=row.last_seen_at, online_since=row.changed_at,
        software_version=row.software_version, uptime_s=row.uptime_s, manifest_version=row.manifest_version,
        regions=row.regions, clock_offset_s=row.clock_offset_s, free_disk_bytes=row.free_disk_bytes,
        cache_bytes=row.cache_bytes, last_error=row.last_error, screen_state=row.screen_state,
    )


@router.get("/boards/{board_id}/events", response_model=list[BoardEventPublic])
def board_events(
    session: SessionDep, user: CurrentUser, board_id: int, limit: Annotated[int, Query(gt=0, le=1000)] = 100
) -> list[BoardEventPublic]:
    """Recorded offline / back_online transitions, newest first (flaps coalesced: link_state.py)."""
    board_in_scope(session, user, board_id)
    rows = session.exec(
        select(BoardEvent).where(BoardEvent.board_id == board_id)
        .order_by(col(BoardEvent.at).desc(), col(BoardEvent.id).desc()).limit(limit)
    ).all()
    return [BoardEventPublic(board_id=r.board_id, kind=r.kind, at=r.at, flaps=r.flaps) for r in rows]


@router.get("/boards/{board_id}/uptime", response_model=list[UptimeDayPublic])
def board_uptime(
    session: SessionDep,
    user: CurrentUser,
    request: Request,
    board_id: int,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> list[UptimeDayPublic]:
    """Uptime per local day (``from``..``to`` inclusive, default the last 7 days); see uptime.py."""
    board = board_in_scope(session, user, board_id)
    now = health_now(request)
    last = last or now.astimezone(LOCAL_TZ).date()
    first = first or last - timedelta(days=6)
    if first > last or (last - first).days >= MAX_UPTIME_DAYS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"from..to must be a range of 1 to {MAX_UPTIME_DAYS} days")
    start, end = local_midnight_utc(first), local_midnight_utc(last + timedelta(days=1))
    spans = board_spans(session, [board_id], start, end, health_config(request))[board_id]
    days = daily_uptime(spans, first, last, now, since=board.created_at)
    return [UptimeDayPublic(day=d.day, percent=d.percent, observed_s=d.observed_s, covered_s=d.covered_s)
            for d in days]


@router.get("/units/{unit_id}/wall", response_model=list[WallTile])
def unit_wall(session: SessionDep, user: CurrentUser, request: Request, unit_id: int) -> list[WallTile]:
    """Every board of the unit's subtree: latest thumbnail, link status, last seen."""
    ensure_in_scope(session, user, unit_id)
    units = subtree_ids(session, unit_id)
    boards = session.exec(select(Board).where(col(Board.unit_id).in_(units)).order_by(col(Board.id))).all()
    ids = [b.id for b in boards if b.id is not None]
    statuses = {s.board_id: s for s in session.exec(
        select(BoardStatus).where(col(BoardStatus.board_id).in_(ids))).all()}
    latest = _latest_screenshots(session, ids)
    now, config = health_now(request), health_config(request)
    tiles = []
    for board in boards:
        assert board.id is not None
        row, shot = statuses.get(board.id), latest.get(board.id)
        tiles.append(WallTile(
            board_id=board.id, name=board.name, unit_id=board.unit_id,
            status=cast(LinkStatus, link_status(row, now, config)),
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
