"""Schedules: a layout with a playlist per region, aimed at a board, a unit subtree or a tag."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session, col, delete, select

from signage_server.content.schemas import ScheduleBase, ScheduleCreate, SchedulePublic, ScheduleUpdate
from signage_server.content.workflow import (
    audit_content,
    change_state_of,
    get_owned,
    mark_edited,
    owner_unit,
    publish,
)
from signage_server.core import audit
from signage_server.core.audit import snapshot
from signage_server.core.auth import in_scope, scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import (
    AdminUnit,
    Board,
    ContentState,
    LayoutRecord,
    Playlist,
    Schedule,
    ScheduleRegion,
    User,
)
from signage_server.schemas import StateChange, revalidate
from signage_server.web.deps import CurrentUser, EditorUser, SessionDep

router = APIRouter(prefix="/schedules", tags=["schedules"])
_TABLE_FIELDS = set(ScheduleBase.model_fields) - {"regions"}


def _invalid(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


def _regions(session: Session, schedule_id: int) -> dict[str, int]:
    rows = session.exec(select(ScheduleRegion).where(ScheduleRegion.schedule_id == schedule_id)).all()
    return {r.region_id: r.playlist_id for r in rows}


def _public(session: Session, row: Schedule) -> SchedulePublic:
    assert row.id is not None
    return SchedulePublic.model_validate({**row.model_dump(), "regions": _regions(session, row.id)})


def visible_layout(session: Session, user: User, layout_id: str) -> LayoutRecord | None:
    layout = session.get(LayoutRecord, layout_id)
    if layout is None or not (layout.builtin or in_scope(session, user, layout.unit_id)):
        return None
    return layout


def _check(session: Session, user: User, body: ScheduleBase) -> None:
    """References exist and lie in the author's scope; every region belongs to the layout."""
    layout = visible_layout(session, user, body.layout_id)
    if layout is None:
        raise _invalid(f"layout_id: layout {body.layout_id!r} not found")
    known = {str(r["id"]) for r in layout.regions}
    unknown = sorted(set(body.regions) - known)
    if unknown:
        raise _invalid(f"regions: layout {layout.id!r} has no region {', '.join(unknown)} "
                       f"(it has {', '.join(sorted(known))})")
    for region_id, playlist_id in body.regions.items():
        playlist = session.get(Playlist, playlist_id)
        if playlist is None or not in_scope(session, user, playlist.unit_id):
            raise _invalid(f"regions.{region_id}: playlist {playlist_id} not found")
    if body.target_board_id is not None:
        board = session.get(Board, body.target_board_id)
        if board is None or not in_scope(session, user, board.unit_id):
            raise _invalid(f"target_board_id: board {body.target_board_id} not found")
    if body.target_unit_id is not None and (
        session.get(AdminUnit, body.target_unit_id) is None
        or not in_scope(session, user, body.target_unit_id)
    ):
        raise _invalid(f"target_unit_id: unit {body.target_unit_id} not found")


def _save_regions(session: Session, schedule_id: int, regions: dict[str, int]) -> None:
    session.exec(delete(ScheduleRegion).where(col(ScheduleRegion.schedule_id) == schedule_id))
    for region_id, playlist_id in regions.items():
        session.add(ScheduleRegion(schedule_id=schedule_id, region_id=region_id, playlist_id=playlist_id))


def _targets(row: Schedule) -> dict[str, Any]:
    return {
        "boards": {row.target_board_id} - {None},
        "units": {row.target_unit_id} - {None},
        "tags": {row.target_tag} - {None},
    }


def _announce(changes: ChangesDep, schedule_id: int, *rows: dict[str, Any]) -> None:
    merged: dict[str, set[Any]] = {"boards": set(), "units": set(), "tags": set()}
    for targets in rows:
        for key, values in targets.items():
            merged[key] |= values
    publish(changes, schedules={schedule_id}, boards=merged["boards"], units=merged["units"],
            tags=merged["tags"])


@router.get("", response_model=list[SchedulePublic])
def list_schedules(
    session: SessionDep, user: CurrentUser, state: ContentState | None = None
) -> list[SchedulePublic]:
    query = select(Schedule).where(col(Schedule.unit_id).in_(scope_unit_ids(session, user)))
    if state is not None:
        query = query.where(Schedule.state == state)
    return [_public(session, r) for r in session.exec(query.order_by(col(Schedule.id))).all()]


@router.post("", response_model=SchedulePublic, status_code=status.HTTP_201_CREATED)
def create_schedule(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, body: ScheduleCreate
) -> SchedulePublic:
    unit_id = owner_unit(session, user, body.unit_id)
    _check(session, user, body)
    row = Schedule.model_validate(body.model_dump(include=_TABLE_FIELDS),
                                  update={"unit_id": unit_id, "created_by": user.id})
    session.add(row)
    session.flush()
    assert row.id is not None
    _save_regions(session, row.id, body.regions)
    audit_content(session, request, user, "create", row, None)
    session.commit()
    session.refresh(row)
    _announce(changes, row.id, _targets(row))
    return _public(session, row)


@router.get("/{schedule_id}", response_model=SchedulePublic)
def get_schedule(session: SessionDep, user: CurrentUser, schedule_id: int) -> SchedulePublic:
    return _public(session, get_owned(session, Schedule, schedule_id, user, "schedule"))


@router.patch("/{schedule_id}", response_model=SchedulePublic)
def update_schedule(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, schedule_id: int, body: ScheduleUpdate
) -> SchedulePublic:
    """Partial update; the merged schedule is validated as a whole. Changing ``target_kind``
    means sending the new target field and null for the old one."""
    row = get_owned(session, Schedule, schedule_id, user, "schedule")
    before = _targets(row)
    current = {**row.model_dump(include=_TABLE_FIELDS), "regions": _regions(session, schedule_id)}
    old = {**snapshot(row), "regions": current["regions"]}
    merged = revalidate(ScheduleBase, {**current, **body.model_dump(exclude_unset=True)})
    _check(session, user, merged)
    row.sqlmodel_update(merged.model_dump(include=_TABLE_FIELDS))
    _save_regions(session, schedule_id, merged.regions)
    mark_edited(row, user)
    session.add(row)
    audit.record_by(session, request, user, "update", "schedule", schedule_id, unit_id=row.unit_id,
                    before=old, after={**snapshot(row), "regions": merged.regions})
    session.commit()
    session.refresh(row)
    _announce(changes, schedule_id, before, _targets(row))
    return _public(session, row)


@router.delete("/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_schedule(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, schedule_id: int
) -> None:
    row = get_owned(session, Schedule, schedule_id, user, "schedule")
    before = _targets(row)
    session.exec(delete(ScheduleRegion).where(col(ScheduleRegion.schedule_id) == schedule_id))
    old = snapshot(row)
    session.delete(row)
    audit_content(session, request, user, "delete", row, old)
    session.commit()
    _announce(changes, schedule_id, before)


@router.post("/{schedule_id}/state", response_model=SchedulePublic)
def change_state(
    request: Request, session: SessionDep,
    user: CurrentUser, changes: ChangesDep, schedule_id: int, body: StateChange
) -> SchedulePublic:
    row = change_state_of(request, session, user, Schedule, schedule_id, "schedule", body)
    _announce(changes, schedule_id, _targets(row))
    return _public(session, row)
