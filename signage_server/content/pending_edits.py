"""Edits of approved playlists and media that wait beside them (``Submission`` of kind ``edit``).

An approved playlist or image stays on air while its edit waits: the new version is kept in the
submission's ``pending`` (a playlist's name and whole item list, an image's title, category and
dates); approving applies it in one transaction, rejecting leaves what is on air. A playlist's
pending items keep the ids of the items they change; an added item has a negative id until the
edit is applied, so the item routes (update, remove, reorder) work on the draft alike.

Bulletins' and schedules' edits are in ``publications.py``; which row an edit changes is
``subject`` (the one of ``bulletin_id``, ``playlist_id``, ``media_ids``, ``schedule_ids`` it names).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from signage_server.content.board_fit import check_fits
from signage_server.content.schemas import ItemCreate
from signage_server.content.workflow import Actor, audit_content, not_found, unapproved_parts
from signage_server.core.audit import snapshot
from signage_server.core.errors import Conflict
from signage_server.models import (
    Bulletin,
    ContentMixin,
    ContentState,
    Media,
    Playlist,
    PlaylistItem,
    Submission,
    SubmissionKind,
    User,
    utcnow,
)
from signage_server.schemas import MediaUpdate

MEDIA_FIELDS = ("title", "category", "valid_from", "valid_until")
ITEM_FIELDS = tuple(ItemCreate.model_fields)
Subject = Literal["bulletin", "playlist", "media", "schedule"]


def subject(row: Submission) -> Subject:
    """Which kind of row an edit changes."""
    if row.bulletin_id is not None:
        return "bulletin"
    if row.playlist_id is not None:
        return "playlist"
    return "media" if row.media_ids else "schedule"


def mark_submitted(row: ContentMixin, user: User, now: datetime) -> None:
    row.state = ContentState.SUBMITTED
    row.submitted_by, row.submitted_at = user.id, now
    row.rejection_reason = ""


def _waiting_edits(session: Session) -> list[Submission]:
    return list(session.exec(select(Submission).where(
        Submission.kind == SubmissionKind.EDIT, Submission.state == ContentState.SUBMITTED,
        col(Submission.bulletin_id).is_(None))).all())


def _keep(
    session: Session, actor: Actor, submission: Submission, pending: dict[str, Any], title: str
) -> Submission:
    submission.pending = pending
    submission.title = title[:300]
    mark_submitted(submission, actor.user, utcnow())
    submission.updated_at = utcnow()
    session.add(submission)
    audit_content(session, actor, "submit", submission, None)
    return submission


# --- playlists ---------------------------------------------------------------------------------


def pending_playlist_edit(session: Session, playlist_id: int) -> Submission | None:
    """The edit of this playlist awaiting a decision, if any."""
    return next((r for r in _waiting_edits(session) if r.playlist_id == playlist_id), None)


def _aware(value: object) -> object:
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value


def item_fields(item: PlaylistItem) -> dict[str, Any]:
    """An item as a draft keeps it: its id and its fields as JSON."""
    fields = {k: _aware(v) for k, v in item.model_dump(include=set(ITEM_FIELDS)).items()}
    return {"id": item.id, **ItemCreate.model_validate(fields).model_dump(mode="json")}


def playlist_draft(session: Session, row: Playlist) -> dict[str, Any]:
    """The playlist as its editor is changing it: the waiting edit, else the version on air."""
    assert row.id is not None
    edit = pending_playlist_edit(session, row.id)
    if edit is not None and edit.pending is not None:
        return {"name": edit.pending["name"], "items": [dict(i) for i in edit.pending["items"]]}
    return {"name": row.name, "items": playlist_draft_on_air(session, row)}


def playlist_draft_on_air(session: Session, row: Playlist) -> list[dict[str, Any]]:
    items = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == row.id)
                         .order_by(col(PlaylistItem.position), col(PlaylistItem.id)))
    return [item_fields(i) for i in items]


def propose_playlist_edit(
    session: Session, *, actor: Actor, row: Playlist, draft: dict[str, Any]
) -> Submission:
    """Keep an edit of an approved playlist aside (the approved one stays on air); a later edit
    before the decision replaces it. Not committed: the caller commits."""
    assert row.id is not None
    submission = pending_playlist_edit(session, row.id) or Submission(
        kind=SubmissionKind.EDIT, unit_id=row.unit_id, created_by=actor.user.id, playlist_id=row.id)
    return _keep(session, actor, submission, draft, str(draft["name"]))


def _referenced(session: Session, item: ItemCreate) -> bool:
    if item.media_id is not None and session.get(Media, item.media_id) is None:
        return False
    return item.bulletin_id is None or session.get(Bulletin, item.bulletin_id) is not None


def apply_playlist_edit(session: Session, actor: Actor, row: Submission) -> None:
    """Put the waiting version of a playlist on air: its name, its items in their order (changed
    ones updated in place, new ones added, missing ones removed). What it shows must be approved."""
    playlist = session.get(Playlist, row.playlist_id) if row.playlist_id is not None else None
    if playlist is None or playlist.id is None or row.pending is None:
        raise Conflict("submission.edit_gone", "the playlist this edit changes no longer exists")
    query = select(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)
    current = {i.id: i for i in session.exec(query)}
    before = {**snapshot(playlist), "items": [item_fields(i)["id"] for i in current.values()]}
    kept: set[int] = set()
    for position, fields in enumerate(row.pending["items"], start=1):
        item = ItemCreate.model_validate({k: v for k, v in fields.items() if k != "id"})
        if not _referenced(session, item):
            raise Conflict("submission.edit_gone", "an item of this edit shows content that no longer exists")
        existing = current.get(fields.get("id"))
        if existing is None:
            existing = PlaylistItem(playlist_id=playlist.id, position=position, **item.model_dump())
        else:
            existing.sqlmodel_update({**item.model_dump(), "position": position})
            kept.add(fields["id"])
        session.add(existing)
    for ident, gone in current.items():
        if ident not in kept:
            session.delete(gone)
    playlist.name = str(row.pending["name"])
    session.flush()
    waiting = unapproved_parts(session, playlist)
    if waiting:
        raise Conflict("content.parts_not_approved",
                       f"approve what this shows first; not approved yet: {', '.join(waiting)}",
                       waiting=", ".join(waiting))
    check_fits(session, playlist)  # its QR codes stay scannable on every board its schedules reach
    _reviewed(session, actor, playlist, before)


def _reviewed(session: Session, actor: Actor, row: Playlist | Media, before: dict[str, Any]) -> None:
    now = utcnow()
    row.updated_at, row.reviewed_by, row.reviewed_at = now, actor.user.id, now
    session.add(row)
    audit_content(session, actor, "update", row, before)


def _item_line(session: Session, fields: dict[str, Any]) -> str:
    """An item in a line of the approver's difference: what it shows, by name, and how long."""
    shown = str(fields.get("text") or "")
    if fields.get("bulletin_id") is not None:
        bulletin = session.get(Bulletin, fields["bulletin_id"])
        shown = bulletin.title if bulletin is not None else ""
    elif fields.get("media_id") is not None:
        media = session.get(Media, fields["media_id"])
        shown = (media.title or media.original_name) if media is not None else ""
    return f"[{fields.get('kind')}] {shown} · {float(fields.get('duration_s') or 0):g} s"


def playlist_texts(session: Session, row: Submission) -> tuple[dict[str, str], dict[str, str]]:
    """A playlist's edit as texts to compare: its name and its items, one line each, on air now
    and as the edit would make them."""
    playlist = session.get(Playlist, row.playlist_id) if row.playlist_id is not None else None
    if playlist is None or row.pending is None:
        return {}, {}
    on_air = playlist_draft_on_air(session, playlist)
    return ({"name": playlist.name, "items": "\n".join(_item_line(session, i) for i in on_air)},
            {"name": str(row.pending["name"]),
             "items": "\n".join(_item_line(session, i) for i in row.pending["items"])})


def draft_item(draft: dict[str, Any], item_id: int) -> dict[str, Any]:
    """The item of a draft with this id; ``content.not_found`` otherwise."""
    found: dict[str, Any] | None = next((i for i in draft["items"] if i.get("id") == item_id), None)
    if found is None:
        raise not_found("item", item_id)
    return found


def new_item_id(draft: dict[str, Any]) -> int:
    """A negative id for an item added to a draft (no real item has one)."""
    return min([0, *(int(i["id"]) for i in draft["items"])]) - 1


# --- media -------------------------------------------------------------------------------------


def pending_media_edit(session: Session, media_id: int) -> Submission | None:
    """The edit of this image awaiting a decision, if any."""
    return next((r for r in _waiting_edits(session)
                 if r.playlist_id is None and r.media_ids == [media_id]), None)


def media_fields(row: Media) -> dict[str, Any]:
    fields = {k: _aware(v) for k, v in row.model_dump(include=set(MEDIA_FIELDS)).items()}
    found: dict[str, Any] = MediaUpdate.model_validate(fields).model_dump(mode="json")
    return found


def propose_media_edit(session: Session, *, actor: Actor, row: Media, fields: dict[str, Any]) -> Submission:
    """Keep an edit of an approved image aside (the approved one stays on air); a later edit before
    the decision is merged into it. ``fields`` are already checked. Not committed."""
    assert row.id is not None
    submission = pending_media_edit(session, row.id) or Submission(
        kind=SubmissionKind.EDIT, unit_id=row.unit_id, created_by=actor.user.id, media_ids=[row.id])
    merged = {**(submission.pending or media_fields(row)),
              **MediaUpdate.model_validate(fields).model_dump(mode="json", include=set(fields))}
    return _keep(session, actor, submission, merged, str(merged.get("title") or row.original_name))


def apply_media_edit(session: Session, actor: Actor, row: Submission) -> None:
    media = session.get(Media, row.media_ids[0]) if row.media_ids else None
    if media is None or row.pending is None:
        raise Conflict("submission.edit_gone", "the image this edit changes no longer exists")
    before = snapshot(media)
    whole = MediaUpdate.model_validate(row.pending)
    media.sqlmodel_update({**whole.model_dump(include=set(MEDIA_FIELDS)),
                           "title": whole.title or "", "category": whole.category or media.category})
    _reviewed(session, actor, media, before)
