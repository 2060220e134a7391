"""Layouts: the built-in templates (read-only) and custom layouts owned by a unit."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import ValidationError
from sqlmodel import Session, col, or_, select

from signage_contract import Layout
from signage_server.content.layouts import LayoutTemplateError, validate_layout
from signage_server.content.workflow import owner_unit, publish
from signage_server.core import audit
from signage_server.core.auth import in_scope, not_found, scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import LayoutRecord, Schedule, ScheduleRegion, User, utcnow
from signage_server.schemas import LayoutCreate, LayoutPublic, LayoutUpdate
from signage_server.web.deps import CurrentUser, EditorUser, SessionDep
from signage_server.web.errors import describe

router = APIRouter(prefix="/layouts", tags=["layouts"])


def _public(row: LayoutRecord) -> LayoutPublic:
    return LayoutPublic.model_validate(row, from_attributes=True)


def _get(session: Session, user: User, layout_id: str) -> LayoutRecord:
    row = session.get(LayoutRecord, layout_id)
    if row is None or not (row.builtin or in_scope(session, user, row.unit_id)):
        raise not_found("layout", repr(layout_id))
    return row


def _editable(session: Session, user: User, layout_id: str) -> LayoutRecord:
    row = _get(session, user, layout_id)
    if row.builtin:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"layout {layout_id!r} is built in and read-only; create a custom one instead")
    return row


def _checked(layout_id: str, name: str, background: str, regions: list[object]) -> Layout:
    """The layout as the wire sees it, validated like the built-in templates."""
    try:
        layout = Layout.model_validate({"id": layout_id, "name": name, "background": background,
                                        "regions": regions})
        validate_layout(layout)
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            describe([dict(e) for e in exc.errors()])) from exc
    except LayoutTemplateError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return layout


@router.get("", response_model=list[LayoutPublic])
def list_layouts(session: SessionDep, user: CurrentUser) -> list[LayoutPublic]:
    units = scope_unit_ids(session, user)
    rows = session.exec(
        select(LayoutRecord).where(or_(col(LayoutRecord.builtin), col(LayoutRecord.unit_id).in_(units)))
        .order_by(col(LayoutRecord.builtin).desc(), col(LayoutRecord.id))
    ).all()
    return [_public(r) for r in rows]


@router.get("/{layout_id}", response_model=LayoutPublic)
def get_layout(session: SessionDep, user: CurrentUser, layout_id: str) -> LayoutPublic:
    return _public(_get(session, user, layout_id))


@router.post("", response_model=LayoutPublic, status_code=status.HTTP_201_CREATED)
def create_layout(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, body: LayoutCreate
) -> LayoutPublic:
    unit_id = owner_unit(session, user, body.unit_id)
    if session.get(LayoutRecord, body.id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"a layout with id {body.id!r} exists; choose another id")
    layout = _checked(body.id, body.name, body.background, [r.model_dump() for r in body.regions])
    row = LayoutRecord(id=layout.id, name=layout.name, background=layout.background, unit_id=unit_id,
                       regions=[r.model_dump(mode="json") for r in layout.regions])
    session.add(row)
    audit.record_by(session, request, user, "create", "layout", row.id, unit_id=unit_id,
                    after=audit.snapshot(row))
    session.commit()
    session.refresh(row)
    publish(changes, layouts={row.id})
    return _public(row)


def _regions_in_use(session: Session, layout_id: str) -> set[str]:
    rows = session.exec(
        select(ScheduleRegion.region_id).join(Schedule, col(Schedule.id) == ScheduleRegion.schedule_id)
        .where(Schedule.layout_id == layout_id)
    ).all()
    return set(rows)


@router.patch("/{layout_id}", response_model=LayoutPublic)
def update_layout(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, layout_id: str, body: LayoutUpdate
) -> LayoutPublic:
    row = _editable(session, user, layout_id)
    patch = body.model_dump(exclude_unset=True, exclude_none=True)
    layout = _checked(layout_id, patch.get("name", row.name), patch.get("background", row.background),
                      patch.get("regions", row.regions))
    missing = _regions_in_use(session, layout_id) - {r.id for r in layout.regions}
    if missing:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"schedules fill regions {', '.join(sorted(missing))}; "
                            "keep them or change the schedules")
    before = audit.snapshot(row)
    row.name, row.background = layout.name, layout.background
    row.regions = [r.model_dump(mode="json") for r in layout.regions]
    row.updated_at = utcnow()
    session.add(row)
    audit.record_by(session, request, user, "update", "layout", layout_id, unit_id=row.unit_id,
                    before=before, after=audit.snapshot(row))
    session.commit()
    session.refresh(row)
    publish(changes, layouts={layout_id})
    return _public(row)


@router.delete("/{layout_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_layout(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, layout_id: str
) -> None:
    row = _editable(session, user, layout_id)
    used = session.exec(select(Schedule.id).where(Schedule.layout_id == layout_id)).all()
    if used:
        raise HTTPException(status.HTTP_409_CONFLICT, f"schedules {list(used)} use this layout")
    audit.record_by(session, request, user, "delete", "layout", layout_id, unit_id=row.unit_id,
                    before=audit.snapshot(row))
    session.delete(row)
    session.commit()
    publish(changes, layouts={layout_id})
