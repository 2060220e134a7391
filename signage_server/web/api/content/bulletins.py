"""Text bulletins: title and body (NFC at entry), Decree 49 category, Circular 39 priority."""

from __future__ import annotations

from fastapi import APIRouter, status

from signage_server.content import bulletins as service
from signage_server.models import ContentState
from signage_server.schemas import BulletinCreate, BulletinPublic, BulletinUpdate, StateChange
from signage_server.web.deps import (
    ChangesDep,
    CurrentActor,
    CurrentUser,
    EditorActor,
    SessionDep,
)

router = APIRouter(prefix="/bulletins", tags=["bulletins"])


@router.get("", response_model=list[BulletinPublic])
def list_bulletins(
    session: SessionDep, user: CurrentUser, state: ContentState | None = None
) -> list[BulletinPublic]:
    return service.list_bulletins(session, user=user, state=state)


@router.post("", response_model=BulletinPublic, status_code=status.HTTP_201_CREATED)
def create_bulletin(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, body: BulletinCreate
) -> BulletinPublic:
    return service.create_bulletin(session, actor=actor, changes=changes, data=body)


@router.get("/{bulletin_id}", response_model=BulletinPublic)
def get_bulletin(session: SessionDep, user: CurrentUser, bulletin_id: int) -> BulletinPublic:
    return service.get_bulletin(session, user=user, bulletin_id=bulletin_id)


@router.patch("/{bulletin_id}", response_model=BulletinPublic)
def update_bulletin(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, bulletin_id: int,
    body: BulletinUpdate,
) -> BulletinPublic:
    return service.update_bulletin(session, actor=actor, changes=changes, bulletin_id=bulletin_id,
                                   patch=body)


@router.delete("/{bulletin_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_bulletin(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, bulletin_id: int
) -> None:
    service.delete_bulletin(session, actor=actor, changes=changes, bulletin_id=bulletin_id)


@router.post("/{bulletin_id}/state", response_model=BulletinPublic)
def change_state(
    session: SessionDep, actor: CurrentActor, changes: ChangesDep, bulletin_id: int,
    body: StateChange,
) -> BulletinPublic:
    return service.change_bulletin_state(session, actor=actor, changes=changes,
                                         bulletin_id=bulletin_id, change=body)
