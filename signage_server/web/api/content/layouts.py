"""Layouts: the built-in templates (read-only) and custom layouts owned by a unit."""

from __future__ import annotations

from fastapi import APIRouter, status

from signage_server.content import custom_layouts as service
from signage_server.schemas import LayoutCreate, LayoutPublic, LayoutUpdate
from signage_server.web.deps import ChangesDep, CurrentUser, EditorActor, SessionDep

router = APIRouter(prefix="/layouts", tags=["layouts"])


@router.get("", response_model=list[LayoutPublic])
def list_layouts(session: SessionDep, user: CurrentUser) -> list[LayoutPublic]:
    return service.list_layouts(session, user=user)


@router.get("/{layout_id}", response_model=LayoutPublic)
def get_layout(session: SessionDep, user: CurrentUser, layout_id: str) -> LayoutPublic:
    return service.get_layout(session, user=user, layout_id=layout_id)


@router.post("", response_model=LayoutPublic, status_code=status.HTTP_201_CREATED)
def create_layout(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, body: LayoutCreate
) -> LayoutPublic:
    return service.create_layout(session, actor=actor, changes=changes, data=body)


@router.patch("/{layout_id}", response_model=LayoutPublic)
def update_layout(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, layout_id: str,
    body: LayoutUpdate,
) -> LayoutPublic:
    return service.update_layout(session, actor=actor, changes=changes, layout_id=layout_id,
                                 patch=body)


@router.delete("/{layout_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_layout(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, layout_id: str
) -> None:
    service.delete_layout(session, actor=actor, changes=changes, layout_id=layout_id)
