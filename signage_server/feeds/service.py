"""Feed services for the JSON API and the panel: list and read in scope, create, change and delete
(editors and admins of the unit), trust (admins and approvers only: a trusted feed publishes without
approval, so trusting it is an approver's decision, and an editor who changes a trusted feed's
address or playlist takes the trust away). Every write is audited."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, func, select

from signage_server.content import records
from signage_server.content.workflow import Actor, owner_unit, record, require_role
from signage_server.core.audit import snapshot
from signage_server.core.auth import scope_unit_ids
from signage_server.core.errors import Forbidden, NotFound
from signage_server.core.paging import Page, PageRequest, paged
from signage_server.core.roles import EDITORS, REVIEWERS, describe
from signage_server.feeds.schemas import FeedCreate, FeedPublic, FeedStatus, FeedUpdate
from signage_server.models import (
    PLAYABLE_STATES,
    Bulletin,
    Feed,
    FeedEntry,
    Playlist,
    User,
    utcnow,
)

_TRUST_FIELDS = frozenset({"url", "playlist_id", "target"})  # what a trust was given for


def status_of(row: Feed) -> FeedStatus:
    if not row.active:
        return "paused"
    if row.error_code:
        return "failing"
    return "ok" if row.last_ok_at is not None else "new"


def public(session: Session, row: Feed) -> FeedPublic:
    assert row.id is not None
    now = utcnow()
    live = select(func.count()).select_from(FeedEntry).where(
        FeedEntry.feed_id == row.id, col(FeedEntry.valid_until) > now)
    on_air = session.exec(live.where(col(FeedEntry.item_id).is_not(None))).one()
    waiting = session.exec(live.where(col(FeedEntry.item_id).is_(None))
                           .join(Bulletin, col(Bulletin.id) == col(FeedEntry.bulletin_id))
                           .where(col(Bulletin.state).not_in(PLAYABLE_STATES))).one()
    return FeedPublic.model_validate({**row.model_dump(), "status": status_of(row),
                                      "entries_on_air": on_air, "entries_waiting": waiting})


def _not_found(feed_id: int) -> NotFound:
    return NotFound("feed.not_found", f"feed {feed_id} not found", id=feed_id)


def fetch_feed(session: Session, *, user: User, feed_id: int) -> Feed:
    """The feed if it lies in the user's scope; ``feed.not_found`` otherwise."""
    row = session.get(Feed, feed_id)
    if row is None or row.unit_id not in scope_unit_ids(session, user):
        raise _not_found(feed_id)
    return row


def feed_page(session: Session, *, user: User, wanted: PageRequest) -> Page[FeedPublic]:
    """The feeds in the user's scope, newest first."""
    query = select(Feed).where(col(Feed.unit_id).in_(scope_unit_ids(session, user))).order_by(
        col(Feed.id).desc())
    found = paged(session, query, wanted)
    return Page([public(session, r) for r in found.rows], found.total, found.number, found.per_page)


def get_feed(session: Session, *, user: User, feed_id: int) -> FeedPublic:
    return public(session, fetch_feed(session, user=user, feed_id=feed_id))


def _check_trust(user: User, trusted: bool | None) -> None:
    if trusted and user.role not in REVIEWERS:
        names = describe(REVIEWERS)
        raise Forbidden("feed.trust_role_needed", f"only these roles may trust a feed: {names}", roles=names)


def _check_playlist(session: Session, user: User, playlist_id: int) -> None:
    """The playlist must lie in the editor's scope (``content.not_found`` otherwise)."""
    records.fetch(session, user=user, model=Playlist, item_id=playlist_id)


def create_feed(session: Session, *, actor: Actor, data: FeedCreate) -> FeedPublic:
    require_role(actor.user, EDITORS)
    _check_trust(actor.user, data.trusted)
    unit_id = owner_unit(session, actor.user, data.unit_id)
    _check_playlist(session, actor.user, data.playlist_id)
    row = Feed.model_validate(data, update={
        "unit_id": unit_id, "created_by": actor.user.id,
        "trusted_by": actor.user.id if data.trusted else None})
    session.add(row)
    session.flush()
    record(session, actor, "create", "feed", row.id, unit_id=unit_id, after=snapshot(row))
    session.commit()
    session.refresh(row)
    return public(session, row)


def update_feed(session: Session, *, actor: Actor, feed_id: int, patch: FeedUpdate) -> FeedPublic:
    """A partial change; a new address, playlist or kind of item from an editor drops the trust."""
    require_role(actor.user, EDITORS | REVIEWERS)
    row = fetch_feed(session, user=actor.user, feed_id=feed_id)
    fields: dict[str, Any] = patch.model_dump(exclude_unset=True, exclude_none=True)
    if set(fields) - {"trusted", "active"}:
        require_role(actor.user, EDITORS)  # approvers only trust, pause or resume
    _check_trust(actor.user, fields.get("trusted"))
    if "playlist_id" in fields:
        _check_playlist(session, actor.user, fields["playlist_id"])
    before = snapshot(row)
    changed = {k for k, v in fields.items() if getattr(row, k) != v}
    row.sqlmodel_update(fields)
    if fields.get("trusted"):
        row.trusted_by = actor.user.id
    elif row.trusted and changed & _TRUST_FIELDS and actor.user.role not in REVIEWERS:
        row.trusted, row.trusted_by = False, None
    if "url" in changed or fields.get("active"):
        row.next_poll_at = utcnow()  # read the new address (or the resumed feed) at once
    if actor.user.role in EDITORS:
        row.created_by = actor.user.id  # the feed now writes as the editor who saved it last
    row.updated_at = utcnow()
    session.add(row)
    record(session, actor, "update", "feed", row.id, unit_id=row.unit_id, before=before, after=snapshot(row))
    session.commit()
    session.refresh(row)
    return public(session, row)


def delete_feed(session: Session, *, actor: Actor, feed_id: int) -> None:
    """Delete a feed and its record of entries; what it made (items, bulletins) stays until it
    expires like any other content."""
    require_role(actor.user, EDITORS)
    row = fetch_feed(session, user=actor.user, feed_id=feed_id)
    before = snapshot(row)
    session.exec(delete(FeedEntry).where(col(FeedEntry.feed_id) == feed_id))
    session.delete(row)
    record(session, actor, "delete", "feed", feed_id, unit_id=row.unit_id, before=before)
    session.commit()
