"""The summary report board by board: each board of the unit's subtree with its unit, link state
now, uptime and hours played over the period. A province has thousands of boards, so the list is
searched (name, address), filtered (a unit below, the link state) and paged in SQL; uptime and
hours are computed for the boards of the asked page only."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from signage_server.core.paging import Page, PageRequest, matches, paged
from signage_server.health.store import HealthConfig, board_spans, link_status
from signage_server.health.uptime import daily_uptime, overall_percent
from signage_server.models import AdminUnit, Board, BoardStatus, PlayLog
from signage_server.reports.summary import ReportScope

LINK_STATES = ("online", "offline", "never_seen")


class BoardReportRow(BaseModel):
    board_id: int
    name: str
    unit_id: int
    unit_name: str
    link: str  # online, offline or never_seen, now
    uptime_percent: float | None
    hours_played: float
    records: int


class BoardReportPage(BaseModel):
    """One page of the rows, newest-first paging as every list: ``page`` of ``pages``."""

    rows: list[BoardReportRow]
    total: int
    page: int
    per_page: int
    pages: int


def _link_filter(link: str, now: datetime, config: HealthConfig) -> object:
    """The SQL form of ``link_status``: seen within the offline threshold, seen before, never seen."""
    fresh = col(BoardStatus.online).is_(True) & (col(BoardStatus.last_seen_at) >= now - config.offline_after)
    has_status = col(Board.id).in_(select(BoardStatus.board_id))
    recent = col(Board.id).in_(select(BoardStatus.board_id).where(fresh))
    return {"online": recent, "offline": has_status & ~recent, "never_seen": ~has_status}[link]


def board_rows(session: Session, scope: ReportScope, now: datetime, config: HealthConfig, *, text: str = "",
               within: frozenset[int] | None = None, link: str | None = None,
               wanted: PageRequest = PageRequest()) -> Page[BoardReportRow]:
    """The boards of ``scope`` (of the units ``within`` when given), by name, one page of them."""
    units = scope.unit_ids if within is None else scope.unit_ids & within
    query = select(Board).where(col(Board.unit_id).in_(units))
    if text:
        query = query.where(matches(text, col(Board.name), col(Board.address)))
    if link in LINK_STATES:
        query = query.where(_link_filter(link, now, config))  # type: ignore[arg-type]
    found = paged(session, query.order_by(col(Board.name), col(Board.id)), wanted)
    ids = [b.id for b in found.rows if b.id is not None]
    names = dict(session.exec(select(AdminUnit.id, AdminUnit.name)
                              .where(col(AdminUnit.id).in_({b.unit_id for b in found.rows}))).all())
    status_rows = session.exec(select(BoardStatus).where(col(BoardStatus.board_id).in_(ids))).all()
    statuses = {s.board_id: s for s in status_rows}
    spans = board_spans(session, ids, scope.start, scope.end, config)
    counted = session.connection().execute(
        sa_select(col(PlayLog.board_id), func.count(), func.sum(col(PlayLog.duration_s)))
        .where(col(PlayLog.board_id).in_(ids), col(PlayLog.unit_id).in_(scope.unit_ids),
               col(PlayLog.started_at) >= scope.start, col(PlayLog.started_at) < scope.end)
        .group_by(col(PlayLog.board_id))).all()
    plays = {board: (int(count), float(seconds or 0.0)) for board, count, seconds in counted}
    rows = []
    for board in found.rows:
        assert board.id is not None
        days = daily_uptime(spans[board.id], scope.first_day, scope.last_day, now, board.created_at)
        count, seconds = plays.get(board.id, (0, 0.0))
        rows.append(BoardReportRow(
            board_id=board.id, name=board.name, unit_id=board.unit_id, unit_name=names.get(board.unit_id, ""),
            link=link_status(statuses.get(board.id), now, config), uptime_percent=overall_percent(days),
            hours_played=round(seconds / 3600.0, 4), records=count))
    return Page(rows, found.total, found.number, found.per_page)
