"""Uptime from heartbeats: the coverage rule and per-day percentages (Asia/Ho_Chi_Minh days)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from signage_contract.power import DailyWindow, PowerSchedule
from signage_server.health.uptime import (
    LOCAL_ZONE,
    Span,
    coverage_for,
    covered,
    daily_uptime,
    overall_percent,
    spans_from_beats,
)

COVER = coverage_for(30)  # 45 s
DAY = date(2026, 3, 10)
MIDNIGHT = datetime(2026, 3, 10, tzinfo=LOCAL_ZONE)  # 2026-03-09 17:00 UTC
NOW = MIDNIGHT + timedelta(days=5)


def at(seconds: float) -> datetime:
    return MIDNIGHT + timedelta(seconds=seconds)


def every(start_s: float, end_s: float, step_s: float = 30) -> list[datetime]:
    beats, t = [], start_s
    while t < end_s:
        beats.append(at(t))
        t += step_s
    return beats


@pytest.mark.parametrize(
    ("beats", "expected"),
    [
        ([], []),
        ([at(0)], [Span(at(0), at(45))]),
        ([at(0), at(30), at(60)], [Span(at(0), at(105))]),
        ([at(0), at(45)], [Span(at(0), at(90))]),  # exactly 1.5 intervals apart: still one span
        ([at(0), at(46)], [Span(at(0), at(45)), Span(at(46), at(91))]),
        ([at(60), at(0), at(30)], [Span(at(0), at(105))]),  # order of arrival does not matter
        ([at(0), at(0)], [Span(at(0), at(45))]),
    ],
)
def test_heartbeats_become_spans(beats, expected) -> None:
    assert spans_from_beats(beats, COVER) == expected


@pytest.mark.parametrize(
    ("name", "beats", "percent"),
    [
        ("steady all day", every(-30, 86_400), 100.0),
        ("nothing seen", [], 0.0),
        ("a late heartbeat costs nothing", [*every(-30, 40_000), at(40_033), *every(40_050, 86_400)], 100.0),
        # Down from 43,200 to 50,400 (2 h): the last beat at 43,170 covers up to 43,215.
        ("two hours missing", every(-30, 43_200) + every(50_400, 86_400), 100 * (86_400 - 7_185) / 86_400),
        ("only the morning", every(0, 21_600), 100 * 21_615 / 86_400),
        ("one heartbeat", [at(3_600)], 100 * 45 / 86_400),
        ("seen until just before midnight", every(-3_600, 0), 100 * 15 / 86_400),
    ],
)
def test_uptime_of_one_day(name, beats, percent) -> None:
    [day] = daily_uptime(spans_from_beats(beats, COVER), DAY, DAY, NOW)
    assert day.percent == pytest.approx(percent, abs=1e-3), name


def test_today_counts_only_the_time_elapsed() -> None:
    now = at(7_200)
    [day] = daily_uptime(spans_from_beats(every(-30, 7_200), COVER), DAY, DAY, now)
    assert day.observed_s == 7_200 and day.percent == 100.0


def test_a_board_created_mid_day_is_not_down_before_it_existed() -> None:
    spans = spans_from_beats(every(43_200, 86_400), COVER)
    [day] = daily_uptime(spans, DAY, DAY, NOW, since=at(43_200))
    assert day.percent == 100.0


def test_a_day_in_the_future_has_no_uptime() -> None:
    [day] = daily_uptime([], DAY, DAY, now=MIDNIGHT - timedelta(hours=1))
    assert day.percent is None and day.observed_s == 0


def test_days_are_local_days() -> None:
    """Seen 00:00-12:00 local on the 10th = 17:00-05:00 UTC: the whole span falls on the 10th."""
    spans = [Span(datetime(2026, 3, 9, 17, tzinfo=UTC), datetime(2026, 3, 10, 5, tzinfo=UTC))]
    first, second = daily_uptime(spans, DAY, DAY + timedelta(days=1), NOW)
    assert first.percent == 50.0 and second.percent == 0.0


def test_overlapping_spans_count_once() -> None:
    spans = [Span(at(0), at(100)), Span(at(50), at(150))]
    assert covered(spans, at(0), at(1_000)) == timedelta(seconds=150)


def test_overall_percent_weights_by_observed_time() -> None:
    days = daily_uptime([Span(at(0), at(86_400))], DAY, DAY + timedelta(days=1), NOW)
    assert overall_percent(days) == 50.0
    assert overall_percent([]) is None


NIGHT_OFF = PowerSchedule(off=[DailyWindow(start=time(22, 0), end=time(5, 30))])
H = 3600


@pytest.mark.parametrize(
    ("seen", "observed_h", "covered_h", "off_h"),
    [
        # seen only in the night: the day was down
        ([(0, 5.5 * H)], 16.5, 0.0, 7.5),
        # heartbeats stop at 22:00 and resume at 05:30 (display off): the day is whole
        ([(5.5 * H, 22 * H)], 16.5, 16.5, 7.5),
        # down 2 hours of the day: 2 h down; seen at night too: still not counted as observed
        ([(0, 24 * H)], 16.5, 16.5, 7.5),
        ([(5.5 * H, 10 * H), (12 * H, 22 * H)], 16.5, 14.5, 7.5),
    ],
)
def test_scheduled_off_hours_are_neither_observed_nor_down(seen, observed_h, covered_h, off_h) -> None:
    spans = [Span(at(a), at(b)) for a, b in seen]
    (day,) = daily_uptime(spans, DAY, DAY, NOW, power=NIGHT_OFF)
    assert (day.observed_s, day.covered_s, day.scheduled_off_s) == (observed_h * H, covered_h * H, off_h * H)


def test_scheduled_off_hours_clip_to_the_observed_window() -> None:
    seen = [Span(at(6 * H), at(9 * H))]
    (day,) = daily_uptime(seen, DAY, DAY, at(23 * H), since=at(6 * H), power=NIGHT_OFF)
    assert (day.observed_s, day.covered_s, day.scheduled_off_s) == (16 * H, 3 * H, 1 * H)
    assert day.percent == pytest.approx(100 * 3 / 16, abs=0.001)
