"""Power and brightness schedules: when a board's screen is off, and how bright it is otherwise.

A schedule is a board's (or inherited from its unit; the server resolves which) and travels in the
manifest (``Manifest.power``), so the player applies it offline with its own clock. Times of day
are the board's local wall-clock time; a window whose ``end`` is not after its ``start`` runs past
midnight (22:00-05:30 is the night), and ``days`` names the weekdays (0 Monday .. 6 Sunday, as
schedules name them) on which a window *starts*. The rule (pure; the player's screen and the
server's uptime both use it):

* the screen is off while any ``off`` window is open;
* otherwise its brightness is the lowest ``level`` of the open ``dim`` windows, 100 % when none is;
* an emergency override wakes the screen at 100 % whatever the schedule says (the player applies
  that; ``screen_state`` below takes the fact as an argument).

A player that predates ``Manifest.power`` ignores the field (unknown fields are ignored) and keeps
the screen on at full brightness, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

FULL_BRIGHTNESS = 100
MAX_WINDOWS = 16
ALL_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
Weekday = Annotated[int, Field(ge=0, le=6)]
Level = Annotated[int, Field(ge=1, le=100)]
_LOOK_AHEAD_DAYS = 8  # every window repeats within a week


class WireModel(BaseModel):
    """As ``manifest.WireModel`` (frozen, tolerant of newer fields); here since the manifest imports
    this module."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class DailyWindow(WireModel):
    """From ``start`` to ``end`` local time on each of ``days`` (ends the next day if ``end <= start``)."""

    start: time
    end: time
    days: Annotated[list[Weekday], Field(min_length=1, max_length=7)] = list(ALL_DAYS)

    @model_validator(mode="after")
    def _sane(self) -> DailyWindow:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("window times are the board's local wall-clock times, without an offset")
        if self.start == self.end:
            raise ValueError("a window must not start and end at the same time")
        if len(set(self.days)) != len(self.days):
            raise ValueError("a window names each weekday at most once")
        return self

    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def occurrences(self, first: date, last: date, zone: tzinfo) -> list[tuple[datetime, datetime]]:
        """The window's [start, end) instants (aware, in ``zone``) for the start days first..last."""
        spans = []
        day = first
        while day <= last:
            if day.weekday() in self.days:
                begin = datetime.combine(day, self.start, zone)
                end_day = day + timedelta(days=1) if self.crosses_midnight() else day
                spans.append((begin, datetime.combine(end_day, self.end, zone)))
            day += timedelta(days=1)
        return spans


class DimWindow(DailyWindow):
    level: Level  # percent of full brightness


class PowerSchedule(WireModel):
    """A board's screen-off windows and brightness windows (empty lists: always on at 100 %)."""

    off: Annotated[list[DailyWindow], Field(max_length=MAX_WINDOWS)] = []
    dim: Annotated[list[DimWindow], Field(max_length=MAX_WINDOWS)] = []

    def is_empty(self) -> bool:
        return not self.off and not self.dim


@dataclass(frozen=True)
class ScreenPlan:
    """What the schedule asks at an instant, and when to look again."""

    on: bool
    brightness: int  # percent; meaningful while on
    next_change_at: datetime


def _open(windows: list[DailyWindow] | list[DimWindow], now: datetime, zone: tzinfo) -> list[DailyWindow]:
    today = now.astimezone(zone).date()
    return [w for w in windows for s, e in w.occurrences(today - timedelta(days=1), today, zone)
            if s <= now < e]


def screen_plan(schedule: PowerSchedule | None, now: datetime, zone: tzinfo) -> ScreenPlan:
    """The screen at ``now`` (aware) by ``schedule`` in the board's ``zone`` (None: always on)."""
    if schedule is None or schedule.is_empty():
        return ScreenPlan(True, FULL_BRIGHTNESS, now + timedelta(days=1))
    off = bool(_open(schedule.off, now, zone))
    dims = [w.level for w in _open(schedule.dim, now, zone) if isinstance(w, DimWindow)]
    today = now.astimezone(zone).date()
    boundaries = [
        edge
        for w in (*schedule.off, *schedule.dim)
        for span in w.occurrences(today - timedelta(days=1), today + timedelta(days=_LOOK_AHEAD_DAYS), zone)
        for edge in span
        if edge > now
    ]
    following = min(boundaries, default=now + timedelta(days=1))
    return ScreenPlan(not off, min(dims, default=FULL_BRIGHTNESS), following)


def off_spans(schedule: PowerSchedule | None, start: datetime, end: datetime,
              zone: tzinfo) -> list[tuple[datetime, datetime]]:
    """The scheduled screen-off time within [start, end), as merged, ordered spans."""
    if schedule is None or not schedule.off or end <= start:
        return []
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    raw = sorted(
        (max(s, start), min(e, end))
        for w in schedule.off
        for s, e in w.occurrences(first, last, zone)
        if e > start and s < end
    )
    merged: list[tuple[datetime, datetime]] = []
    for s, e in raw:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
