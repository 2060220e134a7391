"""Schedules: a layout with a playlist per region, aimed at a board, a unit subtree or a tag."""

from __future__ import annotations

from fastapi import APIRouter, status

from signage_server.content import schedules as service
from signage_server.content.schemas import ScheduleCreate, SchedulePublic, ScheduleUpdate
from signage_server.models import ContentState
from signage_server.schemas import StateChange
from signage_server.web.deps import (
    ChangesDep,
    CurrentActor,
    CurrentUser,
    EditorActor,
    SessionDep,
)

router = APIRouter(prefix="/schedules", tags=["schedules"])


@router.get("", response_model=list[SchedulePublic])
def list_schedules(
    session: SessionDep, user: CurrentUser, state: ContentState | None = None
) -> list[SchedulePublic]:
    return service.list_schedules(session, user=user, state=state)


@router.post("", response_model=SchedulePublic, status_code=status.HTTP_201_CREATED)
def create_schedule(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, body: ScheduleCreate
) -> SchedulePublic:
    return service.create_schedule(session, actor=actor, changes=changes, data=body)


@router.get("/{schedule_id}", response_model=SchedulePublic)
def get_schedule(session: SessionDep, user: CurrentUser, schedule_id: int) -> SchedulePublic:
    return service.get_schedule(session, user=user, schedule_id=schedule_id)


@router.patch("/{schedule_id}", response_model=SchedulePublic)
def update_schedule(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, schedule_id: int,
    body: ScheduleUpdate,
) -> SchedulePublic:
    """Partial update; the merged schedule is validated as a whole. Changing ``target_kind``
    means sending the new target field and null for the old one."""
    return service.update_schedule(session, actor=actor, changes=changes, schedule_id=schedule_id,
                                   patch=body)


@router.delete("/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_schedule(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, schedule_id: int
) -> None:
    service.delete_schedule(session, actor=actor, changes=changes, schedule_id=schedule_id)


@router.post("/{schedule_id}/state", response_model=SchedulePublic)
def change_state(
    session: SessionDep, actor: CurrentActor, changes: ChangesDep, schedule_id: int,
    body: StateChange,
) -> SchedulePublic:
    return service.change_schedule_state(session, actor=actor, changes=changes,
                                         schedule_id=schedule_id, change=body)
