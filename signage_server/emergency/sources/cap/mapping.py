"""Map a parsed CAP alert to the fields of an emergency override (pure; ``now`` is passed in).

Risk levels (Decision 18/2021/QĐ-TTg, levels 1..5: light blue, light yellow, orange, red, purple).
The decision grades each hazard by its own measures (wind force, rainfall, water level); CAP carries
none of them, only severity, urgency and certainty, so the level is derived from severity, the
closest analogue, unless the sender states the level itself:

======== ========================= =====
severity urgency                   level
======== ========================= =====
Extreme  Immediate                 5
Extreme  any other                 4
Severe   any                       3
Moderate any                       2
Minor    any                       1
Unknown  any                       3 (an unknown danger is shown as orange, not played down)
======== ========================= =====

certainty ``Unlikely`` (p <= ~10 %) lowers the level by one, never below 1; the other certainties
leave it as is. A sender that knows the official level says so with a ``<parameter>`` (or
``<eventCode>``) whose valueName is ``riskLevel`` and whose value is 1..5; that wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from signage_contract import Category
from signage_server.emergency.sources.cap.model import CapAlert, CapExpired, CapInfo, CapRejected

RISK_LEVEL_VALUE_NAME = "riskLevel"
_SEVERITY_LEVEL: dict[str, int] = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1, "Unknown": 3}
_TAKES_OVER: frozenset[str] = frozenset({"Alert", "Update"})


@dataclass(frozen=True)
class OverrideDraft:
    """What an alert puts on the boards; times in UTC."""

    title: str
    body: str
    risk_level: int
    category: Category
    starts_at: datetime
    expires_at: datetime
    language: str


def risk_level(severity: str, urgency: str, certainty: str) -> int:
    """The Decision 18/2021 level (1..5) for CAP severity, urgency and certainty (table above)."""
    level = _SEVERITY_LEVEL.get(severity, _SEVERITY_LEVEL["Unknown"])
    if severity == "Extreme" and urgency == "Immediate":
        level = 5
    if certainty == "Unlikely":
        level -= 1
    return max(1, level)


def stated_risk_level(info: CapInfo) -> int | None:
    """The level the sender states under valueName ``riskLevel`` (parameters first), if any."""
    for name, value in (*info.parameters, *info.event_codes):
        if name.casefold() != RISK_LEVEL_VALUE_NAME.casefold():
            continue
        if value not in {"1", "2", "3", "4", "5"}:
            raise CapRejected(f"{RISK_LEVEL_VALUE_NAME} must be 1, 2, 3, 4 or 5, not {value!r}")
        return int(value)
    return None


def info_risk_level(info: CapInfo) -> int:
    stated = stated_risk_level(info)
    return stated if stated is not None else risk_level(info.severity, info.urgency, info.certainty)


def override_fields(alert: CapAlert, now: datetime) -> OverrideDraft:
    """The override an Alert or Update asks for, or ``CapRejected`` saying why it takes over nothing.

    Only ``Actual`` + ``Public`` messages reach public boards: Exercise/Test/System/Draft and
    Restricted/Private messages are not for the public. ``expires`` is required and must be after
    ``now``. The override starts at ``effective`` (else ``sent``), not at ``onset``: a warning is
    shown before the storm arrives, not when it does.
    """
    if alert.msg_type not in _TAKES_OVER:
        raise CapRejected(f"a CAP {alert.msg_type} carries no override; only Alert and Update do")
    if alert.status != "Actual":
        raise CapRejected(f"status {alert.status}: only Actual alerts are shown on public boards")
    if alert.scope != "Public":
        raise CapRejected(f"scope {alert.scope}: only Public alerts are shown on public boards")
    info = alert.info
    if info is None:
        raise CapRejected(f"a CAP {alert.msg_type} must carry at least one <info> block; this one has none")
    if info.expires is None:
        raise CapRejected("<expires> is missing: an alert without an expiry cannot take over boards")
    expires_at = info.expires.astimezone(UTC)
    if expires_at <= now:
        raise CapExpired(f"expired alerts are ignored: this one expired at {info.expires.isoformat()}")
    starts_at = (info.effective or alert.sent).astimezone(UTC)
    if starts_at >= expires_at:
        raise CapRejected("<expires> is not after <effective> (or <sent>)")
    return OverrideDraft(
        title=info.headline or info.event,
        body="\n\n".join(part for part in (info.description, info.instruction) if part),
        risk_level=info_risk_level(info),
        # Every CAP category (Met, Geo, Safety, Fire, Health, ...) is an incident or emergency in
        # the terms of Decree 49/2024/NĐ-CP.
        category=Category.INCIDENTS,
        starts_at=starts_at,
        expires_at=expires_at,
        language=info.language,
    )
