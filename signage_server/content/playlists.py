"""Playlist services: named, ordered lists of items owned by a unit, and their items (add, edit,
remove, reorder: every item edit counts as an edit of the playlist); for the JSON API and the panel."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, func, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_server.content import records
from signage_server.content.schemas import (
    ItemCreate,
    ItemPublic,
    ItemUpdate,
    PlaylistCreate,
    PlaylistPublic,
    PlaylistUpdate,
)
from signage_server.content.workflow import (
    Actor,
    mark_edited,
    not_found,
    owner_unit,
    record,
    require_role,
    revalidated,
)
from signage_server.core import audit
from signage_server.core.auth import in_scope
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import Invalid
from signage_server.core.paging import Page
from signage_server.core.roles import EDITORS
from signage_server.models import (
    Bulletin,
    ContentState,
    Media,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    User,
)
from signage_server.schemas import StateChange


def items_of(session: Session, playlist_id: int) -> list[PlaylistItem]:
    return list(session.exec(
        select(PlaylistItem).where(PlaylistItem.playlist_id == playlist_id)
        .order_by(col(PlaylistItem.position), col(PlaylistItem.id))
    ).all())


def public(session: Session, row: Playlist) -> PlaylistPublic:
    assert row.id is not None
    items = [ItemPublic.model_validate(i, from_attributes=True) for i in items_of(session, row.id)]
    return PlaylistPublic.model_validate({**row.model_dump(), "items": items})


def list_playlists(
    session: Session, *, user: User, state: ContentState | None = None
) -> list[PlaylistPublic]:
    return [public(session, r) for r in records.listing(session, user=user, model=Playlist, state=state)]


def playlist_page(session: Session, *, user: User, wanted: records.ContentQuery) -> Page[PlaylistPublic]:
    """One page of playlists, newest first: by state, name, unit."""
    found = records.page(session, user=user, model=Playlist, wanted=wanted, searched=[col(Playlist.name)])
    return Page([public(session, r) for r in found.rows], found.total, found.number, found.per_page)


def get_playlist(session: Session, *, user: User, playlist_id: int) -> PlaylistPublic:
    return public(session, records.fetch(session, user=user, model=Playlist, item_id=playlist_id))


def create_playlist(
    session: Session, *, actor: Actor, changes: ChangeFeed, data: PlaylistCreate
) -> PlaylistPublic:
    require_role(actor.user, EDITORS)
    unit_id = owner_unit(session, actor.user, data.unit_id)
    row = Playlist(name=data.name, unit_id=unit_id, created_by=actor.user.id)
    return public(session, records.save(session, actor=actor, changes=changes, row=row, action="create"))


def update_playlist(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, patch: PlaylistUpdate
) -> PlaylistPublic:
    require_role(actor.user, EDITORS)
    row = records.fetch(session, user=actor.user, model=Playlist, item_id=playlist_id)
    before = audit.snapshot(row)
    row.sqlmodel_update(patch.model_dump(exclude_unset=True, exclude_none=True))
    mark_edited(row, actor.user)
    row = records.save(session, actor=actor, changes=changes, row=row, action="update", before=before)
    return public(session, row)


def delete_playlist(session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int) -> None:
    """Delete a playlist (with its items) that no schedule uses (``content.in_use`` otherwise)."""
    row = records.deletable(
        session, actor=actor, model=Playlist, item_id=playlist_id,
        used_by=_schedules_using(playlist_id),
        user_kind=Schedule, refusal="schedules {used} use this playlist; change or delete them first")
    session.exec(delete(PlaylistItem).where(col(PlaylistItem.playlist_id) == playlist_id))
    records.remove(session, actor=actor, changes=changes, row=row)


def _schedules_using(playlist_id: int) -> SelectOfScalar[int]:
    return select(ScheduleRegion.schedule_id).where(ScheduleRegion.playlist_id == playlist_id)


def where_used(session: Session, *, user: User, playlist_id: int) -> list[tuple[int, str]]:
    """The schedules (id, name) that play a playlist in scope."""
    records.fetch(session, user=user, model=Playlist, item_id=playlist_id)
    return records.users_of(session, used_by=_schedules_using(playlist_id), user_kind=Schedule)


def change_playlist_state(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, change: StateChange
) -> PlaylistPublic:
    row = records.change_state(session, actor=actor, changes=changes, model=Playlist, item_id=playlist_id,
                               change=change)
    return public(session, row)


# --- items -------------------------------------------------------------------------------------


def _check_references(session: Session, user: User, item: ItemCreate) -> None:
    """An item may only show media and bulletins the editor can see (else: as if they did not exist)."""
    for field, model, what in (("media_id", Media, "media"), ("bulletin_id", Bulletin, "bulletin")):
        ref = getattr(item, field)
        if ref is None:
            continue
        row = session.get(model, ref)
        if row is None or not in_scope(session, user, row.unit_id) or row.owner_board_id is not None:
            raise Invalid("content.reference_not_found", f"{field}: {what} {ref} not found",
                          field=field, kind=what, id=ref)


def _edited(
    session: Session, actor: Actor, changes: ChangeFeed, playlist: Playlist, verb: str,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> PlaylistPublic:
    """Commit an item edit as an edit of its playlist, audited as ``<verb>_item`` on the playlist."""
    state = playlist.state
    mark_edited(playlist, actor.user)
    session.add(playlist)
    if state != playlist.state:
        before = {**(before or {}), "state": state.value}
        after = {**(after or {}), "state": playlist.state.value}
    record(session, actor, f"{verb}_item", "playlist", playlist.id, unit_id=playlist.unit_id,
           before=before, after=after)
    session.commit()
    session.refresh(playlist)
    changes.publish(records.touched(playlist))
    return public(session, playlist)


def _editable(session: Session, actor: Actor, playlist_id: int) -> Playlist:
    require_role(actor.user, EDITORS)
    return records.fetch(session, user=actor.user, model=Playlist, item_id=playlist_id)


def _item(session: Session, playlist_id: int, item_id: int) -> PlaylistItem:
    item = session.get(PlaylistItem, item_id)
    if item is None or item.playlist_id != playlist_id:
        raise not_found("item", item_id)
    return item


def add_item(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, item: ItemCreate
) -> PlaylistPublic:
    """Append an item to a playlist."""
    playlist = _editable(session, actor, playlist_id)
    _check_references(session, actor.user, item)
    last = session.exec(
        select(func.max(PlaylistItem.position)).where(PlaylistItem.playlist_id == playlist_id)
    ).one()
    row = PlaylistItem(playlist_id=playlist_id, position=(last or 0) + 1, **item.model_dump())
    session.add(row)
    session.flush()
    return _edited(session, actor, changes, playlist, "add", None, {"item": audit.snapshot(row)})


def update_item(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, item_id: int,
    patch: ItemUpdate,
) -> PlaylistPublic:
    """A partial update; the merged item is validated as a whole (kind, references, options)."""
    playlist = _editable(session, actor, playlist_id)
    row = _item(session, playlist_id, item_id)
    current: dict[str, Any] = row.model_dump(include=set(ItemCreate.model_fields))
    whole = revalidated(ItemCreate, {**current, **patch.model_dump(exclude_unset=True)})
    _check_references(session, actor.user, whole)
    before = audit.snapshot(row)
    row.sqlmodel_update(whole.model_dump())
    session.add(row)
    return _edited(session, actor, changes, playlist, "update", before, audit.snapshot(row))


def remove_item(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, item_id: int
) -> PlaylistPublic:
    playlist = _editable(session, actor, playlist_id)
    row = _item(session, playlist_id, item_id)
    before = {"item": audit.snapshot(row)}
    session.delete(row)
    return _edited(session, actor, changes, playlist, "remove", before, None)


def reorder_items(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, item_ids: list[int]
) -> PlaylistPublic:
    """Put the items in this order (every item of the playlist, each once)."""
    playlist = _editable(session, actor, playlist_id)
    items = {i.id: i for i in items_of(session, playlist_id) if i.id is not None}
    if sorted(item_ids) != sorted(items):
        raise Invalid("playlist.order_incomplete",
                      f"item_ids: give every item of the playlist exactly once: {sorted(items)}",
                      items=", ".join(map(str, sorted(items))))
    before = {"order": [i for i, _ in sorted(items.items(), key=lambda kv: kv[1].position)]}
    for position, item_id in enumerate(item_ids, start=1):
        items[item_id].position = position
        session.add(items[item_id])
    return _edited(session, actor, changes, playlist, "reorder", before, {"order": item_ids})
