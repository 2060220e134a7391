"""Bulletins of a unit over a period: each with its reach (boards that aired it / boards it
targets) and its airtime, for the source system (JSON, CSV) and the panel's reports page.

Rules: the unit's subtree with what was merged or renamed into it (``summary.covered_units``);
plays attributed to those units and starting in the period (local days); a bulletin is listed when
it aired there in the period, or when it belongs to those units, is approved and its validity
overlaps the period (aired nowhere: reach 0). Targeted boards are today's, among the boards the
covered units own.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import distinct, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from signage_contract.timezone import LOCAL_TIMEZONE
from signage_server.core.auth import ensure_in_scope
from signage_server.core.local_time import to_local
from signage_server.health.service import local_days
from signage_server.models import PLAYABLE_STATES, AdminUnit, Board, Bulletin, PlayLog, User
from signage_server.reports.receipts import targeted_boards
from signage_server.reports.service import DEFAULT_DAYS, MAX_REPORT_DAYS
from signage_server.reports.summary import ReportScope, covered_units


class BulletinReach(BaseModel):
    bulletin_id: int
    title: str
    category: str
    priority: str
    state: str
    unit_id: int
    valid_from: datetime | None
    valid_until: datetime | None
    boards_targeted: int
    boards_aired: int
    plays: int
    airtime_s: float
    first_aired_at: datetime | None


class BulletinReachReport(BaseModel):
    unit_id: int
    unit_code: str
    unit_name: str
    first_day: date
    last_day: date
    timezone: str = LOCAL_TIMEZONE
    bulletins: list[BulletinReach]


def bulletin_reach(session: Session, *, actor: User, unit_id: int, first: date | None, last: date | None,
                   now: datetime) -> BulletinReachReport:
    """Every bulletin of the unit's subtree over ``first``..``last`` (local dates, default the
    last 30 days), most airtime first."""
    ensure_in_scope(session, actor, unit_id)
    unit = session.get(AdminUnit, unit_id)
    assert unit is not None and unit.id is not None
    first, last = local_days(first, last, now, default_days=DEFAULT_DAYS, max_days=MAX_REPORT_DAYS)
    scope = ReportScope(unit, frozenset(covered_units(session, unit_id)), first, last)
    played = {row[0]: row for row in session.connection().execute(
        sa_select(col(PlayLog.bulletin_id), func.count(distinct(col(PlayLog.board_id))), func.count(),
                  func.sum(col(PlayLog.duration_s)), func.min(col(PlayLog.started_at)))
        .where(col(PlayLog.unit_id).in_(scope.unit_ids), col(PlayLog.started_at) >= scope.start,
               col(PlayLog.started_at) < scope.end, col(PlayLog.bulletin_id).is_not(None))
        .group_by(col(PlayLog.bulletin_id))
    ).all()}
    valid_then = (col(Bulletin.unit_id).in_(scope.unit_ids) & col(Bulletin.state).in_(PLAYABLE_STATES)
                  & or_(col(Bulletin.valid_from).is_(None), col(Bulletin.valid_from) < scope.end)
                  & or_(col(Bulletin.valid_until).is_(None), col(Bulletin.valid_until) > scope.start))
    bulletins = session.exec(select(Bulletin).where(or_(col(Bulletin.id).in_(set(played)), valid_then))).all()
    owned = set(session.exec(select(Board.id).where(col(Board.unit_id).in_(scope.unit_ids))).all())
    targets = targeted_boards(session, [b.id for b in bulletins if b.id is not None])
    rows = []
    for b in bulletins:
        assert b.id is not None
        _, aired, plays, seconds, first_at = played.get(b.id, (b.id, 0, 0, 0.0, None))
        rows.append(BulletinReach(
            bulletin_id=b.id, title=b.title, category=b.category.value, priority=b.priority.value,
            state=b.state.value, unit_id=b.unit_id, valid_from=b.valid_from, valid_until=b.valid_until,
            boards_targeted=len(targets.get(b.id, set()) & owned), boards_aired=int(aired), plays=int(plays),
            airtime_s=round(float(seconds or 0.0), 3), first_aired_at=first_at))
    rows.sort(key=lambda r: (-r.airtime_s, -r.bulletin_id))
    return BulletinReachReport(unit_id=unit.id, unit_code=unit.code, unit_name=unit.name, first_day=first,
                               last_day=last, bulletins=rows)


REACH_COLUMNS = ["bulletin_id", "title", "category", "priority", "state", "unit_id", "valid_from",
                 "valid_until", "boards_targeted", "boards_aired", "plays", "airtime_s", "first_aired_at"]


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else to_local(moment).isoformat()


def reach_csv(report: BulletinReachReport) -> str:
    """One row per bulletin (the unit and period are in the file name); times ISO 8601 with the
    +07:00 offset; UTF-8 with a BOM (Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REACH_COLUMNS)
    for r in report.bulletins:
        writer.writerow([r.bulletin_id, r.title, r.category, r.priority, r.state, r.unit_id,
                         _iso(r.valid_from), _iso(r.valid_until), r.boards_targeted, r.boards_aired,
                         r.plays, r.airtime_s, _iso(r.first_aired_at)])
    return "\ufeff" + out.getvalue()


def reach_file_name(report: BulletinReachReport) -> str:
    return (f"bulletins-{report.unit_code}-{report.first_day.isoformat()}-"
            f"{report.last_day.isoformat()}.csv")
