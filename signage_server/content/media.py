"""Media services: image uploads stored content-addressed by sha256 (checked by ``MediaStore``),
their files and thumbnails, edits, deletes and workflow moves; for the JSON API and the panel.

A rejected file raises ``MediaRejected`` (with the status the upload answers), everything else a
``DomainError``. An edit of an approved image waits beside it as a submission (``pending_edits``)
while the approved one stays on air.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_contract import Category, nfc
from signage_server.content import pdf_media, records
from signage_server.content.media_store import MediaStore, sanitize_filename
from signage_server.content.pending_edits import pending_media_edit, propose_media_edit
from signage_server.content.video_store import is_video, video_fields
from signage_server.content.workflow import (
    Actor,
    auto_approves,
    mark_edited,
    owner_unit,
    require_role,
    revalidated,
)
from signage_server.core.audit import snapshot
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import NotFound
from signage_server.core.paging import Page
from signage_server.core.roles import EDITORS
from signage_server.models import PLAYABLE_STATES, ContentState, Media, Playlist, PlaylistItem, User, utcnow
from signage_server.schemas import MediaPublic, MediaUpdate, StateChange, Validity, is_expired


@dataclass(frozen=True)
class Upload:
    """An image as sent: its bytes, the name and type the client gave, and how to file it."""

    source: BinaryIO
    filename: str
    declared_type: str | None
    title: str = ""
    category: Category = Category.OTHER
    unit_id: int | None = None  # default: the uploader's unit


@dataclass(frozen=True)
class Uploaded:
    media: MediaPublic
    created: bool  # False when the unit already had the same image (the existing record is answered)


def public(row: Media, session: Session | None = None) -> MediaPublic:
    """The image as it is on air; with a session, also the edit waiting for approval, if any."""
    found = MediaPublic.model_validate(row, from_attributes=True)
    edit = None
    if session is not None and row.id is not None and row.state in PLAYABLE_STATES:
        edit = pending_media_edit(session, row.id)
    return found.model_copy(update={"expired": is_expired(row.valid_until, utcnow()),
                                    "pending_edit": None if edit is None else edit.pending,
                                    "pending_submission_id": None if edit is None else edit.id})


def list_media(
    session: Session, *, user: User, state: ContentState | None = None, archived: bool = False
) -> list[MediaPublic]:
    found = records.listing(session, user=user, model=Media, state=state, archived=archived)
    return [public(r) for r in found]


def library(session: Session, *, user: User, category: Category | None = None) -> list[Media]:
    """The images in scope, newest first, optionally of one category (the panel's library)."""
    where = [] if category is None else [col(Media.category) == category]
    return records.listing(session, user=user, model=Media, where=where, newest_first=True)


def media_page(
    session: Session, *, user: User, wanted: records.ContentQuery, category: Category | None = None
) -> Page[Media]:
    """One page of the library, newest first: by state, title or file name, unit, category."""
    where = [] if category is None else [col(Media.category) == category]
    return records.page(session, user=user, model=Media, wanted=wanted,
                        searched=[col(Media.title), col(Media.original_name)], where=where)


def get_media(session: Session, *, user: User, media_id: int) -> MediaPublic:
    return public(records.fetch(session, user=user, model=Media, item_id=media_id), session)


def upload_media(
    session: Session, *, actor: Actor, changes: ChangeFeed, store: MediaStore, upload: Upload
) -> Uploaded:
    """Store an image for a unit; the same bytes uploaded again for that unit answer the existing
    record (``created`` False)."""
    require_role(actor.user, EDITORS)
    owner = owner_unit(session, actor.user, upload.unit_id)
    if pdf_media.is_pdf(upload.source, upload.filename, upload.declared_type):
        return _upload_pdf(session, actor=actor, changes=changes, store=store, upload=upload, owner=owner)
    if is_video(upload.source):
        fields = video_fields(store, upload.source, upload.filename, upload.declared_type)
    else:
        stored = store.ingest(upload.source, upload.filename, upload.declared_type)
        fields = {"sha256": stored.sha256, "size": stored.size, "content_type": stored.content_type,
                  "width": stored.width, "height": stored.height, "original_name": stored.safe_name}
    same = select(Media).where(Media.unit_id == owner, Media.sha256 == fields["sha256"])
    existing = session.exec(same).first()
    if existing is not None:
        return Uploaded(public(existing), created=False)
    row = Media(unit_id=owner, created_by=actor.user.id, title=nfc(upload.title).strip(),
                category=upload.category, **fields)
    row = records.save(session, actor=actor, changes=changes, row=row, action="create")
    return Uploaded(public(row), created=True)


def _upload_pdf(session: Session, *, actor: Actor, changes: ChangeFeed, store: MediaStore, upload: Upload,
                owner: int) -> Uploaded:
    """A PDF document and its pages (``pdf_media``), drawn at the size of the unit's largest board."""
    stored = pdf_media.ingest_pdf(store, upload.source, pdf_media.page_long_side_px(session, owner))
    same = select(Media).where(Media.unit_id == owner, Media.sha256 == stored.sha256)
    existing = session.exec(same).first()
    if existing is not None:
        return Uploaded(public(existing), created=False)
    first = stored.pages[0]
    row = Media(unit_id=owner, created_by=actor.user.id, sha256=stored.sha256, size=stored.size,
                content_type=pdf_media.PDF_TYPE, width=first.width, height=first.height,
                original_name=sanitize_filename(upload.filename), title=nfc(upload.title).strip(),
                category=upload.category)
    session.add(row)
    session.flush()
    assert row.id is not None
    pdf_media.add_pages(session, row.id, stored)
    row = records.save(session, actor=actor, changes=changes, row=row, action="create")
    return Uploaded(public(row), created=True)


def media_file(session: Session, *, user: User, store: MediaStore, media_id: int) -> tuple[Path, str]:
    """The stored file of an image in scope, and its content type."""
    row = records.fetch(session, user=user, model=Media, item_id=media_id)
    path = store.local_path(row.sha256)
    if path is None:
        raise NotFound("media.file_missing", f"media {media_id}: its file is missing from the store",
                       id=media_id)
    return path, row.content_type


def thumbnail_file(session: Session, *, user: User, store: MediaStore, media_id: int) -> Path:
    """The JPEG thumbnail of an image in scope."""
    row = records.fetch(session, user=user, model=Media, item_id=media_id)
    path = store.local_thumbnail(row.poster_sha256 or row.sha256)  # a video: its poster's
    if path is None:
        raise NotFound("media.no_thumbnail", f"media {media_id} has no thumbnail", id=media_id)
    return path


def update_media(
    session: Session, *, actor: Actor, changes: ChangeFeed, media_id: int, patch: MediaUpdate
) -> MediaPublic:
    require_role(actor.user, EDITORS)
    row = records.fetch(session, user=actor.user, model=Media, item_id=media_id)
    records.ensure_live(row)
    before = snapshot(row)
    fields = patch.model_dump(exclude_unset=True)
    if row.state in PLAYABLE_STATES and not auto_approves(session, row.unit_id):
        # The approved image stays on the boards; the edit waits beside it for its own approval.
        edit = pending_media_edit(session, row.id) if row.id is not None else None
        waiting = edit.pending if edit is not None and edit.pending else {}
        current = {"valid_from": row.valid_from, "valid_until": row.valid_until, **waiting}
        revalidated(Validity, {k: current.get(k) for k in ("valid_from", "valid_until")}
                    | {k: v for k, v in fields.items() if k in ("valid_from", "valid_until")})
        propose_media_edit(session, actor=actor, row=row,
                           fields={k: v for k, v in fields.items() if v is not None or k.startswith("valid")})
        session.commit()
        session.refresh(row)
        return public(row, session)
    validity = {"valid_from": row.valid_from, "valid_until": row.valid_until}
    validity.update({key: fields.pop(key) for key in list(validity) if key in fields})  # null clears
    revalidated(Validity, validity)
    row.sqlmodel_update({**{key: value for key, value in fields.items() if value is not None}, **validity})
    mark_edited(row, actor.user)
    row = records.save(session, actor=actor, changes=changes, row=row, action="update", before=before)
    return public(row, session)


def delete_media(
    session: Session, *, actor: Actor, changes: ChangeFeed, store: MediaStore, media_id: int
) -> None:
    """Delete the record of an image no playlist shows; the file goes too when no other unit's
    record shares it."""
    row = records.deletable(
        session, actor=actor, model=Media, item_id=media_id, used_by=_playlists_showing(media_id),
        user_kind=Playlist, refusal="playlists {used} show this image; remove it from them first")
    sha256, poster = row.sha256, row.poster_sha256
    pages = pdf_media.forget_pages(session, media_id)
    records.remove(session, actor=actor, changes=changes, row=row)
    pdf_media.drop_unused(session, store, pages)
    if session.exec(select(Media.id).where(Media.sha256 == sha256)).first() is None:
        store.delete(sha256)
        if poster is not None:  # a clip's poster frame goes with it
            store.delete(poster)


def _playlists_showing(media_id: int) -> SelectOfScalar[int]:
    return select(PlaylistItem.playlist_id).where(PlaylistItem.media_id == media_id)


def where_used(session: Session, *, user: User, media_id: int) -> list[tuple[int, str]]:
    """The playlists (id, name) that show an image in scope."""
    records.fetch(session, user=user, model=Media, item_id=media_id)
    return records.users_of(session, used_by=_playlists_showing(media_id), user_kind=Playlist)


def change_media_state(
    session: Session, *, actor: Actor, changes: ChangeFeed, media_id: int, change: StateChange
) -> MediaPublic:
    row = records.change_state(session, actor=actor, changes=changes, model=Media, item_id=media_id,
                               change=change)
    return public(row)


def archive_media(session: Session, *, actor: Actor, changes: ChangeFeed, media_id: int) -> MediaPublic:
    """Take an image off air and out of the library and pickers (``content.in_use`` while a
    playlist that is not archived shows it); its file stays."""
    uses = records.Uses(_playlists_showing(media_id), Playlist,
                        "playlists {used} show this image; archive them or remove it from them first")
    row = records.archive(session, actor=actor, changes=changes, model=Media, item_id=media_id, uses=uses)
    return public(row, session)


def restore_media(session: Session, *, actor: Actor, changes: ChangeFeed, media_id: int) -> MediaPublic:
    row = records.restore(session, actor=actor, changes=changes, model=Media, item_id=media_id)
    return public(row, session)
