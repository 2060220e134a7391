"""Administrative units: browse the tree within scope, add villages, apply reorganisations
(``units/directory``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, status

from signage_server.core.audit import client_ip
from signage_server.models import AdminUnit
from signage_server.schemas import (
    ReorganisePublic,
    ReorganiseRequest,
    SplitRequest,
    UnitPublic,
    VillageCreate,
)
from signage_server.units import directory
from signage_server.web.deps import AdminUser, ChangesDep, CurrentUser, EditorUser, SessionDep

router = APIRouter(prefix="/units", tags=["units"])


def _public(unit: AdminUnit) -> UnitPublic:
    return UnitPublic.model_validate(unit, from_attributes=True)


@router.get("", response_model=list[UnitPublic])
def list_units(session: SessionDep, user: CurrentUser) -> list[UnitPublic]:
    """The user's own unit: the root of what they may see (walk down with ``/children``)."""
    return [_public(directory.get_unit(session, actor=user, unit_id=user.unit_id))]


@router.get("/{unit_id}", response_model=UnitPublic)
def get_unit(session: SessionDep, user: CurrentUser, unit_id: int) -> UnitPublic:
    return _public(directory.get_unit(session, actor=user, unit_id=unit_id))


@router.get("/{unit_id}/children", response_model=list[UnitPublic])
def children(
    session: SessionDep, user: CurrentUser, unit_id: int, at: date | None = None
) -> list[UnitPublic]:
    """Direct children valid on ``at`` (default today)."""
    return [_public(u) for u in directory.children(session, actor=user, unit_id=unit_id, at=at)]


@router.get("/{unit_id}/subtree", response_model=list[UnitPublic])
def subtree(session: SessionDep, user: CurrentUser, unit_id: int, at: date | None = None) -> list[UnitPublic]:
    """The unit and every descendant valid on ``at`` (default today)."""
    return [_public(u) for u in directory.subtree(session, actor=user, unit_id=unit_id, at=at)]


@router.get("/{unit_id}/ancestors", response_model=list[UnitPublic])
def ancestors(session: SessionDep, user: CurrentUser, unit_id: int) -> list[UnitPublic]:
    """The unit and its parents up to the user's own unit, nearest first."""
    return [_public(u) for u in directory.ancestors(session, actor=user, unit_id=unit_id)]


@router.post("/{unit_id}/villages", response_model=UnitPublic, status_code=status.HTTP_201_CREATED)
def create_village(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, unit_id: int, body: VillageCreate
) -> UnitPublic:
    """Add a village (thôn, tổ dân phố, ...) under a commune."""
    return _public(directory.create_village(session, actor=user, ip=client_ip(request), changes=changes,
                                            unit_id=unit_id, body=body))


@router.post("/reorganise", response_model=ReorganisePublic)
def apply_reorganisation(
    request: Request, session: SessionDep, user: AdminUser, changes: ChangesDep, body: ReorganiseRequest
) -> ReorganisePublic:
    """Merge units into an existing unit or a new one; boards, children, users and content follow."""
    result = directory.apply_reorganisation(session, actor=user, ip=client_ip(request), changes=changes,
                                            body=body)
    return ReorganisePublic(new_unit_ids=list(result.new_unit_ids),
                            retired_unit_ids=list(result.retired_unit_ids), board_ids=list(result.board_ids))


@router.post("/split", response_model=ReorganisePublic)
def split_unit(
    request: Request, session: SessionDep, user: AdminUser, changes: ChangesDep, body: SplitRequest
) -> ReorganisePublic:
    """Split one unit into two or more new units from a date; boards, users and villages go to the
    new unit the admin names for each, the rest and the content to the first."""
    result = directory.split(session, actor=user, ip=client_ip(request), changes=changes, body=body)
    return ReorganisePublic(new_unit_ids=list(result.new_unit_ids),
                            retired_unit_ids=list(result.retired_unit_ids), board_ids=list(result.board_ids))


@router.get("/{unit_id}/lineage", response_model=list[dict[str, object]])
def lineage(session: SessionDep, user: CurrentUser, unit_id: int) -> list[dict[str, object]]:
    """Reorganisation edges into and out of this unit."""
    return [r.model_dump(mode="json") for r in directory.lineage(session, actor=user, unit_id=unit_id)]
