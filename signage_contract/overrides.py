"""Which emergency override a board shows: one pure rule, used by the server and by the player
(which applies it offline, with its own clock, to the overrides it has stored).

Precedence among the overrides active at ``now``: the highest risk level wins; among equal levels,
the most recently issued; then the latest start; then the id, so every board picks the same one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .manifest import EmergencyOverride


def precedence_key(override: EmergencyOverride) -> tuple[int, datetime, datetime, str]:
    """Larger wins (see the module docstring)."""
    return (override.risk_level, override.issued_at, override.starts_at, override.id)


def winning_override(overrides: Iterable[EmergencyOverride], now: datetime) -> EmergencyOverride | None:
    """The override to show at ``now`` (aware), or None when none is active."""
    active = [o for o in overrides if o.active_at(now)]
    return max(active, key=precedence_key, default=None)


def next_change_at(overrides: Iterable[EmergencyOverride], now: datetime) -> datetime | None:
    """The next instant after ``now`` at which an override starts or expires (when to look again)."""
    upcoming = [t for o in overrides for t in (o.starts_at, o.expires_at) if t > now]
    return min(upcoming, default=None)
