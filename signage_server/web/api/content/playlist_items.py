"""Items of a playlist: add, edit, remove, reorder. Every edit counts as an edit of the playlist."""

from __future__ import annotations

from fastapi import APIRouter, status

from signage_server.content import playlists as service
from signage_server.content.schemas import ItemCreate, ItemUpdate, PlaylistPublic, ReorderRequest
from signage_server.web.deps import ChangesDep, EditorActor, SessionDep

router = APIRouter(prefix="/playlists/{playlist_id}/items", tags=["playlists"])


@router.post("", response_model=PlaylistPublic, status_code=status.HTTP_201_CREATED)
def add_item(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, playlist_id: int,
    body: ItemCreate,
) -> PlaylistPublic:
    return service.add_item(session, actor=actor, changes=changes, playlist_id=playlist_id,
                            item=body)


@router.patch("/{item_id}", response_model=PlaylistPublic)
def update_item(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, playlist_id: int,
    item_id: int, body: ItemUpdate,
) -> PlaylistPublic:
    """Partial update; the merged item is validated as a whole (kind, references, options)."""
    return service.update_item(session, actor=actor, changes=changes, playlist_id=playlist_id,
                               item_id=item_id, patch=body)


@router.delete("/{item_id}", response_model=PlaylistPublic)
def remove_item(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, playlist_id: int,
    item_id: int,
) -> PlaylistPublic:
    return service.remove_item(session, actor=actor, changes=changes, playlist_id=playlist_id,
                               item_id=item_id)


@router.post("/reorder", response_model=PlaylistPublic)
def reorder_items(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, playlist_id: int,
    body: ReorderRequest,
) -> PlaylistPublic:
    return service.reorder_items(session, actor=actor, changes=changes, playlist_id=playlist_id,
                                 item_ids=body.item_ids)
