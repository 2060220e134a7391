"""Summary reports per unit subtree and period, for operators and the source information system.

Rules:

* Period: local dates ``first``..``last`` (inclusive) in Asia/Ho_Chi_Minh.
* Units covered: the unit's subtree (retired descendants included) plus, through ``UnitLineage``,
  every unit that was merged into or renamed as a unit of that set (and their subtrees),
  recursively. A split is not rolled up: the old unit's history stays with the old unit (reached
  through its parent), because it cannot be divided between the new parts truthfully.
* Plays are attributed to the unit that owned the board when the play started (stored on each
  record); a record counts in the period in which it starts. Hours are sums of play durations per
  region, so two regions playing for an hour count two hours.
* Boards, online now and uptime concern the boards the covered units own today; uptime is covered
  over observed time across all those boards and days (``uptime.py``).
* Emergencies issued and their delivery come from an optional section function (``EmergencySection``)
  wired by the application when the override tables exist; without one the section is left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from signage_contract import Category, PlayReason, Priority
from signage_contract.timezone import LOCAL_TIMEZONE
from signage_server.core.local_time import local_date
from signage_server.devices.power import effective_for_boards
from signage_server.health.store import HealthConfig, board_spans, link_status
from signage_server.health.uptime import daily_uptime, overall_percent
from signage_server.models import (
    AdminUnit,
    Board,
    BoardStatus,
    ClockStatus,
    LineageKind,
    PlayLog,
    UnitLineage,
)
from signage_server.units.service import local_midnight_utc, subtree_ids

ROLLED_UP_KINDS = (LineageKind.MERGE, LineageKind.RENAME)


@dataclass(frozen=True)
class ReportScope:
    unit: AdminUnit
    unit_ids: frozenset[int]
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return local_midnight_utc(self.first_day)

    @property
    def end(self) -> datetime:
        return local_midnight_utc(self.last_day + timedelta(days=1))


EmergencySection = Callable[[Session, ReportScope], dict[str, Any]]


def covered_units(session: Session, unit_id: int) -> set[int]:
    """The unit's subtree plus everything merged or renamed into it, through lineage."""
    units = set(subtree_ids(session, unit_id))
    frontier = set(units)
    while frontier:
        absorbed = set(session.exec(
            select(UnitLineage.from_unit_id).where(
                col(UnitLineage.to_unit_id).in_(frontier), col(UnitLineage.kind).in_(ROLLED_UP_KINDS)
            )
        ).all()) - units
        frontier = set()
        for old in absorbed:
            frontier |= set(subtree_ids(session, old)) - units
        units |= frontier
    return units


class PlayHours(BaseModel):
    records: int = 0
    hours: float = 0.0
    # records among them whose times the server moved by the board's measured clock offset, and
    # those kept with times it could not check (board clock ahead, no offset known): see plays.py
    clock_corrected: int = 0
    clock_unverified: int = 0
    by_category: dict[str, float] = {}
    by_priority: dict[str, float] = {}
    by_reason: dict[str, float] = {}


class SummaryReport(BaseModel):
    unit_id: int
    unit_code: str
    unit_name: str
    first_day: date
    last_day: date
    timezone: str = LOCAL_TIMEZONE
    units_covered: int
    boards: int
    online_now: int
    uptime_percent: float | None
    plays: PlayHours
    emergencies: dict[str, Any] | None = None


def play_hours(session: Session, scope: ReportScope) -> PlayHours:
    # sqlalchemy's select: sqlmodel's typed one takes at most four columns.
    grouped = (col(PlayLog.category), col(PlayLog.priority), col(PlayLog.reason), col(PlayLog.clock_status))
    rows = session.connection().execute(
        sa_select(*grouped, func.count(), func.sum(col(PlayLog.duration_s)))
        .where(col(PlayLog.unit_id).in_(scope.unit_ids), col(PlayLog.started_at) >= scope.start,
               col(PlayLog.started_at) < scope.end)
        .group_by(*grouped)
    ).all()
    result = PlayHours(
        by_category={c.value: 0.0 for c in Category},
        by_priority={p.value: 0.0 for p in Priority},
        by_reason={r.value: 0.0 for r in PlayReason},
    )
    for category, priority, reason, clock, count, seconds in rows:
        hours = float(seconds or 0.0) / 3600.0
        result.records += int(count)
        result.clock_corrected += int(count) if clock == ClockStatus.CORRECTED else 0
        result.clock_unverified += int(count) if clock == ClockStatus.UNVERIFIED else 0
        result.hours += hours
        result.by_category[category] = result.by_category.get(category, 0.0) + hours
        result.by_priority[priority] = result.by_priority.get(priority, 0.0) + hours
        result.by_reason[reason] = result.by_reason.get(reason, 0.0) + hours
    return _rounded(result)


def _rounded(hours: PlayHours) -> PlayHours:
    def r(values: dict[str, float]) -> dict[str, float]:
        return {k: round(v, 4) for k, v in values.items()}

    return PlayHours(records=hours.records, hours=round(hours.hours, 4),
                     clock_corrected=hours.clock_corrected, clock_unverified=hours.clock_unverified,
                     by_category=r(hours.by_category), by_priority=r(hours.by_priority),
                     by_reason=r(hours.by_reason))


def build_summary(
    session: Session,
    scope: ReportScope,
    now: datetime,
    config: HealthConfig,
    emergencies: EmergencySection | None = None,
) -> SummaryReport:
    boards = session.exec(select(Board).where(col(Board.unit_id).in_(scope.unit_ids))).all()
    ids = [b.id for b in boards if b.id is not None]
    statuses = session.exec(select(BoardStatus).where(col(BoardStatus.board_id).in_(ids))).all()
    online = sum(1 for s in statuses if link_status(s, now, config) == "online")
    spans = board_spans(session, ids, scope.start, scope.end, config)
    power = effective_for_boards(session, boards)
    days = [day for board in boards if board.id is not None
            for day in daily_uptime(spans[board.id], scope.first_day, scope.last_day, now, board.created_at,
                                    power=power.get(board.id))]
    assert scope.unit.id is not None
    return SummaryReport(
        unit_id=scope.unit.id, unit_code=scope.unit.code, unit_name=scope.unit.name,
        first_day=scope.first_day, last_day=scope.last_day, units_covered=len(scope.unit_ids),
        boards=len(ids), online_now=online, uptime_percent=overall_percent(days),
        plays=play_hours(session, scope),
        emergencies=emergencies(session, scope) if emergencies is not None else None,
    )


def summary_csv(report: SummaryReport) -> str:
    """The report as CSV rows ``section,key,value``, UTF-8 with a BOM so that Excel shows
    Vietnamese names correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "key", "value"])
    head: dict[str, Any] = {
        "unit_id": report.unit_id, "unit_code": report.unit_code, "unit_name": report.unit_name,
        "from": local_date(report.first_day), "to": local_date(report.last_day),
        "timezone": report.timezone, "units_covered": report.units_covered, "boards": report.boards,
        "online_now": report.online_now,
        "uptime_percent": "" if report.uptime_percent is None else report.uptime_percent,
        "play_records": report.plays.records, "play_hours": report.plays.hours,
        "play_records_clock_corrected": report.plays.clock_corrected,
        "play_records_clock_unverified": report.plays.clock_unverified,
    }
    for key, value in head.items():
        writer.writerow(["summary", key, value])
    for section, values in (("hours_by_category", report.plays.by_category),
                            ("hours_by_priority", report.plays.by_priority),
                            ("hours_by_reason", report.plays.by_reason)):
        for key, hours in values.items():
            writer.writerow([section, key, hours])
    for key, value in (report.emergencies or {}).items():
        writer.writerow(["emergencies", key, value])
    return "\ufeff" + out.getvalue()
