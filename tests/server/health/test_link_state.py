"""Online/offline debounce and the flap hold-down (pure state machine)."""

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from signage_server.health.link_state import LinkEventKind, LinkState, change, overdue, settle

T0 = datetime(2026, 3, 10, 8, tzinfo=UTC)
HOLD = timedelta(minutes=10)
OFF, ON = LinkEventKind.OFFLINE, LinkEventKind.BACK_ONLINE


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


def fresh() -> LinkState:
    return LinkState(online=True, changed_at=T0, reported_online=True, reported_at=None)


def run(steps: list[tuple[str, float]]) -> list[tuple[LinkEventKind, float, int]]:
    """Apply ("off"|"on"|"settle", minute) steps; return recorded events as (kind, minute, flaps)."""
    state, recorded = fresh(), []
    for what, m in steps:
        if what == "settle":
            state, event = settle(state, minutes(m), HOLD)
        else:
            state, event = change(state, what == "on", minutes(m), HOLD)
        if event is not None:
            recorded.append((event.kind, (event.at - T0).total_seconds() / 60, event.flaps))
    return recorded


@pytest.mark.parametrize(
    ("name", "steps", "expected"),
    [
        ("first outage is recorded", [("off", 1)], [(OFF, 1, 0)]),
        ("outage and return far apart", [("off", 1), ("on", 30)], [(OFF, 1, 0), (ON, 30, 0)]),
        ("same state twice is no transition", [("off", 1), ("off", 2)], [(OFF, 1, 0)]),
        ("quick return is held", [("off", 1), ("on", 3)], [(OFF, 1, 0)]),
        ("held return is settled after the hold-down, dated when it happened",
         [("off", 1), ("on", 3), ("settle", 5), ("settle", 11)], [(OFF, 1, 0), (ON, 3, 0)]),
        ("a flapping link gives two events, flaps counted",
         [("off", 1), ("on", 2), ("off", 3), ("on", 4), ("off", 5), ("on", 6), ("settle", 11)],
         [(OFF, 1, 0), (ON, 6, 4)]),
        ("flaps ending where they began are carried to the next event",
         [("off", 1), ("on", 2), ("off", 3), ("settle", 20), ("on", 40)], [(OFF, 1, 0), (ON, 40, 2)]),
        ("a transition after the hold-down is recorded at once", [("off", 1), ("on", 12)],
         [(OFF, 1, 0), (ON, 12, 0)]),
    ],
)
def test_recorded_events(name, steps, expected) -> None:
    assert run(steps) == expected, name


def test_overdue_after_three_missed_heartbeats() -> None:
    offline_after = timedelta(seconds=90)
    assert not overdue(T0, T0 + timedelta(seconds=90), offline_after)
    assert overdue(T0, T0 + timedelta(seconds=91), offline_after)


def test_random_flapping_never_floods_and_ends_truthful() -> None:
    """Whatever the flapping, recorded events are >= hold-down apart and, once the link stays put,
    the last recorded event tells the real state."""
    rng = random.Random(5)
    state, record_times, t = fresh(), [], T0
    for _ in range(500):
        t += timedelta(seconds=rng.randrange(5, 400))
        state, event = change(state, rng.random() < 0.5, t, HOLD)
        if event is None:
            state, event = settle(state, t, HOLD)
        if event is not None:
            record_times.append(t)
    state, last = settle(state, t + HOLD, HOLD)
    if last is not None:
        record_times.append(t + HOLD)
    gaps = [b - a for a, b in itertools.pairwise(record_times)]
    assert gaps and min(gaps) >= HOLD
    assert state.reported_online == state.online
