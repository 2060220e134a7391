"""Items of a playlist: add, edit, remove, reorder. Every edit counts as an edit of the playlist."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session, func, select

from signage_server.content.schemas import ItemCreate, ItemUpdate, PlaylistPublic, ReorderRequest
from signage_server.content.workflow import get_owned, mark_edited, publish
from signage_server.core import audit
from signage_server.core.auth import in_scope, not_found
from signage_server.core.changes import ChangesDep
from signage_server.models import Bulletin, Media, Playlist, PlaylistItem, User
from signage_server.schemas import revalidate
from signage_server.web.api.playlists import items_of, playlist_public
from signage_server.web.deps import EditorUser, SessionDep

router = APIRouter(prefix="/playlists/{playlist_id}/items", tags=["playlists"])


def _check_references(session: Session, user: User, item: ItemCreate) -> None:
    """An item may only show media and bulletins the editor can see (else: as if they did not exist)."""
    for field, model, what in (("media_id", Media, "media"), ("bulletin_id", Bulletin, "bulletin")):
        ref = getattr(item, field)
        if ref is None:
            continue
        row = session.get(model, ref)
        if row is None or not in_scope(session, user, row.unit_id):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field}: {what} {ref} not found")


def _commit(
    session: Session, changes: ChangesDep, playlist: Playlist, edit: tuple[Request, User, str],
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> PlaylistPublic:
    """Commit an item edit as an edit of its playlist, audited as ``<verb>_item`` on the playlist."""
    request, user, verb = edit
    state = playlist.state
    mark_edited(playlist, user)
    session.add(playlist)
    if state != playlist.state:
        before = {**(before or {}), "state": state.value}
        after = {**(after or {}), "state": playlist.state.value}
    audit.record_by(session, request, user, f"{verb}_item", "playlist", playlist.id, unit_id=playlist.unit_id,
                    before=before, after=after)
    session.commit()
    session.refresh(playlist)
    assert playlist.id is not None
    publish(changes, playlists={playlist.id})
    return playlist_public(session, playlist)


def _item(session: Session, playlist_id: int, item_id: int) -> PlaylistItem:
    item = session.get(PlaylistItem, item_id)
    if item is None or item.playlist_id != playlist_id:
        raise not_found("item", item_id)
    return item


@router.post("", response_model=PlaylistPublic, status_code=status.HTTP_201_CREATED)
def add_item(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, playlist_id: int, body: ItemCreate
) -> PlaylistPublic:
    playlist = get_owned(session, Playlist, playlist_id, user, "playlist")
    _check_references(session, user, body)
    last = session.exec(
        select(func.max(PlaylistItem.position)).where(PlaylistItem.playlist_id == playlist_id)
    ).one()
    item = PlaylistItem(playlist_id=playlist_id, position=(last or 0) + 1, **body.model_dump())
    session.add(item)
    session.flush()
    return _commit(session, changes, playlist, (request, user, "add"), None, {"item": audit.snapshot(item)})


@router.patch("/{item_id}", response_model=PlaylistPublic)
def update_item(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, playlist_id: int, item_id: int,
    body: ItemUpdate,
) -> PlaylistPublic:
    """Partial update; the merged item is validated as a whole (kind, references, options)."""
    playlist = get_owned(session, Playlist, playlist_id, user, "playlist")
    item = _item(session, playlist_id, item_id)
    current: dict[str, Any] = item.model_dump(include=set(ItemCreate.model_fields))
    merged = revalidate(ItemCreate, {**current, **body.model_dump(exclude_unset=True)})
    _check_references(session, user, merged)
    before = audit.snapshot(item)
    item.sqlmodel_update(merged.model_dump())
    session.add(item)
    return _commit(session, changes, playlist, (request, user, "update"), before, audit.snapshot(item))


@router.delete("/{item_id}", response_model=PlaylistPublic)
def remove_item(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, playlist_id: int, item_id: int
) -> PlaylistPublic:
    playlist = get_owned(session, Playlist, playlist_id, user, "playlist")
    item = _item(session, playlist_id, item_id)
    before = {"item": audit.snapshot(item)}
    session.delete(item)
    return _commit(session, changes, playlist, (request, user, "remove"), before, None)


@router.post("/reorder", response_model=PlaylistPublic)
def reorder_items(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, playlist_id: int, body: ReorderRequest
) -> PlaylistPublic:
    playlist = get_owned(session, Playlist, playlist_id, user, "playlist")
    items = {i.id: i for i in items_of(session, playlist_id) if i.id is not None}
    if sorted(body.item_ids) != sorted(items):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"item_ids: give every item of the playlist exactly once: {sorted(items)}")
    before = {"order": [i for i, _ in sorted(items.items(), key=lambda kv: kv[1].position)]}
    for position, item_id in enumerate(body.item_ids, start=1):
        items[item_id].position = position
        session.add(items[item_id])
    return _commit(session, changes, playlist, (request, user, "reorder"), before, {"order": body.item_ids})
