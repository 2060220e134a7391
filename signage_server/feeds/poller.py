"""The feed poller of a server instance (a task of the app lifespan): every tick it reads the feeds
that are due, turns their entries into content (``ingest``), places approved bulletins and takes
expired entries off. One instance works at a time: on PostgreSQL the tick runs under a session-level
advisory lock that the others skip; SQLite serves one instance only.

A feed that fails keeps what it made and says so in its own state (``record_failure``), once per
run of failures as far as the panel goes; the log says it once when it starts failing and once when
it is back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import anyio
import httpx
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import DomainError
from signage_server.feeds import ingest
from signage_server.feeds.fetch import FetchLimits, fetch_document
from signage_server.feeds.parse import parse_feed
from signage_server.models import Feed

log = logging.getLogger(__name__)
LOCK_KEY = 0x5F_EED_0001  # the advisory lock's number: one poller at a time across instances
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FeedPoller:
    def __init__(
        self, engine: Engine, changes: ChangeFeed, *, limits: FetchLimits = FetchLimits(),
        tick_s: float = 15.0, transport: httpx.AsyncBaseTransport | None = None, clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.changes = changes
        self.limits = limits
        self.tick_s = tick_s
        self.transport = transport
        self.clock = clock
        self._stopping = asyncio.Event()

    # --- one tick ----------------------------------------------------------------------------

    async def tick(self) -> int:
        """Poll every due feed, then place and expire for every feed; the number of polls made
        (0 when another instance holds the lock)."""
        lock = await anyio.to_thread.run_sync(self._lock)
        if lock is False:
            return 0
        try:
            due = await anyio.to_thread.run_sync(self._due)
            for feed_id in due:
                await self.poll(feed_id)
            await anyio.to_thread.run_sync(self._maintain)
            return len(due)
        finally:
            if isinstance(lock, Connection):
                await anyio.to_thread.run_sync(self._unlock, lock)

    def _lock(self) -> Connection | bool:
        """The advisory lock's connection on PostgreSQL (False when another instance has it)."""
        if self.engine.dialect.name != "postgresql":
            return True
        connection = self.engine.connect()
        if connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
            return connection
        connection.close()
        return False

    @staticmethod
    def _unlock(connection: Connection) -> None:
        with contextlib.closing(connection):
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})

    def _due(self) -> list[int]:
        now = self.clock()
        with Session(self.engine) as session:
            found = session.exec(select(Feed.id).where(col(Feed.active), col(Feed.next_poll_at) <= now)
                                 .order_by(col(Feed.next_poll_at))).all()
            return [i for i in found if i is not None]

    async def poll(self, feed_id: int) -> None:
        """Read one feed now and record how it went."""
        url = await anyio.to_thread.run_sync(self._start, feed_id)
        if url is None:
            return
        try:
            document = await fetch_document(url, self.limits, self.transport)
        except DomainError as error:
            await anyio.to_thread.run_sync(self._failed, feed_id, error)
            return
        await anyio.to_thread.run_sync(self._ingest, feed_id, document)

    def _start(self, feed_id: int) -> str | None:
        """Set the next poll time before reading, so a slow or failing feed is not read every tick."""
        now = self.clock()
        with Session(self.engine) as session:
            feed = session.get(Feed, feed_id)
            if feed is None or not feed.active:
                return None
            feed.next_poll_at = now + timedelta(minutes=feed.poll_interval_min)
            session.add(feed)
            session.commit()
            return feed.url

    def _ingest(self, feed_id: int, document: bytes) -> None:
        now = self.clock()
        with Session(self.engine) as session:
            feed = session.get(Feed, feed_id)
            if feed is None:
                return
            try:
                items = parse_feed(document)
                outcome = ingest.ingest(session, feed=feed, items=items, changes=self.changes, now=now)
            except DomainError as error:
                self._note_failure(session, feed, error, now)
                return
            if feed.error_code:
                log.info("feed %s is back", feed_id)
            if outcome.made or outcome.refused or outcome.expired:
                log.info("feed %s: %d entries made, %d refused by the content rules, %d placed, %d expired",
                         feed_id, outcome.made, outcome.refused, outcome.placed, outcome.expired)
            ingest.record_ok(session, feed, now)

    def _failed(self, feed_id: int, error: DomainError) -> None:
        with Session(self.engine) as session:
            feed = session.get(Feed, feed_id)
            if feed is not None:
                self._note_failure(session, feed, error, self.clock())

    @staticmethod
    def _note_failure(session: Session, feed: Feed, error: DomainError, now: datetime) -> None:
        if not feed.error_code:
            log.warning("feed %s fails: %s", feed.id, error.message)
        ingest.record_failure(session, feed, error, now)

    def _maintain(self) -> None:
        """Approved bulletins join their playlist, expired entries leave it, for every feed."""
        now = self.clock()
        with Session(self.engine) as session:
            for feed in session.exec(select(Feed)).all():
                ingest.place_playable(session, feed=feed, changes=self.changes, now=now)
                ingest.expire(session, feed=feed, changes=self.changes, now=now)

    # --- the loop ----------------------------------------------------------------------------

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # loop boundary: a database hiccup must not end the poller
                log.exception("feed poll failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.tick_s)
