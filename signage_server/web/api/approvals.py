"""The approval queue (what awaits the caller's decision, across content kinds) and the per-unit
workflow settings (trusted editors auto-approve; off by default, set by admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlmodel import Session, col, select

from signage_server.core import audit
from signage_server.core.auth import ensure_in_scope, not_found, scope_unit_ids
from signage_server.models import (
    AdminUnit,
    Bulletin,
    ContentMixin,
    ContentState,
    Media,
    Playlist,
    Schedule,
    UnitSettings,
    User,
    utcnow,
)
from signage_server.schemas import Strict
from signage_server.web.deps import AdminUser, CurrentUser, ReviewerUser, SessionDep

router = APIRouter(tags=["approvals"])
Kind = Literal["media", "bulletin", "playlist", "schedule"]


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
    models: tuple[tuple[Kind, type[Media | Bulletin | Playlist | Schedule]], ...] = (
        ("media", Media), ("bulletin", Bulletin), ("playlist", Playlist), ("schedule", Schedule),
    )
    for kind, model in models:
        rows = session.exec(
            select(model).where(col(model.unit_id).in_(units), model.state == state).order_by(col(model.id))
        ).all()
        found += [
            ApprovalEntry.model_validate({**row.model_dump(), "kind": kind, "title": _title(row)})
            for row in rows
        ]
    return found


@router.get("/approvals", response_model=list[ApprovalEntry])
def approval_queue(
    session: SessionDep, user: ReviewerUser, state: ContentState = ContentState.SUBMITTED
) -> list[ApprovalEntry]:
    """Content in the caller's scope in ``state`` (default: submitted, i.e. awaiting a decision),
    oldest submission first. For ``submitted``, the caller's own submissions are left out: under
    the four-eyes rule someone else decides on them."""
    entries = _entries(session, scope_unit_ids(session, user), state)
    if state == ContentState.SUBMITTED:
        entries = [e for e in entries if e.submitted_by != user.id]
    return sorted(entries, key=lambda e: (e.submitted_at or e.updated_at, e.kind, e.id))


def _settings(session: Session, user: User, unit_id: int) -> UnitSettings:
    if session.get(AdminUnit, unit_id) is None:
        raise not_found("unit", unit_id)
    ensure_in_scope(session, user, unit_id)
    return session.get(UnitSettings, unit_id) or UnitSettings(unit_id=unit_id)


@router.get("/units/{unit_id}/approval-settings", response_model=UnitSettingsPublic, tags=["units"])
def get_unit_settings(session: SessionDep, user: CurrentUser, unit_id: int) -> UnitSettingsPublic:
    return UnitSettingsPublic.model_validate(_settings(session, user, unit_id), from_attributes=True)


@router.put("/units/{unit_id}/approval-settings", response_model=UnitSettingsPublic, tags=["units"])
def set_unit_settings(
    request: Request, session: SessionDep, admin: AdminUser, unit_id: int, body: UnitSettingsUpdate
) -> UnitSettingsPublic:
    row = _settings(session, admin, unit_id)
    before = {"trusted_editors_auto_approve": row.trusted_editors_auto_approve}
    row.trusted_editors_auto_approve = body.trusted_editors_auto_approve
    row.updated_by, row.updated_at = admin.id, utcnow()
    session.add(row)
    audit.record_by(session, request, admin, "update", "unit_settings", unit_id, unit_id=unit_id,
                    before=before, after=body.model_dump())
    session.commit()
    return UnitSettingsPublic.model_validate(row, from_attributes=True)
