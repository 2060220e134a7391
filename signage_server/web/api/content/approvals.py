"""The approval queue (what awaits the caller's decision, across content kinds) and the per-unit
workflow settings (trusted editors auto-approve; off by default, set by admins)."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.content import approvals as service
from signage_server.content.approvals import ApprovalEntry, UnitSettingsPublic, UnitSettingsUpdate
from signage_server.content.workflow import Actor
from signage_server.models import ContentState
from signage_server.web.deps import AdminUser, ClientIpDep, CurrentUser, ReviewerUser, SessionDep

router = APIRouter(tags=["approvals"])


@router.get("/approvals", response_model=list[ApprovalEntry])
def approval_queue(
    session: SessionDep, user: ReviewerUser, state: ContentState = ContentState.SUBMITTED
) -> list[ApprovalEntry]:
    """Content in the caller's scope in ``state`` (default: submitted, i.e. awaiting a decision),
    oldest submission first. For ``submitted``, the caller's own submissions are left out: under
    the four-eyes rule someone else decides on them."""
    return service.approval_queue(session, user=user, state=state)


@router.get("/units/{unit_id}/approval-settings", response_model=UnitSettingsPublic, tags=["units"])
def get_unit_settings(session: SessionDep, user: CurrentUser, unit_id: int) -> UnitSettingsPublic:
    return service.get_unit_settings(session, user=user, unit_id=unit_id)


@router.put("/units/{unit_id}/approval-settings", response_model=UnitSettingsPublic, tags=["units"])
def set_unit_settings(
    session: SessionDep, admin: AdminUser, ip: ClientIpDep, unit_id: int, body: UnitSettingsUpdate
) -> UnitSettingsPublic:
    return service.set_unit_settings(session, actor=Actor(admin, ip), unit_id=unit_id, update=body)
