"""The approval queue (what awaits the caller's decision, across content kinds), decisions on any
kind by name, and the per-unit workflow settings (trusted editors auto-approve; off by default, set
by admins)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from signage_server.content import records
from signage_server.content.publications import parts_pending_together
from signage_server.content.records import KINDS, ContentRow, Kind
from signage_server.content.workflow import Actor, not_found, record, require_role
from signage_server.core.auth import in_scope, scope_unit_ids
from signage_server.core.changes import ChangeFeed
from signage_server.core.roles import ADMINS, REVIEWERS
from signage_server.models import AdminUnit, ContentMixin, ContentState, UnitSettings, User, utcnow
from signage_server.schemas import StateChange, Strict


class ApprovalEntry(BaseModel):
    kind: Kind
    id: int
    title: str
    unit_id: int
    state: ContentState
    rejection_reason: str
    created_by: int | None
    submitted_by: int | None
    submitted_at: datetime | None
    reviewed_by: int | None
    reviewed_at: datetime | None
    updated_at: datetime


class UnitSettingsPublic(BaseModel):
    unit_id: int
    trusted_editors_auto_approve: bool


class UnitSettingsUpdate(Strict):
    trusted_editors_auto_approve: bool


def _title(row: ContentMixin) -> str:
    for field in ("title", "name", "original_name"):
        value = getattr(row, field, "")
        if value:
            return str(value)
    return ""


def _entries(session: Session, units: list[int], state: ContentState) -> list[ApprovalEntry]:
    found: list[ApprovalEntry] = []
    for kind, model in KINDS.items():
        rows = session.exec(
            select(model).where(col(model.unit_id).in_(units), model.state == state).order_by(col(model.id))
        ).all()
        found += [
            ApprovalEntry.model_validate({**row.model_dump(), "kind": kind, "title": _title(row)})
            for row in rows
        ]
    return found


def approval_queue(
    session: Session, *, user: User, state: ContentState = ContentState.SUBMITTED
) -> list[ApprovalEntry]:
    """Content in the user's scope in ``state`` (default: submitted, i.e. awaiting a decision),
    oldest submission first. For ``submitted``, the user's own submissions are left out (under
    the four-eyes rule someone else decides on them), and so are the parts of a pending
    publication (``publications.submission_queue`` lists it whole)."""
    require_role(user, REVIEWERS)
    entries = _entries(session, scope_unit_ids(session, user), state)
    if state == ContentState.SUBMITTED:
        together = parts_pending_together(session)  # decided with their submission, at once
        entries = [e for e in entries if e.submitted_by != user.id and e.id not in together[e.kind]]
    return sorted(entries, key=lambda e: (e.submitted_at or e.updated_at, e.kind, e.id))


def decide(
    session: Session, *, actor: Actor, changes: ChangeFeed, kind: Kind, item_id: int, change: StateChange
) -> ContentRow:
    """A workflow move on content of any kind, named as the queue names it."""
    return records.change_state(session, actor=actor, changes=changes, model=KINDS[kind], item_id=item_id,
                                change=change)


def _settings(session: Session, user: User, unit_id: int) -> UnitSettings:
    if session.get(AdminUnit, unit_id) is None or not in_scope(session, user, unit_id):
        raise not_found("unit", unit_id)
    return session.get(UnitSettings, unit_id) or UnitSettings(unit_id=unit_id)


def get_unit_settings(session: Session, *, user: User, unit_id: int) -> UnitSettingsPublic:
    return UnitSettingsPublic.model_validate(_settings(session, user, unit_id), from_attributes=True)


def set_unit_settings(
    session: Session, *, actor: Actor, unit_id: int, update: UnitSettingsUpdate
) -> UnitSettingsPublic:
    """Let the unit's trusted editors auto-approve (or not); admins only."""
    require_role(actor.user, ADMINS)
    row = _settings(session, actor.user, unit_id)
    before = {"trusted_editors_auto_approve": row.trusted_editors_auto_approve}
    row.trusted_editors_auto_approve = update.trusted_editors_auto_approve
    row.updated_by, row.updated_at = actor.user.id, utcnow()
    session.add(row)
    record(session, actor, "update", "unit_settings", unit_id, unit_id=unit_id,
           before=before, after=update.model_dump())
    session.commit()
    return UnitSettingsPublic.model_validate(row, from_attributes=True)
