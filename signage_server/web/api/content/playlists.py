"""Playlists: named, ordered lists of items owned by a unit (items live in ``playlist_items``)."""

from __future__ import annotations

from fastapi import APIRouter, status

from signage_server.content import playlists as service
from signage_server.content.schemas import PlaylistCreate, PlaylistPublic, PlaylistUpdate
from signage_server.models import ContentState
from signage_server.schemas import StateChange
from signage_server.web.deps import (
    ChangesDep,
    CurrentActor,
    CurrentUser,
    EditorActor,
    SessionDep,
)

router = APIRouter(prefix="/playlists", tags=["playlists"])


@router.get("", response_model=list[PlaylistPublic])
def list_playlists(
    session: SessionDep, user: CurrentUser, state: ContentState | None = None
) -> list[PlaylistPublic]:
    return service.list_playlists(session, user=user, state=state)


@router.post("", response_model=PlaylistPublic, status_code=status.HTTP_201_CREATED)
def create_playlist(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, body: PlaylistCreate
) -> PlaylistPublic:
    return service.create_playlist(session, actor=actor, changes=changes, data=body)


@router.get("/{playlist_id}", response_model=PlaylistPublic)
def get_playlist(session: SessionDep, user: CurrentUser, playlist_id: int) -> PlaylistPublic:
    return service.get_playlist(session, user=user, playlist_id=playlist_id)


@router.patch("/{playlist_id}", response_model=PlaylistPublic)
def update_playlist(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, playlist_id: int,
    body: PlaylistUpdate,
) -> PlaylistPublic:
    return service.update_playlist(session, actor=actor, changes=changes, playlist_id=playlist_id,
                                   patch=body)


@router.delete("/{playlist_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_playlist(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, playlist_id: int
) -> None:
    service.delete_playlist(session, actor=actor, changes=changes, playlist_id=playlist_id)


@router.post("/{playlist_id}/state", response_model=PlaylistPublic)
def change_state(
    session: SessionDep, actor: CurrentActor, changes: ChangesDep, playlist_id: int,
    body: StateChange,
) -> PlaylistPublic:
    return service.change_playlist_state(session, actor=actor, changes=changes,
                                         playlist_id=playlist_id, change=body)
