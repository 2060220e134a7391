"""A board's programme for one local day (issue 12 part 2): the plays in order, as the player will
make them, computed by the contract's programme rule (``signage_contract.programme``) over the
sources of the manifest the board would receive that day (the same builder), each text lasting as
its pages or its scroll take on that board (``playtime.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlmodel import Session, col, select

from signage_contract import HORIZON
from signage_contract.programme import Play, plays
from signage_server.core.changes import Change
from signage_server.devices import boards
from signage_server.manifest.affected import affected_boards
from signage_server.manifest.builder import build_manifest
from signage_server.manifest.inputs import load_inputs, spec_of
from signage_server.manifest.playtime import item_seconds
from signage_server.manifest.scheduling import (
    BoardContext,
    ScheduleSpec,
    applicable,
    applies_to,
    intersect,
    window_intervals,
)
from signage_server.models import PlaylistItem, Schedule, ScheduleRegion, User
from signage_server.units.tree import UnitTree

_V = TypeVar("_V")


class ProgrammePlay(BaseModel):
    """One play: ``item_id`` is the manifest's item id; ``bulletin_id``/``media_id`` name what it
    shows (neither for a ticker or clock); ``schedule_id`` is its source schedule."""

    start: datetime
    end: datetime
    item_id: str
    kind: str
    bulletin_id: int | None
    media_id: int | None
    schedule_id: int
    layout_id: str
    priority: bool


class PlanHour(BaseModel):
    """One local hour of an airtime plan: each source schedule's share of it (0..1), largest first."""

    hour: int
    shares: list[tuple[str, float]]


def hourly_shares(found: Iterable[Play], zone: tzinfo) -> list[PlanHour]:
    """The plays' airtime hour by local hour: who plays and their share (a play across an hour
    counts in both)."""
    seconds: dict[int, dict[str, float]] = {}
    for play in found:
        moment, sid = play.start, play.source.schedule_id
        while moment < play.end:
            local = moment.astimezone(zone)
            top = local.replace(minute=0, second=0, microsecond=0)
            stop = min(play.end, (top + timedelta(hours=1)).astimezone(UTC))
            by_hour = seconds.setdefault(local.hour, {})
            by_hour[sid] = by_hour.get(sid, 0.0) + (stop - moment).total_seconds()
            moment = stop
    plan = []
    for hour, by_source in sorted(seconds.items()):
        total = sum(by_source.values())
        shares = sorted(((s, v / total) for s, v in by_source.items()), key=lambda pair: -pair[1])
        plan.append(PlanHour(hour=hour, shares=shares))
    return plan


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[local midnight of ``day``, the next local midnight), in UTC."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)


def board_programme(session: Session, *, actor: User, board_id: int, day: date | None,
                    now: datetime) -> list[ProgrammePlay]:
    """The plays of the board's local ``day`` (default: its today as of ``now``); the board must be
    in the actor's scope, like every board read."""
    board = boards.get_board(session, actor=actor, board_id=board_id)
    if day is None:
        day = now.astimezone(ZoneInfo(board.timezone)).date()
    start, end = day_bounds(day, board.timezone)
    inputs = load_inputs(session, [board_id], start)
    manifest = build_manifest(inputs.boards[0], inputs.specs, inputs.playlists, inputs.layouts, (), start,
                              horizon=timedelta(0))
    found = plays(manifest.sources, manifest.item_index(), board.timezone, start, end,
                  seconds=item_seconds(manifest))
    row_ids = {int(p.item.id.rsplit("-i", 1)[1]) for p in found}
    rows = {r.id: r for r in session.exec(select(PlaylistItem).where(col(PlaylistItem.id).in_(row_ids)))}
    answer = []
    for play in found:
        row = rows.get(int(play.item.id.rsplit("-i", 1)[1]))
        answer.append(ProgrammePlay(
            start=play.start, end=play.end, item_id=play.item.id, kind=play.item.kind,
            bulletin_id=row.bulletin_id if row else None, media_id=row.media_id if row else None,
            schedule_id=int(play.source.schedule_id), layout_id=play.source.layout_id,
            priority=play.priority,
        ))
    return answer


def silenced_by(session: Session, row: Schedule, now: datetime) -> list[int]:
    """For an ``exclusive`` schedule: the other playable, non-exclusive schedules it silences, that
    is, those that reach one of its boards with a window overlapping one of its own within the
    coming ``HORIZON`` (in that board's time zone). Empty for a schedule that is not exclusive."""
    if not row.exclusive or row.id is None:
        return []
    tree = UnitTree.load(session, now.date())
    reach = Change(boards=_one(row.target_board_id), units=_one(row.target_unit_id),
                   tags=_one(row.target_tag))
    board_ids = affected_boards(session, reach, tree)
    if not board_ids:
        return []
    inputs = load_inputs(session, board_ids, now)
    regions = {r.region_id: r.playlist_id
               for r in session.exec(select(ScheduleRegion).where(ScheduleRegion.schedule_id == row.id))}
    mine = spec_of(row, regions, inputs.playlists)
    found: set[int] = set()
    for board in inputs.boards:
        for other, _ in applicable(inputs.specs, board):
            if other.id not in found and other.id != row.id and not other.exclusive \
                    and overlaps_on(board, mine, other, now):
                found.add(other.id)
    return sorted(found)


def overlaps_on(board: BoardContext, mine: ScheduleSpec, other: ScheduleSpec, now: datetime) -> bool:
    """Whether both reach ``board`` with windows that overlap within the coming ``HORIZON``."""
    if applies_to(mine, board) is None or applies_to(other, board) is None:
        return False
    first = now.astimezone(ZoneInfo(board.timezone)).date()
    last = first + timedelta(days=HORIZON.days)
    return bool(intersect(window_intervals(mine.recurrence, board.timezone, first, last),
                          window_intervals(other.recurrence, board.timezone, first, last)))


def _one(value: _V | None) -> frozenset[_V]:
    return frozenset() if value is None else frozenset({value})
