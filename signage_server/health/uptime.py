"""Uptime from what the server actually saw: heartbeats turned into covered time spans.

Definition (pure, tested by table in ``tests/server/health/test_uptime.py``):

* A heartbeat received at ``t`` covers ``[t, t + coverage)``, capped by the next heartbeat, where
  ``coverage = 1.5 x heartbeat interval``: one late heartbeat costs nothing, a missed one costs
  the gap beyond the 1.5 intervals.
* Consecutive heartbeats at most ``coverage`` apart therefore form one unbroken span; the server
  stores spans ("seen from .. to") that extend while heartbeats keep coming, never the heartbeats.
* Uptime of a board on a local day (Asia/Ho_Chi_Minh) = covered time / observed time, where the
  observed window is the day clipped to ``[since, now)`` (``since``: when the board was created),
  so neither the future nor the time before a board existed counts as down. A day with no
  observed time has no uptime (``None``), not 0 % or 100 %.
* Scheduled off-hours (the board's power schedule, ``signage_contract.power``: the screen is off by
  plan) are neither observed nor down: they leave the observed window and are counted apart as
  ``scheduled_off_s``. The schedule that applies now is used for the whole range asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from signage_contract.power import PowerSchedule, off_spans
from signage_contract.timezone import LOCAL_ZONE

COVERAGE_FACTOR = 1.5


def coverage_for(interval_s: float) -> timedelta:
    return timedelta(seconds=interval_s * COVERAGE_FACTOR)


@dataclass(frozen=True)
class Span:
    """Seen from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: datetime
    end: datetime


def continues(last_beat: datetime, beat: datetime, coverage: timedelta) -> bool:
    """Whether ``beat`` extends the span whose last heartbeat was ``last_beat``."""
    return beat - last_beat <= coverage


def spans_from_beats(beats: Iterable[datetime], coverage: timedelta) -> list[Span]:
    """The covered spans of a sequence of heartbeat receipt times (any order)."""
    spans: list[Span] = []
    start: datetime | None = None
    last: datetime | None = None
    for beat in sorted(beats):
        if start is None or last is None:
            start = last = beat
        elif continues(last, beat, coverage):
            last = beat
        else:
            spans.append(Span(start, last + coverage))
            start = last = beat
    if start is not None and last is not None:
        spans.append(Span(start, last + coverage))
    return spans


def covered(spans: Iterable[Span], start: datetime, end: datetime) -> timedelta:
    """Time within ``[start, end)`` covered by at least one span (overlaps counted once)."""
    total = timedelta(0)
    cursor = start
    for span in sorted(spans, key=lambda s: s.start):
        lo, hi = max(span.start, cursor), min(span.end, end)
        if hi > lo:
            total += hi - lo
            cursor = hi
    return total


@dataclass(frozen=True)
class DayUptime:
    day: date  # local date
    observed_s: float
    covered_s: float
    scheduled_off_s: float = 0.0  # the screen was off by its power schedule: not observed, not down

    @property
    def percent(self) -> float | None:
        return None if self.observed_s <= 0 else round(100.0 * self.covered_s / self.observed_s, 3)


def local_day_bounds(day: date, tz: tzinfo = LOCAL_ZONE) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return start, start + timedelta(days=1)  # Vietnam keeps no daylight saving: days are 24 h


def daily_uptime(
    spans: Sequence[Span],
    first_day: date,
    last_day: date,
    now: datetime,
    since: datetime | None = None,
    tz: tzinfo = LOCAL_ZONE,
    power: PowerSchedule | None = None,
) -> list[DayUptime]:
    """Uptime per local day from ``first_day`` to ``last_day`` (inclusive); the off-hours of
    ``power`` count as scheduled, not as down."""
    days: list[DayUptime] = []
    day = first_day
    while day <= last_day:
        day_start, day_end = local_day_bounds(day, tz)
        lo = max(day_start, since) if since is not None else day_start
        hi = min(day_end, now)
        if hi > lo:
            days.append(_day(day, spans, lo, hi, off_spans(power, lo, hi, tz)))
        else:
            days.append(DayUptime(day, 0.0, 0.0))
        day += timedelta(days=1)
    return days


def _day(day: date, spans: Sequence[Span], lo: datetime, hi: datetime,
         off: Sequence[tuple[datetime, datetime]]) -> DayUptime:
    """[lo, hi) less the scheduled off-hours ``off`` (merged, ordered, inside [lo, hi))."""
    observed = covered_s = timedelta(0)
    cursor = lo
    for start, end in [*off, (hi, hi)]:
        if start > cursor:
            observed += start - cursor
            covered_s += covered(spans, cursor, start)
        cursor = max(cursor, end)
    off_s = sum(((e - s) for s, e in off), timedelta(0)).total_seconds()
    return DayUptime(day, observed.total_seconds(), covered_s.total_seconds(), off_s)


def overall_percent(days: Iterable[DayUptime]) -> float | None:
    """Covered over observed time across days (and boards), weighting each by what was observed."""
    observed = covered_s = 0.0
    for d in days:
        observed += d.observed_s
        covered_s += d.covered_s
    return None if observed <= 0 else round(100.0 * covered_s / observed, 3)
