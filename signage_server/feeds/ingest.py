"""A feed's entries into content, through the content services (so text rules, approval and the
audit trail apply as to an editor's own work), and the feed's state after each poll.

- bulletin feeds: each new entry becomes a bulletin valid for the feed's time, approved at once when
  the feed is trusted (the approver who trusted it is its reviewer), otherwise submitted to the
  approval queue; it joins the playlist once it may play, so a bulletin waiting or rejected never
  holds up the playlist's own approval.
- ticker feeds: each new entry becomes a ticker line; a trusted feed adds it as is, an untrusted one
  adds it as an editor's edit (``playlists.add_item``), which sends the playlist to the queue.
- expired entries leave the playlist; a failing feed keeps what it made until that expires.
- an entry the content rules refuse (its text) is logged and remembered, and the others still come.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from signage_server.content import bulletins, playlists
from signage_server.content.schemas import ItemCreate
from signage_server.content.workflow import Actor
from signage_server.core import audit
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import DomainError, Invalid, Unavailable
from signage_server.core.legacy_text import convert_fields
from signage_server.feeds.parse import FeedItem
from signage_server.models import (
    PLAYABLE_STATES,
    Bulletin,
    ContentState,
    Feed,
    FeedEntry,
    FeedTarget,
    ItemKind,
    Playlist,
    PlaylistItem,
    User,
)
from signage_server.schemas import BulletinCreate, StateChange

log = logging.getLogger(__name__)
ENTRY_MEMORY = timedelta(days=30)  # an expired entry is remembered this long, so a re-poll skips it


@dataclass(frozen=True)
class Outcome:
    made: int = 0
    placed: int = 0
    expired: int = 0
    refused: int = 0  # entries the content rules refused (not made, not retried)


def feed_actor(session: Session, feed: Feed) -> Actor:
    """Who the feed's writes are made as: the editor who set it up (``feed.owner_inactive`` when
    that account is gone or disabled, so a feed never outlives its author's rights)."""
    owner = session.get(User, feed.created_by) if feed.created_by is not None else None
    if owner is None or not owner.active:
        raise Unavailable("feed.owner_inactive", "the account that set up this feed is disabled")
    return Actor(user=owner, ip="")


def _label(feed: Feed) -> str:
    return f"feed:{feed.id}"


def ingest(session: Session, *, feed: Feed, items: list[FeedItem], changes: ChangeFeed,
           now: datetime) -> Outcome:
    """Make content of the entries not seen before, then place and expire; records success."""
    actor = feed_actor(session, feed)
    if session.get(Playlist, feed.playlist_id) is None:
        raise Unavailable("feed.playlist_missing", "the playlist of this feed was deleted")
    seen = set(session.exec(select(FeedEntry.key).where(FeedEntry.feed_id == feed.id)).all())
    made = refused = 0
    for item in items:
        if item.key in seen:
            continue
        try:
            _make(session, feed=feed, actor=actor, item=item, changes=changes, now=now)
            made += 1
        except Invalid as error:  # this entry's text only: the feed's other entries still come in
            session.rollback()
            _refuse(session, feed=feed, item=item, error=error, now=now)
            refused += 1
    placed = place_playable(session, feed=feed, changes=changes, now=now)
    expired = expire(session, feed=feed, changes=changes, now=now)
    return Outcome(made=made, placed=placed, expired=expired, refused=refused)


def _refuse(session: Session, *, feed: Feed, item: FeedItem, error: Invalid, now: datetime) -> None:
    """An entry the content rules refuse (e.g. text mixing TCVN3 and Unicode): remembered as seen,
    with nothing made, so it is neither retried at every poll nor a reason to fail the feed."""
    log.warning("feed %s: entry %r refused (%s); the feed's other entries are made", feed.id,
                item.title[:80], error.code)
    session.add(FeedEntry(feed_id=feed.id or 0, key=item.key, title=item.title[:300], created_at=now,
                          valid_until=now + timedelta(minutes=feed.validity_min)))
    session.commit()


def _make(session: Session, *, feed: Feed, actor: Actor, item: FeedItem, changes: ChangeFeed,
          now: datetime) -> None:
    until = now + timedelta(minutes=feed.validity_min)
    entry = FeedEntry(feed_id=feed.id or 0, key=item.key, title=item.title[:300], created_at=now,
                      valid_until=until)
    if feed.target is FeedTarget.BULLETIN:
        made = bulletins.create_bulletin(session, actor=actor, changes=changes, data=BulletinCreate(
            title=item.title, body=item.text, unit_id=feed.unit_id, valid_from=now, valid_until=until))
        entry.bulletin_id = made.id
        if feed.trusted:
            _approve_as_trusted(session, feed=feed, bulletin_id=made.id, now=now)
        else:
            bulletins.change_bulletin_state(session, actor=actor, changes=changes, bulletin_id=made.id,
                                            change=StateChange(state=ContentState.SUBMITTED))
    else:
        line = ItemCreate(kind=ItemKind.TICKER, text=item.title, valid_from=now, valid_until=until)
        if feed.trusted:  # added as is, but its text follows the rules an editor's line follows
            line, _converted = convert_fields(line, ("text",))
            entry.item_id = _append(session, feed=feed, item=line)
        else:
            shown = playlists.add_item(session, actor=actor, changes=changes, playlist_id=feed.playlist_id,
                                       item=line)
            # An approved playlist keeps playing as approved: the line waits in the playlist's edit
            # for the approvers and carries its own validity, so nothing here removes it later.
            entry.item_id = None if shown.pending_edit is not None else max(i.id for i in shown.items)
    session.add(entry)
    session.commit()
    changes.publish(Change(playlists=frozenset({feed.playlist_id})))


def _approve_as_trusted(session: Session, *, feed: Feed, bulletin_id: int, now: datetime) -> None:
    row = session.get(Bulletin, bulletin_id)
    assert row is not None
    row.state, row.submitted_at, row.submitted_by = ContentState.APPROVED, now, feed.created_by
    row.reviewed_by, row.reviewed_at, row.updated_at = feed.trusted_by, now, now
    session.add(row)
    audit.record(session, action="approve", object_type="bulletin", object_id=bulletin_id,
                 actor=_label(feed), actor_id=feed.trusted_by, unit_id=row.unit_id,
                 after={"state": row.state.value, "feed": feed.id})


def _append(session: Session, *, feed: Feed, item: ItemCreate) -> int:
    """Add an item at the end of the feed's playlist, leaving the playlist's approval as it is
    (the item's content carries its own: a trusted feed, or an approved bulletin)."""
    last = session.exec(select(func.max(PlaylistItem.position))
                        .where(PlaylistItem.playlist_id == feed.playlist_id)).one()
    row = PlaylistItem(playlist_id=feed.playlist_id, position=(last or 0) + 1, **item.model_dump())
    session.add(row)
    session.flush()
    playlist = session.get(Playlist, feed.playlist_id)
    audit.record(session, action="add_item", object_type="playlist", object_id=feed.playlist_id,
                 actor=_label(feed), unit_id=None if playlist is None else playlist.unit_id,
                 after={"item": audit.snapshot(row)})
    assert row.id is not None
    return row.id


def place_playable(session: Session, *, feed: Feed, changes: ChangeFeed, now: datetime) -> int:
    """Put the feed's bulletins that may now play (approved, not expired) into its playlist."""
    rows = session.exec(
        select(FeedEntry, Bulletin).join(Bulletin, col(Bulletin.id) == col(FeedEntry.bulletin_id))
        .where(FeedEntry.feed_id == feed.id, col(FeedEntry.item_id).is_(None),
               col(FeedEntry.valid_until) > now, col(Bulletin.state).in_(PLAYABLE_STATES))
        .order_by(col(FeedEntry.id))
    ).all()
    if not rows or session.get(Playlist, feed.playlist_id) is None:
        return 0
    for entry, bulletin in rows:
        entry.item_id = _append(session, feed=feed, item=ItemCreate(
            kind=ItemKind.BULLETIN, bulletin_id=bulletin.id, valid_until=entry.valid_until))
        session.add(entry)
    session.commit()
    changes.publish(Change(playlists=frozenset({feed.playlist_id})))
    return len(rows)


def expire(session: Session, *, feed: Feed, changes: ChangeFeed, now: datetime) -> int:
    """Take expired entries off the playlist (whatever the feed's health); forget old ones."""
    rows = session.exec(select(FeedEntry).where(
        FeedEntry.feed_id == feed.id, col(FeedEntry.item_id).is_not(None),
        col(FeedEntry.valid_until) <= now)).all()
    for entry in rows:
        item = session.get(PlaylistItem, entry.item_id)
        if item is not None and item.playlist_id == feed.playlist_id:
            audit.record(session, action="remove_item", object_type="playlist", object_id=item.playlist_id,
                         actor=_label(feed), before={"item": audit.snapshot(item)})
            session.delete(item)
        entry.item_id = None
        session.add(entry)
    for old in session.exec(select(FeedEntry).where(
            FeedEntry.feed_id == feed.id, col(FeedEntry.valid_until) <= now - ENTRY_MEMORY)).all():
        session.delete(old)
    session.commit()
    if rows:
        changes.publish(Change(playlists=frozenset({feed.playlist_id})))
    return len(rows)


def record_ok(session: Session, feed: Feed, now: datetime) -> None:
    """The poll worked: the failure, if any, is over."""
    feed.last_polled_at = feed.last_ok_at = now
    feed.error_code, feed.error_detail, feed.failing_since = "", "", None
    session.add(feed)
    session.commit()


def record_failure(session: Session, feed: Feed, error: DomainError, now: datetime) -> None:
    """The poll failed: the state says so (since the first failure of the run); what the feed made
    stays on air until it expires."""
    session.rollback()
    feed = session.get(Feed, feed.id) or feed
    if not feed.error_code:
        feed.failing_since = now
    feed.last_polled_at = now
    feed.error_code, feed.error_detail = error.code, error.message[:500]
    session.add(feed)
    session.commit()
