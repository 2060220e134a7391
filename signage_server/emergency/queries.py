"""Read-only questions about emergency overrides, for pages that only show them (the overview).

Visibility is the override API's rule: those issued in the reader's scope, above it (a province's
warning over a commune's boards) or nationwide (CAP). An override past its expiry is not active
here even before the composer's sweep marks it expired.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, or_, select

from signage_server.core.auth import scope_unit_ids
from signage_server.emergency.schemas import OverridePublic
from signage_server.models import Override, OverrideState, User
from signage_server.units.service import ancestor_ids


def active_overrides(session: Session, *, actor: User, now: datetime) -> list[OverridePublic]:
    """Overrides on air that concern the reader's area, newest first."""
    units = set(scope_unit_ids(session, actor)) | set(ancestor_ids(session, actor.unit_id))
    query = select(Override).where(
        or_(col(Override.unit_id).in_(units), col(Override.unit_id).is_(None)),
        Override.state == OverrideState.ACTIVE,
        col(Override.expires_at) > now,
    )
    return [OverridePublic.of(r) for r in session.exec(query.order_by(col(Override.id).desc())).all()]
