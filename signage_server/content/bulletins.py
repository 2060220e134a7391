"""Bulletin services: text notices (title and body NFC at entry, Decree 49 category, Circular 39
priority), called by the JSON API and the panel alike."""

from __future__ import annotations

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_contract import Category
from signage_server.content import records
from signage_server.content.workflow import Actor, mark_edited, owner_unit, require_role, revalidated
from signage_server.core.audit import snapshot
from signage_server.core.changes import ChangeFeed
from signage_server.core.paging import Page
from signage_server.core.roles import EDITORS
from signage_server.models import Bulletin, ContentState, Playlist, PlaylistItem, User, utcnow
from signage_server.schemas import (
    BulletinBase,
    BulletinCreate,
    BulletinPublic,
    BulletinUpdate,
    StateChange,
    is_expired,
)


def public(row: Bulletin) -> BulletinPublic:
    found = BulletinPublic.model_validate(row, from_attributes=True)
    return found.model_copy(update={"expired": is_expired(row.valid_until, utcnow())})


def list_bulletins(
    session: Session, *, user: User, state: ContentState | None = None
) -> list[BulletinPublic]:
    return [public(r) for r in records.listing(session, user=user, model=Bulletin, state=state)]


def bulletin_page(
    session: Session, *, user: User, wanted: records.ContentQuery, category: Category | None = None
) -> Page[BulletinPublic]:
    """One page of bulletins, newest first: by state, words in the title or text, unit, category."""
    where = [] if category is None else [col(Bulletin.category) == category]
    found = records.page(session, user=user, model=Bulletin, wanted=wanted,
                         searched=[col(Bulletin.title), col(Bulletin.body)], where=where)
    return Page([public(r) for r in found.rows], found.total, found.number, found.per_page)


def get_bulletin(session: Session, *, user: User, bulletin_id: int) -> BulletinPublic:
    return public(records.fetch(session, user=user, model=Bulletin, item_id=bulletin_id))


def create_bulletin(
    session: Session, *, actor: Actor, changes: ChangeFeed, data: BulletinCreate
) -> BulletinPublic:
    require_role(actor.user, EDITORS)
    unit_id = owner_unit(session, actor.user, data.unit_id)
    row = Bulletin.model_validate(data, update={"unit_id": unit_id, "created_by": actor.user.id})
    return public(records.save(session, actor=actor, changes=changes, row=row, action="create"))


def update_bulletin(
    session: Session, *, actor: Actor, changes: ChangeFeed, bulletin_id: int, patch: BulletinUpdate
) -> BulletinPublic:
    """A partial update, validated merged with the current bulletin (approved text goes back to
    ``submitted``)."""
    require_role(actor.user, EDITORS)
    row = records.fetch(session, user=actor.user, model=Bulletin, item_id=bulletin_id)
    before = snapshot(row)
    fields = patch.model_dump(exclude_unset=True)
    whole = revalidated(BulletinBase, {**row.model_dump(include=set(BulletinBase.model_fields)), **fields})
    row.sqlmodel_update(whole.model_dump(include=set(fields)))
    mark_edited(row, actor.user)
    row = records.save(session, actor=actor, changes=changes, row=row, action="update", before=before)
    return public(row)


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
