"""Layout services: the built-in templates (read-only, visible to all) and custom layouts owned
by a unit, checked like the templates; for the JSON API and the schedule pages.

A custom layout's id is scoped to its owner unit: ``bang-xa`` created for unit 12 is stored as
``u12.bang-xa``. Two units may so use the same name, and a clash can only be with a layout of the
same unit (which its editors see anyway): another unit's layout names are never revealed by a
409. Built-in ids (the files in ``layouts/``) have no dot, so the two never clash."""

from __future__ import annotations

from pydantic import ValidationError
from sqlmodel import Session, col, or_, select

from signage_contract import Layout
from signage_server.content.layouts import LayoutTemplateError, validate_layout
from signage_server.content.workflow import (
    Actor,
    not_found,
    owner_unit,
    publish,
    record,
    require_role,
)
from signage_server.core import audit
from signage_server.core.auth import in_scope, scope_unit_ids
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import Conflict, Forbidden, Invalid
from signage_server.core.roles import EDITORS
from signage_server.core.validation import describe
from signage_server.models import LayoutRecord, Schedule, ScheduleRegion, User, utcnow
from signage_server.schemas import LayoutCreate, LayoutPublic, LayoutUpdate


def public(row: LayoutRecord) -> LayoutPublic:
    return LayoutPublic.model_validate(row, from_attributes=True)


def visible_layout(session: Session, user: User, layout_id: str) -> LayoutRecord | None:
    """A built-in layout, or a custom one in the user's scope; None otherwise."""
    layout = session.get(LayoutRecord, layout_id)
    if layout is None or not (layout.builtin or in_scope(session, user, layout.unit_id)):
        return None
    return layout


def _get(session: Session, user: User, layout_id: str) -> LayoutRecord:
    row = visible_layout(session, user, layout_id)
    if row is None:
        raise not_found("layout", repr(layout_id))
    return row


def _editable(session: Session, actor: Actor, layout_id: str) -> LayoutRecord:
    require_role(actor.user, EDITORS)
    row = _get(session, actor.user, layout_id)
    if row.builtin:
        raise Forbidden("content.not_editable",
                        f"layout {layout_id!r} is built in and read-only; create a custom one instead",
                        id=layout_id)
    return row


def _checked(layout_id: str, name: str, background: str, regions: list[object],
             variants: dict[str, list[object]]) -> Layout:
    """The layout as the wire sees it, validated like the built-in templates (each orientation
    variant places the same regions, none overlapping on one z level)."""
    try:
        layout = Layout.model_validate({"id": layout_id, "name": name, "background": background,
                                        "regions": regions, "variants": variants})
        validate_layout(layout)
    except ValidationError as exc:
        raise Invalid("layout.invalid", describe(exc)) from exc
    except LayoutTemplateError as exc:
        raise Invalid("layout.unplayable", str(exc)) from exc
    return layout


def visible_layouts(session: Session, *, user: User, builtin_first: bool = False) -> list[LayoutRecord]:
    """The built-in layouts and the custom ones in the user's scope, by id (or built-in first)."""
    units = scope_unit_ids(session, user)
    order = (col(LayoutRecord.builtin).desc(),) if builtin_first else ()
    rows = session.exec(
        select(LayoutRecord).where(or_(col(LayoutRecord.builtin), col(LayoutRecord.unit_id).in_(units)))
        .order_by(*order, col(LayoutRecord.id))
    ).all()
    return list(rows)


def list_layouts(session: Session, *, user: User) -> list[LayoutPublic]:
    """The built-in layouts, then the custom ones in scope."""
    return [public(r) for r in visible_layouts(session, user=user, builtin_first=True)]


def get_layout(session: Session, *, user: User, layout_id: str) -> LayoutPublic:
    return public(_get(session, user, layout_id))


def scoped_id(unit_id: int, name: str) -> str:
    """The stored id of a custom layout: the owner unit's, then the name its editor chose."""
    return f"u{unit_id}.{name}"


def create_layout(session: Session, *, actor: Actor, changes: ChangeFeed, data: LayoutCreate) -> LayoutPublic:
    """A custom layout for ``data.unit_id`` (default the author's), stored as ``scoped_id``;
    ``layout.exists`` when that unit has one of this name already."""
    require_role(actor.user, EDITORS)
    unit_id = owner_unit(session, actor.user, data.unit_id)
    layout_id = scoped_id(unit_id, data.id)
    if session.get(LayoutRecord, layout_id) is not None:
        raise Conflict("layout.exists",
                       f"this unit has a layout {data.id!r} ({layout_id}); choose another id", id=layout_id)
    layout = _checked(layout_id, data.name, data.background, [r.model_dump() for r in data.regions],
                      {o.value: [r.model_dump() for r in rs] for o, rs in data.variants.items()})
    row = LayoutRecord(id=layout.id, name=layout.name, background=layout.background, unit_id=unit_id,
                       regions=[r.model_dump(mode="json") for r in layout.regions],
                       variants=_stored_variants(layout))
    session.add(row)
    record(session, actor, "create", "layout", row.id, unit_id=unit_id, after=audit.snapshot(row))
    session.commit()
    session.refresh(row)
    publish(changes, layouts={row.id})
    return public(row)


def _stored_variants(layout: Layout) -> dict[str, list[dict[str, object]]]:
    return {o.value: [r.model_dump(mode="json") for r in rs] for o, rs in layout.variants.items()}


def _regions_in_use(session: Session, layout_id: str) -> set[str]:
    rows = session.exec(
        select(ScheduleRegion.region_id).join(Schedule, col(Schedule.id) == ScheduleRegion.schedule_id)
        .where(Schedule.layout_id == layout_id)
    ).all()
    return set(rows)


def update_layout(
    session: Session, *, actor: Actor, changes: ChangeFeed, layout_id: str, patch: LayoutUpdate
) -> LayoutPublic:
    """A partial update of a custom layout; regions that schedules fill must stay."""
    row = _editable(session, actor, layout_id)
    fields = patch.model_dump(exclude_unset=True, exclude_none=True)
    layout = _checked(layout_id, fields.get("name", row.name), fields.get("background", row.background),
                      fields.get("regions", row.regions), fields.get("variants", row.variants or {}))
    missing = _regions_in_use(session, layout_id) - {r.id for r in layout.regions}
    if missing:
        names = ", ".join(sorted(missing))
        raise Conflict("layout.regions_in_use",
                       f"schedules fill regions {names}; keep them or change the schedules", regions=names)
    before = audit.snapshot(row)
    row.name, row.background = layout.name, layout.background
    row.regions = [r.model_dump(mode="json") for r in layout.regions]
    row.variants = _stored_variants(layout)
    row.updated_at = utcnow()
    session.add(row)
    record(session, actor, "update", "layout", layout_id, unit_id=row.unit_id,
           before=before, after=audit.snapshot(row))
    session.commit()
    session.refresh(row)
    publish(changes, layouts={layout_id})
    return public(row)


def delete_layout(session: Session, *, actor: Actor, changes: ChangeFeed, layout_id: str) -> None:
    """Delete a custom layout no schedule uses."""
    row = _editable(session, actor, layout_id)
    used = list(session.exec(select(Schedule.id).where(Schedule.layout_id == layout_id)).all())
    if used:
        raise Conflict("content.in_use", f"schedules {used} use this layout", kind="layout",
                       used_by=", ".join(map(str, used)))
    record(session, actor, "delete", "layout", layout_id, unit_id=row.unit_id, before=audit.snapshot(row))
    session.delete(row)
    session.commit()
    publish(changes, layouts={layout_id})
