"""Administrative units: browse the tree within scope, add villages, apply reorganisations."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session, col, func, select

from signage_server.content.workflow import publish
from signage_server.core import audit
from signage_server.core.auth import ensure_in_scope, in_scope, not_found
from signage_server.core.changes import ChangesDep
from signage_server.models import AdminUnit, UnitLevel, UnitLineage, User
from signage_server.schemas import ReorganisePublic, ReorganiseRequest, UnitPublic, VillageCreate
from signage_server.units.service import ancestor_ids, reorganise, subtree_ids, valid_at
from signage_server.web.deps import AdminUser, CurrentUser, EditorUser, SessionDep

router = APIRouter(prefix="/units", tags=["units"])


def _public(unit: AdminUnit) -> UnitPublic:
    return UnitPublic.model_validate(unit, from_attributes=True)


def _get(session: Session, user: User, unit_id: int) -> AdminUnit:
    unit = session.get(AdminUnit, unit_id)
    if unit is None or not in_scope(session, user, unit_id):
        raise not_found("unit", unit_id)
    return unit


@router.get("", response_model=list[UnitPublic])
def list_units(session: SessionDep, user: CurrentUser) -> list[UnitPublic]:
    """The user's own unit: the root of what they may see (walk down with ``/children``)."""
    return [_public(_get(session, user, user.unit_id))]


@router.get("/{unit_id}", response_model=UnitPublic)
def get_unit(session: SessionDep, user: CurrentUser, unit_id: int) -> UnitPublic:
    return _public(_get(session, user, unit_id))


@router.get("/{unit_id}/children", response_model=list[UnitPublic])
def children(
    session: SessionDep, user: CurrentUser, unit_id: int, at: date | None = None
) -> list[UnitPublic]:
    """Direct children valid on ``at`` (default today)."""
    _get(session, user, unit_id)
    rows = session.exec(
        select(AdminUnit)
        .where(AdminUnit.parent_id == unit_id, valid_at(at or date.today()))
        .order_by(col(AdminUnit.code))
    ).all()
    return [_public(u) for u in rows]


@router.get("/{unit_id}/subtree", response_model=list[UnitPublic])
def subtree(session: SessionDep, user: CurrentUser, unit_id: int, at: date | None = None) -> list[UnitPublic]:
    """The unit and every descendant valid on ``at`` (default today)."""
    _get(session, user, unit_id)
    ids = subtree_ids(session, unit_id, at or date.today())
    rows = session.exec(select(AdminUnit).where(col(AdminUnit.id).in_(ids)).order_by(col(AdminUnit.id))).all()
    return [_public(u) for u in rows]


@router.get("/{unit_id}/ancestors", response_model=list[UnitPublic])
def ancestors(session: SessionDep, user: CurrentUser, unit_id: int) -> list[UnitPublic]:
    """The unit and its parents up to the user's own unit, nearest first."""
    _get(session, user, unit_id)
    chain = ancestor_ids(session, unit_id)
    visible = chain[: chain.index(user.unit_id) + 1]
    return [_public(unit) for uid in visible if (unit := session.get(AdminUnit, uid)) is not None]


@router.post("/{unit_id}/villages", response_model=UnitPublic, status_code=status.HTTP_201_CREATED)
def create_village(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, unit_id: int, body: VillageCreate
) -> UnitPublic:
    """Add a village (thôn, tổ dân phố, ...) under a commune."""
    commune = _get(session, user, unit_id)
    if commune.level != UnitLevel.COMMUNE or commune.valid_to is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"unit {unit_id} is not a current commune; villages belong under a commune")
    count = session.exec(
        select(func.count()).select_from(AdminUnit).where(AdminUnit.parent_id == unit_id)
    ).one()
    village = AdminUnit(
        code=body.code or f"{commune.code}-{count + 1:02d}",
        level=UnitLevel.VILLAGE,
        name=body.name,
        division_type=body.division_type,
        parent_id=unit_id,
        valid_from=body.valid_from or date.today(),
    )
    session.add(village)
    session.flush()
    audit.record_by(session, request, user, "create", "unit", village.id, unit_id=village.id,
                    after=audit.snapshot(village))
    session.commit()
    session.refresh(village)
    assert village.id is not None
    publish(changes, units={village.id})
    return _public(village)


@router.post("/reorganise", response_model=ReorganisePublic)
def apply_reorganisation(
    request: Request, session: SessionDep, user: AdminUser, changes: ChangesDep, body: ReorganiseRequest
) -> ReorganisePublic:
    """Merge units into an existing unit or a new one; boards, children, users and content follow."""
    for unit_id in [*body.from_ids, *([body.into_id] if body.into_id is not None else [])]:
        ensure_in_scope(session, user, unit_id)
    result = reorganise(session, body.from_ids, body.effective, into_id=body.into_id,
                        new_code=body.new_code, new_name=body.new_name, note=body.note)
    for unit_id in body.from_ids:
        audit.record_by(session, request, user, "reorganise", "unit", unit_id, unit_id=unit_id,
                        after={**body.model_dump(mode="json"), "new_unit_ids": list(result.new_unit_ids),
                               "retired_unit_ids": list(result.retired_unit_ids)})
    session.commit()
    involved = {*result.new_unit_ids, *result.retired_unit_ids, *([body.into_id] if body.into_id else [])}
    publish(changes, units=involved, boards=result.board_ids)
    return ReorganisePublic(new_unit_ids=list(result.new_unit_ids),
                            retired_unit_ids=list(result.retired_unit_ids), board_ids=list(result.board_ids))


@router.get("/{unit_id}/lineage", response_model=list[dict[str, object]])
def lineage(session: SessionDep, user: CurrentUser, unit_id: int) -> list[dict[str, object]]:
    """Reorganisation edges into and out of this unit."""
    _get(session, user, unit_id)
    rows = session.exec(
        select(UnitLineage).where(
            (UnitLineage.from_unit_id == unit_id) | (UnitLineage.to_unit_id == unit_id)
        ).order_by(col(UnitLineage.effective))
    ).all()
    return [r.model_dump(mode="json") for r in rows]
