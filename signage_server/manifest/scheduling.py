"""Schedule resolution: what a board plays at an instant, and when to look again.

Pure: no database, no clock, no FastAPI. The ORM mapper turns ``Schedule`` + ``ScheduleRegion``
rows into ``ScheduleSpec`` and a ``Board`` with its unit chain (as of ``now``) into ``BoardContext``.

Precedence, one rule: among the schedules whose window is open at the instant, the winner is the
first in this lexicographic order (the first difference decides):

1. non-default content before default content (default plays only when nothing else is open);
2. the higher bulletin priority its playlists carry (emergency > priority > normal, Circular 39);
3. the higher schedule priority;
4. the more specific target: the board itself, then its own unit, then each unit further up the
   chain to the province, then a tag. Tags come last because a tag is a cross-cutting selection
   (it may span units and provinces) while a unit target is its owner's intent for its territory;
   an editor who wants a tag schedule to win gives it a higher priority;
5. the most recently updated;
6. the higher id (newest), so the answer never depends on input order.

Only a schedule with something to play competes: where a ``content`` map says a schedule has no
playable item (its playlists went back to review, or every item is outside its validity dates), it
is treated as closed, so it never hides a lower schedule that has content.

Recurrence: ``weekdays`` (0 = Monday .. 6 = Sunday; empty = every day) and the local date range
select occurrence days; each day opens the daily window in the board's
local time zone. The end is exclusive; an end at or before the start runs overnight and belongs to
the day it starts (22:00-06:00 on Friday plays on Saturday 03:00, not on Friday 03:00). Local
times that do not exist or repeat (DST zones) follow PEP 495 with fold=0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from heapq import heappop, heappush
from typing import Any, Literal
from zoneinfo import ZoneInfo

from signage_contract import Priority
from signage_contract.manifest import DEFAULT_PRIORITY_EVERY_MIN, DEFAULT_WEIGHT
from signage_contract.power import PowerSchedule
from signage_contract.speech import AudioSettings
from signage_contract.timezone import LOCAL_TIMEZONE

DEFAULT_TIMEZONE = LOCAL_TIMEZONE
BOARD_RANK = 0  # specificity rank of a board target; unit targets are 1 + distance up the chain
TAG_RANK = 1_000  # after every unit, whatever the depth of the chain
NEXT_CHANGE_LOOKAHEAD_DAYS = 366  # resolve() looks no further for the next change
_ONE_DAY = timedelta(days=1)

TargetKind = Literal["board", "unit", "tag"]
Interval = tuple[datetime, datetime]  # UTC, end exclusive
ALWAYS: Interval = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
# Schedule id -> the intervals in which it has something to play; a schedule not in the map has
# content at every instant (see ``builder.content_map``).
ContentMap = Mapping[int, Sequence[Interval]]


def _as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken as UTC (how the database stores times)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Target:
    """Mirrors ``Schedule.target_kind`` / ``target_board_id`` / ``target_unit_id`` / ``target_tag``."""

    kind: TargetKind
    board_id: int | None = None
    unit_id: int | None = None
    tag: str | None = None

    def __post_init__(self) -> None:
        wanted = {"board": self.board_id, "unit": self.unit_id, "tag": self.tag}[self.kind]
        if wanted is None:
            raise ValueError(f"a {self.kind} target needs its {self.kind} reference")

    @classmethod
    def board(cls, board_id: int) -> Target:
        return cls("board", board_id=board_id)

    @classmethod
    def unit(cls, unit_id: int) -> Target:
        return cls("unit", unit_id=unit_id)

    @classmethod
    def of_tag(cls, tag: str, within: int | None = None) -> Target:
        """Boards carrying ``tag``; with ``within``, only those in that unit's subtree (a tag
        schedule never reaches beyond its owner's territory)."""
        return cls("tag", tag=tag, unit_id=within)

    def tag_reaches(self, board: BoardContext) -> bool:
        return self.tag in board.tags and (self.unit_id is None or self.unit_id in board.unit_chain)


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """One schedule, as resolution needs it (field names follow the ``Schedule`` table).

    ``regions`` maps a layout region id to a playlist id (the ``ScheduleRegion`` rows);
    ``bulletin_priority`` is the highest priority of the bulletins its playlists carry.
    """

    id: int
    layout_id: str
    target: Target
    regions: Mapping[str, int] = field(default_factory=dict, hash=False)
    weekdays: frozenset[int] = frozenset()
    daily_start: time | None = None
    daily_end: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    priority: int = 0
    is_default: bool = False
    updated_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    bulletin_priority: Priority = Priority.NORMAL
    weight: int = DEFAULT_WEIGHT  # the programme's share of airtime (``signage_contract.programme``)
    exclusive: bool = False  # takes the board alone while open (the only way to silence others)
    priority_every_min: int = DEFAULT_PRIORITY_EVERY_MIN  # priority items recur at least this often
    owner: bool = False  # a requisitioned board owner's schedule (``Schedule.owner_board_id``)

    def __post_init__(self) -> None:
        weekdays = frozenset(self.weekdays)
        if not weekdays <= frozenset(range(7)):
            raise ValueError(f"schedule {self.id}: weekdays must be 0 (Monday) .. 6 (Sunday)")
        object.__setattr__(self, "weekdays", weekdays)
        object.__setattr__(self, "updated_at", _as_utc(self.updated_at))

    @property
    def recurrence(self) -> Recurrence:
        return (self.weekdays, self.daily_start, self.daily_end, self.start_date, self.end_date)


Recurrence = tuple[frozenset[int], time | None, time | None, date | None, date | None]


@dataclass(frozen=True, slots=True)
class RequisitionRule:
    """One ``RequisitionWindow`` row: a schedule's recurrence, and within each of its daily windows,
    if ``every_min`` is set, ``length_min`` minutes starting every ``every_min`` minutes."""

    recurrence: Recurrence
    every_min: int | None = None
    length_min: int | None = None


def requisition_intervals(
    rules: Iterable[RequisitionRule], timezone: str, first: date, last: date
) -> tuple[Interval, ...]:
    """The requisition windows of occurrence days ``first``..``last`` (local), in UTC, merged."""
    found: list[Interval] = []
    for rule in rules:
        for opens, closes in window_intervals(rule.recurrence, timezone, first, last):
            if not rule.every_min or not rule.length_min:
                found.append((opens, closes))
                continue
            step, length = timedelta(minutes=rule.every_min), timedelta(minutes=rule.length_min)
            t = opens
            while t < closes:
                found.append((t, min(t + length, closes)))
                t += step
    return merge_intervals(found)


@dataclass(frozen=True, slots=True)
class BoardContext:
    """A board as resolution sees it. ``unit_chain`` runs from the board's own unit up to its
    province, as of the instant being resolved (after a merger the mapper gives the new chain)."""

    board_id: int
    unit_chain: tuple[int, ...] = ()
    tags: frozenset[str] = frozenset()
    timezone: str = DEFAULT_TIMEZONE
    name: str = ""  # carried into the manifest only
    resolution: tuple[int, int] | None = None
    capture: tuple[int, int, int, int] | None = None  # x, y, w, h: carried into the manifest only
    # its own or its nearest unit's (devices/power.py): carried into the manifest only
    power: PowerSchedule | None = field(default=None, compare=False)
    # A requisitioned board's windows (``RequisitionWindow``); None: not requisitioned.
    requisition: tuple[RequisitionRule, ...] | None = None
    audio: AudioSettings | None = field(default=None, compare=False)  # devices/audio.py: manifest only

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit_chain", tuple(self.unit_chain))
        object.__setattr__(self, "tags", frozenset(self.tags))
        ZoneInfo(self.timezone)  # fail here, not deep inside a resolution

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # zoneinfo caches instances by key


@dataclass(frozen=True, slots=True)
class Resolution:
    winner: ScheduleSpec | None
    next_change_at: datetime | None  # None: nothing opens or closes within the look-ahead


@dataclass(frozen=True, slots=True)
class Segment:
    start: datetime
    end: datetime
    spec: ScheduleSpec | None  # None: nothing scheduled (the player shows its fallback)


Applicable = tuple[ScheduleSpec, int]  # a spec and its specificity rank for one board
_NOT_YET: Any = object()  # sentinel: no segment open yet (None means "nothing scheduled")


def applies_to(spec: ScheduleSpec, board: BoardContext) -> int | None:
    """The specificity rank of ``spec`` for ``board`` (lower is more specific), or None."""
    target = spec.target
    if target.kind == "board":
        return BOARD_RANK if target.board_id == board.board_id else None
    if target.kind == "unit":
        try:
            return 1 + board.unit_chain.index(target.unit_id)
        except ValueError:
            return None
    return TAG_RANK if target.tag_reaches(board) else None


def applicable(specs: Iterable[ScheduleSpec], board: BoardContext) -> list[Applicable]:
    return [(spec, rank) for spec in specs if (rank := applies_to(spec, board)) is not None]


class SpecIndex:
    """Specs indexed by target, so finding a board's applicable specs costs a few dict look-ups
    instead of a pass over every spec (recomposing thousands of boards)."""

    def __init__(self, specs: Iterable[ScheduleSpec]) -> None:
        self._by_board: dict[int, list[ScheduleSpec]] = {}
        self._by_unit: dict[int, list[ScheduleSpec]] = {}
        self._by_tag: dict[str, list[ScheduleSpec]] = {}
        for spec in specs:
            target = spec.target
            if target.kind == "board" and target.board_id is not None:
                self._by_board.setdefault(target.board_id, []).append(spec)
            elif target.kind == "unit" and target.unit_id is not None:
                self._by_unit.setdefault(target.unit_id, []).append(spec)
            elif target.tag is not None:
                self._by_tag.setdefault(target.tag, []).append(spec)

    def applicable(self, board: BoardContext) -> list[Applicable]:
        """Same answer as ``applicable(specs, board)``, ordered by spec id."""
        found = [(spec, BOARD_RANK) for spec in self._by_board.get(board.board_id, ())]
        for distance, unit_id in enumerate(board.unit_chain):
            found.extend((spec, 1 + distance) for spec in self._by_unit.get(unit_id, ()))
        for tag in board.tags:
            tagged = self._by_tag.get(tag, ())
            found.extend((spec, TAG_RANK) for spec in tagged if spec.target.tag_reaches(board))
        unique = {spec.id: (spec, rank) for spec, rank in reversed(found)}  # nearest rank wins
        return [unique[spec_id] for spec_id in sorted(unique)]


def precedence_key(spec: ScheduleSpec, rank: int) -> tuple[bool, int, int, int, float, int]:
    """Sort key of the precedence rule (the smallest wins); see the module docstring."""
    return (
        spec.is_default,
        -spec.bulletin_priority.rank,
        -spec.priority,
        rank,
        -spec.updated_at.timestamp(),
        -spec.id,
    )


# --- recurrence ----------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _weekday_days(weekdays: frozenset[int], first: date, last: date) -> tuple[date, ...]:
    # Plain date arithmetic over the few days asked for: a dateutil rrule gave the same days at
    # several times the cost (half of a cold composition, measured with cProfile). Keyed by
    # weekdays alone, so schedules with the same days (every day, Monday-Friday) share one answer.
    span = (last - first).days + 1
    days = (first + timedelta(days=n) for n in range(max(span, 0)))
    return tuple(day for day in days if not weekdays or day.weekday() in weekdays)


def _occurrence_days(
    weekdays: frozenset[int], start_date: date | None, end_date: date | None, first: date, last: date
) -> tuple[date, ...]:
    days = _weekday_days(weekdays, first, last)
    if start_date is None and end_date is None:
        return days
    lo, hi = start_date or date.min, end_date or date.max
    return tuple(day for day in days if lo <= day <= hi)


def _day_window(day: date, start: time | None, end: time | None, zone: ZoneInfo) -> Interval:
    opens = start or time()
    if end is None:
        closes_day, closes = day + _ONE_DAY, time()
    elif end <= opens:  # overnight: belongs to the day it starts
        closes_day, closes = day + _ONE_DAY, end
    else:
        closes_day, closes = day, end
    return (
        datetime.combine(day, opens, tzinfo=zone).astimezone(UTC),
        datetime.combine(closes_day, closes, tzinfo=zone).astimezone(UTC),
    )


@lru_cache(maxsize=16384)
def window_intervals(recurrence: Recurrence, timezone: str, first: date, last: date) -> tuple[Interval, ...]:
    """The open windows of occurrence days ``first``..``last`` (local), in UTC, merged where they
    touch (an all-day schedule on consecutive days is one interval)."""
    weekdays, daily_start, daily_end, start_date, end_date = recurrence
    zone = ZoneInfo(timezone)
    merged: list[Interval] = []
    for day in _occurrence_days(weekdays, start_date, end_date, first, last):
        opens, closes = _day_window(day, daily_start, daily_end, zone)
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(closes, merged[-1][1]))
        else:
            merged.append((opens, closes))
    return tuple(merged)


def clear_caches() -> None:
    """Forget the recurrence caches (a benchmark's cold start)."""
    window_intervals.cache_clear()
    _weekday_days.cache_clear()


def merge_intervals(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, non-empty, with touching or overlapping intervals joined."""
    merged: list[Interval] = []
    for opens, closes in sorted(i for i in intervals if i[0] < i[1]):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(closes, merged[-1][1]))
        else:
            merged.append((opens, closes))
    return tuple(merged)


def intersect(left: Sequence[Interval], right: Sequence[Interval]) -> tuple[Interval, ...]:
    """The instants in both (each side sorted and disjoint, as ``merge_intervals`` gives)."""
    found: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        opens, closes = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if opens < closes:
            found.append((opens, closes))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return tuple(found)


def playing_intervals(
    spec: ScheduleSpec, timezone: str, first: date, last: date, content: ContentMap | None = None
) -> tuple[Interval, ...]:
    """``window_intervals`` of occurrence days ``first``..``last``, less the times in which the
    schedule has nothing to play (``content``)."""
    windows = window_intervals(spec.recurrence, timezone, first, last)
    if content is None or spec.id not in content:
        return windows
    return intersect(windows, content[spec.id])


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def is_open(spec: ScheduleSpec, timezone: str, now: datetime, content: ContentMap | None = None) -> bool:
    """Whether ``spec``'s window is open at ``now`` (and, with ``content``, it has something to play)."""
    day = now.astimezone(ZoneInfo(timezone)).date()
    # Yesterday's occurrence may still be open (overnight window).
    intervals = playing_intervals(spec, timezone, day - _ONE_DAY, day, content)
    return any(opens <= now < closes for opens, closes in intervals)


def _boundaries_in(spec: ScheduleSpec, timezone: str, first: date, last: date) -> list[datetime]:
    """Instants in [midnight of ``first``, midnight after ``last``) where the spec opens or closes.
    Windows of the day before ``first`` are included so overnight windows are seen whole."""
    zone = ZoneInfo(timezone)
    lo, hi = _local_midnight(first, zone), _local_midnight(last + _ONE_DAY, zone)
    found: list[datetime] = []
    for opens, closes in window_intervals(spec.recurrence, timezone, first - _ONE_DAY, last):
        found.extend(moment for moment in (opens, closes) if lo <= moment < hi)
    return found


def next_boundary(spec: ScheduleSpec, timezone: str, now: datetime) -> datetime | None:
    """The first instant after ``now`` at which ``spec`` opens or closes (within the look-ahead)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    # A week first (the common case, cheap), then the rest of the look-ahead in one block.
    blocks = ((today, today + timedelta(days=7)),
              (today + timedelta(days=8), today + timedelta(days=NEXT_CHANGE_LOOKAHEAD_DAYS)))
    for first, last in blocks:
        if spec.start_date is not None and spec.start_date > first:
            first = min(spec.start_date, last)
        later = [moment for moment in _boundaries_in(spec, timezone, first, last) if moment > now]
        if later:
            return min(later)
    return None


# --- resolution ----------------------------------------------------------------------------------


def winner_of(candidates: Iterable[Applicable]) -> ScheduleSpec | None:
    best = min(candidates, key=lambda pair: precedence_key(*pair), default=None)
    return best[0] if best is not None else None


def resolve(
    specs: Iterable[ScheduleSpec], board: BoardContext, now: datetime, content: ContentMap | None = None
) -> Resolution:
    """What ``board`` plays at ``now`` and the next instant the answer may change."""
    _require_aware(now, "now")
    now = now.astimezone(UTC)
    candidates = applicable(specs, board)
    open_now = [(spec, rank) for spec, rank in candidates if is_open(spec, board.timezone, now, content)]
    changes = [b for spec, _ in candidates if (b := next_boundary(spec, board.timezone, now)) is not None]
    for spec, _ in candidates:  # content starting or ending changes the answer too
        windows = (content or {}).get(spec.id, ())
        changes.extend(edge for window in windows for edge in window if now < edge < ALWAYS[1])
    return Resolution(winner_of(open_now), min(changes, default=None))


def timeline(
    specs: Iterable[ScheduleSpec],
    board: BoardContext,
    start: datetime,
    end: datetime,
    content: ContentMap | None = None,
) -> list[Segment]:
    """Consecutive segments covering [start, end): what resolve() answers at every instant, with
    adjacent segments of the same winner merged."""
    return timeline_for(applicable(specs, board), board.timezone, start, end, content)


def timeline_for(
    candidates: Sequence[Applicable],
    timezone: str,
    start: datetime,
    end: datetime,
    content: ContentMap | None = None,
) -> list[Segment]:
    """``timeline`` for specs already filtered for one board. Rather than calling resolve() at each
    change (quadratic), it sweeps the same window intervals once with the same precedence key."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return []
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone).date() - _ONE_DAY
    last = end.astimezone(zone).date()
    events: dict[datetime, list[tuple[int, bool]]] = {start: [], end: []}
    for index, (spec, _) in enumerate(candidates):
        for opens, closes in playing_intervals(spec, timezone, first, last, content):
            if closes <= start or opens >= end:
                continue
            events.setdefault(max(opens, start), []).append((index, True))
            events.setdefault(min(closes, end), []).append((index, False))
    return _sweep(candidates, events)


def _sweep(candidates: Sequence[Applicable], events: dict[datetime, list[tuple[int, bool]]]) -> list[Segment]:
    keys = [precedence_key(spec, rank) for spec, rank in candidates]
    active: set[int] = set()
    best_first: list[tuple[tuple[bool, int, int, int, float, int], int]] = []  # heap, lazily pruned
    segments: list[Segment] = []
    instants = sorted(events)
    opened_at, playing = instants[0], _NOT_YET
    for moment in instants[:-1]:
        for index, opening in events[moment]:
            if opening:
                active.add(index)
                heappush(best_first, (keys[index], index))
            else:
                active.discard(index)
        while best_first and best_first[0][1] not in active:
            heappop(best_first)
        spec = candidates[best_first[0][1]][0] if best_first else None
        if spec is not playing:
            if playing is not _NOT_YET:
                segments.append(Segment(opened_at, moment, playing))
            opened_at, playing = moment, spec
    if playing is not _NOT_YET:
        segments.append(Segment(opened_at, instants[-1], playing))
    return segments
