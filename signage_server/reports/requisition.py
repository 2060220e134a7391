"""Proof that a requisitioned board honoured its windows, from its proof of play: per requisition
window of a local day, the government's airtime inside it and the owner's (which must be none);
outside the windows, the owner's airtime and the government's (none, emergencies apart).

Airtime is the union of the plays' intervals (the regions of one screen play at once, so they are
not added up), clipped to each window; an emergency (an override or an emergency bulletin) may play
at any time and is counted apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel
from sqlmodel import Session, col, select

from signage_server.devices.requisition import requisitioned_board
from signage_server.manifest.inputs import requisition_rules
from signage_server.manifest.programme import day_bounds
from signage_server.manifest.scheduling import Interval, intersect, merge_intervals, requisition_intervals
from signage_server.models import PlayLog, Schedule, User


class WindowAirtime(BaseModel):
    start: datetime
    end: datetime
    government_s: float
    owner_s: float
    emergency_s: float


class RequisitionReport(BaseModel):
    board_id: int
    date: date
    windows: list[WindowAirtime]
    outside_owner_s: float
    outside_government_s: float  # emergencies apart: must be 0
    outside_emergency_s: float
    honoured: bool  # no owner airtime inside a window, no government airtime outside (emergencies apart)


def _measure(intervals: Iterable[Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in intervals)


def _outside(day: Interval, windows: Sequence[Interval]) -> tuple[Interval, ...]:
    gaps: list[Interval] = []
    t = day[0]
    for a, b in windows:
        if a > t:
            gaps.append((t, a))
        t = max(t, b)
    if t < day[1]:
        gaps.append((t, day[1]))
    return tuple(gaps)


def honoured_windows(
    day: Interval, windows: Sequence[Interval], government: Sequence[Interval], owner: Sequence[Interval],
    emergency: Sequence[Interval],
) -> tuple[list[tuple[Interval, float, float, float]], tuple[float, float, float]]:
    """Pure: per window (window, government s, owner s, emergency s), and outside them (owner s,
    government s, emergency s). Every interval list is sorted and merged by the caller."""
    rows = [
        (w, _measure(intersect(government, [w])), _measure(intersect(owner, [w])),
         _measure(intersect(emergency, [w])))
        for w in windows
    ]
    gaps = _outside(day, windows)
    outside = (_measure(intersect(owner, gaps)), _measure(intersect(government, gaps)),
               _measure(intersect(emergency, gaps)))
    return rows, outside


def requisition_report(session: Session, *, user: User, board_id: int, day: date) -> RequisitionReport:
    """The board's windows of ``day`` (its local day) and what played in and around them."""
    board = requisitioned_board(session, user=user, board_id=board_id)
    start, end = day_bounds(day, board.timezone)
    rules = requisition_rules(session, [board_id]).get(board_id, ())
    agreed = requisition_intervals(rules, board.timezone, day - timedelta(days=1), day)
    windows = intersect(agreed, [(start, end)])
    owner_ids = {str(i) for i in session.exec(select(Schedule.id).where(Schedule.owner_board_id == board_id))}
    rows = session.exec(select(PlayLog).where(
        PlayLog.board_id == board_id, col(PlayLog.started_at) < end, col(PlayLog.ended_at) > start))
    kinds: dict[str, list[Interval]] = {"government": [], "owner": [], "emergency": []}
    for row in rows:
        span = (row.started_at.replace(tzinfo=row.started_at.tzinfo or UTC),
                row.ended_at.replace(tzinfo=row.ended_at.tzinfo or UTC))
        if row.override_id or row.priority == "emergency":
            kinds["emergency"].append(span)
        elif row.schedule_id in owner_ids:
            kinds["owner"].append(span)
        elif row.schedule_id is not None:
            kinds["government"].append(span)
    merged = {k: merge_intervals(v) for k, v in kinds.items()}
    per_window, (owner_out, government_out, emergency_out) = honoured_windows(
        (start, end), windows, merged["government"], merged["owner"], merged["emergency"])
    return RequisitionReport(
        board_id=board_id, date=day,
        windows=[WindowAirtime(start=w[0], end=w[1], government_s=g, owner_s=o, emergency_s=e)
                 for w, g, o, e in per_window],
        outside_owner_s=owner_out, outside_government_s=government_out, outside_emergency_s=emergency_out,
        honoured=government_out == 0 and all(o == 0 for _, _, o, _ in per_window),
    )
