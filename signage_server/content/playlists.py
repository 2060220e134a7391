"""Playlist services: named, ordered lists of items owned by a unit, and their items (add, edit,
remove, reorder: every item edit counts as an edit of the playlist); for the JSON API and the panel.

An edit of an approved playlist (its name or its items) waits beside it as a submission
(``pending_edits``) while the approved version stays on air; the item routes then change that
draft, whose new items have negative ids until the edit is approved."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, func, select, update
from sqlmodel.sql.expression import SelectOfScalar

from signage_server.content import pdf_media, records
from signage_server.content.pending_edits import (
    draft_item,
    new_item_id,
    pending_playlist_edit,
    playlist_draft,
    propose_playlist_edit,
)
from signage_server.content.schemas import (
    ItemCreate,
    ItemPublic,
    ItemUpdate,
    PlaylistCreate,
    PlaylistDraft,
    PlaylistPublic,
    PlaylistUpdate,
)
from signage_server.content.workflow import (
    Actor,
    auto_approves,
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
from signage_server.core.legacy_text import convert_fields
from signage_server.core.paging import Page
from signage_server.core.roles import EDITORS
from signage_server.models import (
    PLAYABLE_STATES,
    Bulletin,
    ContentState,
    ItemKind,
    Media,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    Submission,
    SubmissionKind,
    User,
)
from signage_server.schemas import StateChange


def items_of(session: Session, playlist_id: int) -> list[PlaylistItem]:
    return list(session.exec(
        select(PlaylistItem).where(PlaylistItem.playlist_id == playlist_id)
        .order_by(col(PlaylistItem.position), col(PlaylistItem.id))
    ).all())


def public(session: Session, row: Playlist) -> PlaylistPublic:
    """The playlist as it is on air, and the edit of it waiting for approval, if any."""
    assert row.id is not None
    items = [ItemPublic.model_validate(i, from_attributes=True) for i in items_of(session, row.id)]
    edit = pending_playlist_edit(session, row.id) if row.state in PLAYABLE_STATES else None
    draft = None
    if edit is not None and edit.pending is not None:
        draft = PlaylistDraft(name=edit.pending["name"], items=[
            ItemPublic.model_validate({**i, "playlist_id": row.id, "position": n})
            for n, i in enumerate(edit.pending["items"], start=1)])
    return PlaylistPublic.model_validate({**row.model_dump(), "items": items, "pending_edit": draft,
                                          "pending_submission_id": None if edit is None else edit.id})


def editing_items(found: PlaylistPublic) -> list[ItemPublic]:
    """The items an editor changes: the waiting edit's, else those on air."""
    return found.pending_edit.items if found.pending_edit is not None else found.items


def _waits(session: Session, row: Playlist) -> bool:
    """Whether an edit of ``row`` waits beside it (approved, and its unit does not auto-approve)."""
    return row.state in PLAYABLE_STATES and not auto_approves(session, row.unit_id)


def _propose(session: Session, actor: Actor, row: Playlist, draft: dict[str, Any]) -> PlaylistPublic:
    """Keep ``draft`` as the playlist's waiting edit; nothing on air changes."""
    propose_playlist_edit(session, actor=actor, row=row, draft=draft)
    session.commit()
    session.refresh(row)
    return public(session, row)


def list_playlists(
    session: Session, *, user: User, state: ContentState | None = None, archived: bool = False
) -> list[PlaylistPublic]:
    found = records.listing(session, user=user, model=Playlist, state=state, archived=archived)
    return [public(session, r) for r in found]


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
    data, converted = convert_fields(data, ("name",))
    unit_id = owner_unit(session, actor.user, data.unit_id)
    row = Playlist(name=data.name, unit_id=unit_id, created_by=actor.user.id)
    saved = records.save(session, actor=actor, changes=changes, row=row, action="create")
    return public(session, saved).model_copy(update={"converted": converted})


def update_playlist(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, patch: PlaylistUpdate
) -> PlaylistPublic:
    require_role(actor.user, EDITORS)
    patch, converted = convert_fields(patch, ("name",))
    row = records.fetch(session, user=actor.user, model=Playlist, item_id=playlist_id)
    records.ensure_live(row)
    if _waits(session, row) and patch.name is not None:
        return _propose(session, actor, row, {**playlist_draft(session, row), "name": patch.name})
    before = audit.snapshot(row)
    row.sqlmodel_update(patch.model_dump(exclude_unset=True, exclude_none=True))
    mark_edited(row, actor.user)
    row = records.save(session, actor=actor, changes=changes, row=row, action="update", before=before)
    return public(session, row).model_copy(update={"converted": converted})


def delete_playlist(session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int) -> None:
    """Delete a playlist (with its items) that no schedule uses (``content.in_use`` otherwise)."""
    row = records.deletable(
        session, actor=actor, model=Playlist, item_id=playlist_id,
        used_by=_schedules_using(playlist_id),
        user_kind=Schedule, refusal="schedules {used} use this playlist; change or delete them first")
    session.exec(delete(PlaylistItem).where(col(PlaylistItem.playlist_id) == playlist_id))
    # Its edits, waiting or decided, go with it (the audit trail keeps them); a publication that
    # made it keeps its record without it.
    session.exec(delete(Submission).where(col(Submission.kind) == SubmissionKind.EDIT,
                                          col(Submission.playlist_id) == playlist_id))
    made = update(Submission).where(col(Submission.playlist_id) == playlist_id)
    session.exec(made.values(playlist_id=None))
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
        if isinstance(row, Media) and (item.kind == ItemKind.VIDEO) != row.content_type.startswith("video/"):
            message = f"media {ref} ({row.content_type}) cannot be a {item.kind} item"
            raise Invalid("content.media_kind", message, kind=str(item.kind))
        wrong = pdf_media.check_kind(item.kind, row) if isinstance(row, Media) else None
        if wrong:
            raise Invalid("content.pdf_kind_mismatch", wrong, kind=item.kind.value, id=ref)


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
    row = records.fetch(session, user=actor.user, model=Playlist, item_id=playlist_id)
    records.ensure_live(row)
    return row


def _item(session: Session, playlist_id: int, item_id: int) -> PlaylistItem:
    item = session.get(PlaylistItem, item_id)
    if item is None or item.playlist_id != playlist_id:
        raise not_found("item", item_id)
    return item


def add_item(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, item: ItemCreate
) -> PlaylistPublic:
    """Append an item to a playlist (a ticker's text read for TCVN3 / VNI)."""
    item, converted = convert_fields(item, ("text",))
    playlist = _editable(session, actor, playlist_id)
    _check_references(session, actor.user, item)
    if _waits(session, playlist):
        draft = playlist_draft(session, playlist)
        draft["items"].append({"id": new_item_id(draft), **item.model_dump(mode="json")})
        return _propose(session, actor, playlist, draft)
    last = session.exec(
        select(func.max(PlaylistItem.position)).where(PlaylistItem.playlist_id == playlist_id)
    ).one()
    row = PlaylistItem(playlist_id=playlist_id, position=(last or 0) + 1, **item.model_dump())
    session.add(row)
    session.flush()
    edited = _edited(session, actor, changes, playlist, "add", None, {"item": audit.snapshot(row)})
    return edited.model_copy(update={"converted": converted})


def update_item(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, item_id: int,
    patch: ItemUpdate,
) -> PlaylistPublic:
    """A partial update; the merged item is validated as a whole (kind, references, options)."""
    patch, converted = convert_fields(patch, ("text",))
    playlist = _editable(session, actor, playlist_id)
    if _waits(session, playlist):
        draft = playlist_draft(session, playlist)
        found = draft_item(draft, item_id)
        fields = {k: v for k, v in found.items() if k != "id"}
        changed = revalidated(ItemCreate, {**fields, **patch.model_dump(exclude_unset=True)})
        _check_references(session, actor.user, changed)
        found.update(changed.model_dump(mode="json"))
        return _propose(session, actor, playlist, draft)
    row = _item(session, playlist_id, item_id)
    current: dict[str, Any] = row.model_dump(include=set(ItemCreate.model_fields))
    whole = revalidated(ItemCreate, {**current, **patch.model_dump(exclude_unset=True)})
    _check_references(session, actor.user, whole)
    before = audit.snapshot(row)
    row.sqlmodel_update(whole.model_dump())
    session.add(row)
    edited = _edited(session, actor, changes, playlist, "update", before, audit.snapshot(row))
    return edited.model_copy(update={"converted": converted})


def remove_item(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, item_id: int
) -> PlaylistPublic:
    playlist = _editable(session, actor, playlist_id)
    if _waits(session, playlist):
        draft = playlist_draft(session, playlist)
        gone = draft_item(draft, item_id)
        draft["items"] = [i for i in draft["items"] if i is not gone]
        return _propose(session, actor, playlist, draft)
    row = _item(session, playlist_id, item_id)
    before = {"item": audit.snapshot(row)}
    session.delete(row)
    return _edited(session, actor, changes, playlist, "remove", before, None)


def reorder_items(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int, item_ids: list[int]
) -> PlaylistPublic:
    """Put the items in this order (every item of the playlist, each once)."""
    playlist = _editable(session, actor, playlist_id)
    if _waits(session, playlist):
        draft = playlist_draft(session, playlist)
        _check_order(item_ids, [int(i["id"]) for i in draft["items"]])
        draft["items"] = [draft_item(draft, ident) for ident in item_ids]
        return _propose(session, actor, playlist, draft)
    items = {i.id: i for i in items_of(session, playlist_id) if i.id is not None}
    _check_order(item_ids, list(items))
    before = {"order": [i for i, _ in sorted(items.items(), key=lambda kv: kv[1].position)]}
    for position, item_id in enumerate(item_ids, start=1):
        items[item_id].position = position
        session.add(items[item_id])
    return _edited(session, actor, changes, playlist, "reorder", before, {"order": item_ids})


def _check_order(item_ids: list[int], present: list[int]) -> None:
    if sorted(item_ids) != sorted(present):
        raise Invalid("playlist.order_incomplete",
                      f"item_ids: give every item of the playlist exactly once: {sorted(present)}",
                      items=", ".join(map(str, sorted(present))))


def archive_playlist(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int
) -> PlaylistPublic:
    """Take a playlist off air and out of lists and pickers (``content.in_use`` while a schedule
    that is not archived plays it)."""
    uses = records.Uses(_schedules_using(playlist_id), Schedule,
                        "schedules {used} use this playlist; archive or change them first")
    row = records.archive(session, actor=actor, changes=changes, model=Playlist, item_id=playlist_id,
                          uses=uses)
    return public(session, row)


def restore_playlist(
    session: Session, *, actor: Actor, changes: ChangeFeed, playlist_id: int
) -> PlaylistPublic:
    return public(session, records.restore(session, actor=actor, changes=changes, model=Playlist,
                                           item_id=playlist_id))
