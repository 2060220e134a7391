"""The power and brightness rule (signage_contract/power.py) and its place in the manifest."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from signage_contract import LOCAL_ZONE, Manifest
from signage_contract.device import Heartbeat
from signage_contract.power import DailyWindow, DimWindow, PowerSchedule, off_spans, screen_plan

NIGHT = PowerSchedule(
    off=[DailyWindow(start=time(22, 0), end=time(5, 30))],
    dim=[DimWindow(start=time(19, 0), end=time(6, 0), level=30)],
)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_ZONE)  # 2026-11-30 is a Monday


@pytest.mark.parametrize(
    ("at", "on", "brightness", "next_change"),
    [
        (local(30, 12), True, 100, local(30, 19)),
        (local(30, 19), True, 30, local(30, 22)),
        (local(30, 21, 59), True, 30, local(30, 22)),
        (local(30, 22), False, 30, datetime(2026, 12, 1, 5, 30, tzinfo=LOCAL_ZONE)),
        (local(30, 3), False, 30, local(30, 5, 30)),
        (local(30, 5, 30), True, 30, local(30, 6)),
        (local(30, 6), True, 100, local(30, 19)),
    ],
)
def test_night_off_and_dim(at: datetime, on: bool, brightness: int, next_change: datetime) -> None:
    plan = screen_plan(NIGHT, at, LOCAL_ZONE)
    assert (plan.on, plan.brightness, plan.next_change_at) == (on, brightness, next_change)


def test_days_of_week_name_the_day_a_window_starts() -> None:
    weekend = PowerSchedule(off=[DailyWindow(start=time(22, 0), end=time(7, 0), days=[5])])  # Sat night
    assert not screen_plan(weekend, datetime(2026, 12, 5, 23, tzinfo=LOCAL_ZONE), LOCAL_ZONE).on
    assert not screen_plan(weekend, datetime(2026, 12, 6, 6, tzinfo=LOCAL_ZONE), LOCAL_ZONE).on  # Sun 06:00
    assert screen_plan(weekend, datetime(2026, 12, 6, 23, tzinfo=LOCAL_ZONE), LOCAL_ZONE).on
    # Monday noon: next change is Saturday 22:00
    plan = screen_plan(weekend, local(30, 12), LOCAL_ZONE)
    assert plan.next_change_at == datetime(2026, 12, 5, 22, tzinfo=LOCAL_ZONE)


def test_no_schedule_is_always_on() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    for schedule in (None, PowerSchedule()):
        plan = screen_plan(schedule, now, LOCAL_ZONE)
        assert plan.on and plan.brightness == 100 and plan.next_change_at > now


def test_lowest_open_dim_level_wins() -> None:
    schedule = PowerSchedule(dim=[DimWindow(start=time(18), end=time(23), level=60),
                                  DimWindow(start=time(20), end=time(22), level=20)])
    assert screen_plan(schedule, local(30, 21), LOCAL_ZONE).brightness == 20
    assert screen_plan(schedule, local(30, 22, 30), LOCAL_ZONE).brightness == 60


def test_off_spans_merge_and_clip() -> None:
    day_start, day_end = local(30, 0), local(30, 0) + timedelta(days=1)
    spans = off_spans(NIGHT, day_start, day_end, LOCAL_ZONE)
    assert spans == [(day_start, local(30, 5, 30)), (local(30, 22), day_end)]
    assert off_spans(None, day_start, day_end, LOCAL_ZONE) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"off": [{"start": "22:00", "end": "22:00"}]},
        {"off": [{"start": "22:00", "end": "05:00", "days": [7]}]},
        {"off": [{"start": "22:00", "end": "05:00", "days": [1, 1]}]},
        {"dim": [{"start": "19:00", "end": "06:00", "level": 0}]},
        {"dim": [{"start": "19:00", "end": "06:00", "level": 101}]},
        {"off": [{"start": "22:00+07:00", "end": "05:00"}]},
    ],
)
def test_bad_windows_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PowerSchedule.model_validate(bad)


def test_manifest_carries_power_and_an_older_manifest_has_none() -> None:
    base = {
        "board_id": "1", "generated_at": "2026-11-30T00:00:00Z", "valid_from": "2026-11-30T00:00:00Z",
        "valid_until": "2026-12-07T00:00:00Z", "layouts": [], "items": [], "timeline": [],
    }
    assert Manifest.model_validate(base).power is None
    with_power = Manifest.model_validate({**base, "power": NIGHT.model_dump(mode="json")})
    assert with_power.power == NIGHT
    text = with_power.model_dump_json()
    assert '"power":{"off":[{"start":"22:00:00","end":"05:30:00"' in text
    assert Manifest.model_validate_json(text) == with_power


def test_heartbeat_reports_screen_state_and_brightness() -> None:
    beat = Heartbeat(sent_at=datetime(2026, 11, 30, tzinfo=UTC), screen_state="off", brightness=30)
    assert Heartbeat.model_validate_json(beat.model_dump_json()).brightness == 30
    assert Heartbeat.model_validate({"sent_at": "2026-11-30T00:00:00Z"}).brightness is None
