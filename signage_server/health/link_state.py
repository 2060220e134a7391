"""A board's online/offline state with a debounce and a flap hold-down (pure; no I/O).

Debounce: a board goes offline when no heartbeat arrived for ``offline_after`` (three intervals by
default); the offline instant is ``last heartbeat + offline_after``, whenever the sweeper notices.
The next heartbeat brings it back online at once.

Hold-down (so a flapping link does not flood the event list or the webhook): a transition is
recorded as an event only when at least ``hold_down`` has passed since the board's previous
recorded event. Transitions inside the window are held: counted in ``held_flaps``, not recorded.
When the window has passed and the state differs from the last recorded one, ``settle`` records
the current state, dated when it really began, with the number of transitions it coalesced.
Consequences: a board's recorded events are at least ``hold_down`` apart (in recording time), and
once a board's link stays put for ``hold_down``, its last recorded event tells its real state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class LinkEventKind(StrEnum):
    OFFLINE = "offline"
    BACK_ONLINE = "back_online"


@dataclass(frozen=True)
class LinkEvent:
    kind: LinkEventKind
    at: datetime
    flaps: int  # held transitions coalesced into this event


@dataclass(frozen=True)
class LinkState:
    online: bool
    changed_at: datetime
    reported_online: bool
    reported_at: datetime | None  # when the last event was recorded; None: never
    held_flaps: int = 0


def _kind(online: bool) -> LinkEventKind:
    return LinkEventKind.BACK_ONLINE if online else LinkEventKind.OFFLINE


def _window_open(state: LinkState, now: datetime, hold_down: timedelta) -> bool:
    return state.reported_at is None or now - state.reported_at >= hold_down


def change(
    state: LinkState, online: bool, at: datetime, hold_down: timedelta
) -> tuple[LinkState, LinkEvent | None]:
    """Apply a debounced transition to ``online`` at ``at``; returns the new state and the event
    to record (None when nothing changed or the transition is held)."""
    if state.online == online:
        return state, None
    moved = replace(state, online=online, changed_at=at)
    if online != state.reported_online and _window_open(state, at, hold_down):
        event = LinkEvent(_kind(online), at, state.held_flaps)
        return replace(moved, reported_online=online, reported_at=at, held_flaps=0), event
    return replace(moved, held_flaps=state.held_flaps + 1), None


def settle(state: LinkState, now: datetime, hold_down: timedelta) -> tuple[LinkState, LinkEvent | None]:
    """After the hold-down, record the current state if it differs from the last recorded one."""
    if state.online == state.reported_online or not _window_open(state, now, hold_down):
        return state, None
    event = LinkEvent(_kind(state.online), state.changed_at, max(0, state.held_flaps - 1))
    return replace(state, reported_online=state.online, reported_at=now, held_flaps=0), event


def overdue(last_seen: datetime, now: datetime, offline_after: timedelta) -> bool:
    """Whether a board last heard from at ``last_seen`` counts as offline at ``now``."""
    return now - last_seen > offline_after
