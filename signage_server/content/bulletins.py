"""Bulletin services: text notices (title and body NFC at entry, converted from TCVN3 or VNI,
Decree 49 category, Circular 39 priority), called by the JSON API and the panel alike. An edit of
an approved bulletin waits beside it as a submission (``publications.propose_edit``) while the
approved text stays on air."""

from __future__ import annotations

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_contract import Category
from signage_server.content import records
from signage_server.content.publications import pending_edit, propose_edit
from signage_server.content.speech import Speaker, record_speech
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
from signage_server.core.legacy_text import convert_fields
from signage_server.core.paging import Page
from signage_server.core.roles import EDITORS
from signage_server.models import (
    PLAYABLE_STATES,
    Bulletin,
    ContentState,
    Playlist,
    PlaylistItem,
    User,
    utcnow,
)
from signage_server.schemas import (
    BulletinBase,
    BulletinCreate,
    BulletinPublic,
    BulletinUpdate,
    StateChange,
    is_expired,
)

TEXT_FIELDS = ("title", "body")  # read for TCVN3 / VNI text at entry (core/legacy_text.py)


def public(row: Bulletin, session: Session | None = None) -> BulletinPublic:
    """The bulletin as it is on air; with a session, also the edit waiting for approval, if any."""
    found = BulletinPublic.model_validate(row, from_attributes=True)
    edit = pending_edit(session, row.id) if session is not None and row.id is not None else None
    return found.model_copy(update={"expired": is_expired(row.valid_until, utcnow()),
                                    "pending_edit": None if edit is None else edit.pending,
                                    "pending_submission_id": None if edit is None else edit.id})


def list_bulletins(
    session: Session, *, user: User, state: ContentState | None = None, archived: bool = False
) -> list[BulletinPublic]:
    return [public(r) for r in records.listing(session, user=user, model=Bulletin, state=state,
                                               archived=archived)]


def bulletin_page(
    session: Session, *, user: User, wanted: records.ContentQuery, category: Category | None = None
) -> Page[BulletinPublic]:
    """One page of bulletins, newest first: by state, words in the title or text, unit, category."""
    where = [] if category is None else [col(Bulletin.category) == category]
    found = records.page(session, user=user, model=Bulletin, wanted=wanted,
                         searched=[col(Bulletin.title), col(Bulletin.body)], where=where)
    return Page([public(r) for r in found.rows], found.total, found.number, found.per_page)


def get_bulletin(session: Session, *, user: User, bulletin_id: int) -> BulletinPublic:
    return public(records.fetch(session, user=user, model=Bulletin, item_id=bulletin_id), session)


def create_bulletin(
    session: Session, *, actor: Actor, changes: ChangeFeed, data: BulletinCreate,
    speaker: Speaker | None = None,
) -> BulletinPublic:
    """A new bulletin; one marked to be spoken is recorded first (``speech.*`` refusals)."""
    require_role(actor.user, EDITORS)
    data, converted = convert_fields(data, TEXT_FIELDS)
    unit_id = owner_unit(session, actor.user, data.unit_id)
    if data.speak:
        record_speech(session, speaker, data.title, data.body)
    row = Bulletin.model_validate(data, update={"unit_id": unit_id, "created_by": actor.user.id})
    saved = public(records.save(session, actor=actor, changes=changes, row=row, action="create"))
    return saved.model_copy(update={"converted": converted})


def update_bulletin(
    session: Session, *, actor: Actor, changes: ChangeFeed, bulletin_id: int, patch: BulletinUpdate,
    speaker: Speaker | None = None,
) -> BulletinPublic:
    """A partial update, validated merged with the current bulletin (approved text goes back to
    ``submitted``)."""
    require_role(actor.user, EDITORS)
    patch, converted = convert_fields(patch, TEXT_FIELDS)
    row = records.fetch(session, user=actor.user, model=Bulletin, item_id=bulletin_id)
    records.ensure_live(row)
    before = snapshot(row)
    fields = patch.model_dump(exclude_unset=True)
    whole = revalidated(BulletinBase, {**row.model_dump(include=set(BulletinBase.model_fields)), **fields})
    if whole.speak:
        record_speech(session, speaker, whole.title, whole.body)
    if row.state in PLAYABLE_STATES and not auto_approves(session, row.unit_id):
        # The approved text stays on the boards; the edit waits beside it for its own approval.
        propose_edit(session, actor=actor, row=row, fields=whole.model_dump(include=set(fields)))
        session.commit()
        session.refresh(row)
        return public(row, session).model_copy(update={"converted": converted})
    row.sqlmodel_update(whole.model_dump(include=set(fields)))
    mark_edited(row, actor.user)
    row = records.save(session, actor=actor, changes=changes, row=row, action="update", before=before)
    return public(row, session).model_copy(update={"converted": converted})


def delete_bulletin(session: Session, *, actor: Actor, changes: ChangeFeed, bulletin_id: int) -> None:
    """Delete a bulletin no playlist shows (``content.in_use`` otherwise)."""
    row = records.deletable(
        session, actor=actor, model=Bulletin, item_id=bulletin_id,
        used_by=_playlists_showing(bulletin_id),
        user_kind=Playlist, refusal="playlists {used} show this bulletin; remove it from them first")
    records.remove(session, actor=actor, changes=changes, row=row)


def _playlists_showing(bulletin_id: int) -> SelectOfScalar[int]:
    return select(PlaylistItem.playlist_id).where(PlaylistItem.bulletin_id == bulletin_id)


def where_used(session: Session, *, user: User, bulletin_id: int) -> list[tuple[int, str]]:
    """The playlists (id, name) that show a bulletin in scope."""
    records.fetch(session, user=user, model=Bulletin, item_id=bulletin_id)
    return records.users_of(session, used_by=_playlists_showing(bulletin_id), user_kind=Playlist)


def change_bulletin_state(
    session: Session, *, actor: Actor, changes: ChangeFeed, bulletin_id: int, change: StateChange
) -> BulletinPublic:
    row = records.change_state(session, actor=actor, changes=changes, model=Bulletin, item_id=bulletin_id,
                               change=change)
    return public(row)


def archive_bulletin(
    session: Session, *, actor: Actor, changes: ChangeFeed, bulletin_id: int
) -> BulletinPublic:
    """Take a bulletin off air and out of lists and pickers (``content.in_use`` while a playlist
    that is not archived shows it)."""
    uses = records.Uses(_playlists_showing(bulletin_id), Playlist,
                        "playlists {used} show this bulletin; archive them or remove it from them first")
    row = records.archive(session, actor=actor, changes=changes, model=Bulletin, item_id=bulletin_id,
                          uses=uses)
    return public(row, session)


def restore_bulletin(
    session: Session, *, actor: Actor, changes: ChangeFeed, bulletin_id: int
) -> BulletinPublic:
    row = records.restore(session, actor=actor, changes=changes, model=Bulletin, item_id=bulletin_id)
    return public(row, session)
