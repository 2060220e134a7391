"""Playlists: named, ordered lists of items owned by a unit (items live in ``playlist_items``)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session, col, delete, select

from signage_server.content.schemas import ItemPublic, PlaylistCreate, PlaylistPublic, PlaylistUpdate
from signage_server.content.workflow import (
    audit_content,
    change_state_of,
    get_owned,
    mark_edited,
    owner_unit,
    publish,
)
from signage_server.core.audit import snapshot
from signage_server.core.auth import scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import ContentState, Playlist, PlaylistItem, ScheduleRegion
from signage_server.schemas import StateChange
from signage_server.web.deps import CurrentUser, EditorUser, SessionDep

router = APIRouter(prefix="/playlists", tags=["playlists"])


def items_of(session: Session, playlist_id: int) -> list[PlaylistItem]:
    return list(session.exec(
        select(PlaylistItem).where(PlaylistItem.playlist_id == playlist_id)
        .order_by(col(PlaylistItem.position), col(PlaylistItem.id))
    ).all())


def playlist_public(session: Session, row: Playlist) -> PlaylistPublic:
    assert row.id is not None
    items = [ItemPublic.model_validate(i, from_attributes=True) for i in items_of(session, row.id)]
    return PlaylistPublic.model_validate({**row.model_dump(), "items": items})


@router.get("", response_model=list[PlaylistPublic])
def list_playlists(
    session: SessionDep, user: CurrentUser, state: ContentState | None = None
) -> list[PlaylistPublic]:
    query = select(Playlist).where(col(Playlist.unit_id).in_(scope_unit_ids(session, user)))
    if state is not None:
        query = query.where(Playlist.state == state)
    return [playlist_public(session, r) for r in session.exec(query.order_by(col(Playlist.id))).all()]


@router.post("", response_model=PlaylistPublic, status_code=status.HTTP_201_CREATED)
def create_playlist(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, body: PlaylistCreate
) -> PlaylistPublic:
    row = Playlist(name=body.name, unit_id=owner_unit(session, user, body.unit_id), created_by=user.id)
    session.add(row)
    audit_content(session, request, user, "create", row, None)
    session.commit()
    session.refresh(row)
    assert row.id is not None
    publish(changes, playlists={row.id})
    return playlist_public(session, row)


@router.get("/{playlist_id}", response_model=PlaylistPublic)
def get_playlist(session: SessionDep, user: CurrentUser, playlist_id: int) -> PlaylistPublic:
    return playlist_public(session, get_owned(session, Playlist, playlist_id, user, "playlist"))


@router.patch("/{playlist_id}", response_model=PlaylistPublic)
def update_playlist(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, playlist_id: int, body: PlaylistUpdate
) -> PlaylistPublic:
    row = get_owned(session, Playlist, playlist_id, user, "playlist")
    before = snapshot(row)
    patch = body.model_dump(exclude_unset=True, exclude_none=True)
    row.sqlmodel_update(patch)
    mark_edited(row, user)
    session.add(row)
    audit_content(session, request, user, "update", row, before)
    session.commit()
    session.refresh(row)
    publish(changes, playlists={playlist_id})
    return playlist_public(session, row)


@router.delete("/{playlist_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_playlist(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, playlist_id: int
) -> None:
    row = get_owned(session, Playlist, playlist_id, user, "playlist")
    used = session.exec(
        select(ScheduleRegion.schedule_id).where(ScheduleRegion.playlist_id == playlist_id)
    ).all()
    if used:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"schedules {sorted(set(used))} use this playlist; change or delete them first")
    session.exec(delete(PlaylistItem).where(col(PlaylistItem.playlist_id) == playlist_id))
    before = snapshot(row)
    session.delete(row)
    audit_content(session, request, user, "delete", row, before)
    session.commit()
    publish(changes, playlists={playlist_id})


@router.post("/{playlist_id}/state", response_model=PlaylistPublic)
def change_state(
    request: Request, session: SessionDep,
    user: CurrentUser, changes: ChangesDep, playlist_id: int, body: StateChange
) -> PlaylistPublic:
    row = change_state_of(request, session, user, Playlist, playlist_id, "playlist", body)
    publish(changes, playlists={playlist_id})
    return playlist_public(session, row)
