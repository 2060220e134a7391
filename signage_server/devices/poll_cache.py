"""What an unchanged manifest poll needs, kept in memory so that its 304 touches no database.

Every board polls its manifest with the ETag it holds; nearly always nothing changed. Answering
that from PostgreSQL (the token's credential, the stored version) cost a poll five times a trivial
endpoint. This cache keeps, per instance:

- device tokens: sha256 of a live token -> (credential id, board id), learnt from the database
  on the first poll of a token;
- versions: board id -> (the stored manifest's version, the end of its horizon), learnt from the
  database or from this instance's own compositions.

It is kept fresh through the bus (``core/bus.py``): whatever changes a board's manifest or revokes
its credentials calls ``forget`` here and ``Bus.invalidate`` for the other instances, and an
instance that lost its Redis connection forgets everything. A read that started before an
invalidation of its board must not put back what it read: ``epoch`` is taken before the database
is read and ``remember_*`` drops the answer if that board (or every board) was invalidated in
between. Only that board: with a global epoch, any change anywhere voided every read in flight,
and under load (reads taking seconds, changes every few seconds) the cache stopped filling, every
poll went to the database and the backlog grew by itself (the soak, 10,000 boards). A restart
starts empty.

The last-seen stamp of a credential (``DeviceCredential.last_seen_at``, at most a minute old) is
kept here for polls answered from memory and written for all of them at once by ``flush_seen``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from signage_contract import HORIZON
from signage_server.core.bus import Bus

Clock = Callable[[], datetime]


def _system_clock() -> datetime:
    return datetime.now(UTC)


class PollCache:
    def __init__(self, clock: Clock = _system_clock) -> None:
        self.clock = clock
        self._tokens: dict[str, tuple[int, int]] = {}  # token hash -> (credential id, board id)
        self._versions: dict[int, tuple[str, datetime]] = {}  # board id -> (version, horizon end)
        self._seen: dict[int, datetime] = {}  # credential id -> last poll answered from memory
        self._epoch = 0  # invalidations so far
        self._stale_at: dict[int, int] = {}  # board id -> the epoch its last invalidation began
        self._all_stale_at = 0  # the epoch the last invalidation of every board began
        self._lock = threading.Lock()  # request threads remember, the event loop forgets

    @property
    def epoch(self) -> int:
        """Take it before reading the database; pass it to ``remember_*``."""
        return self._epoch

    def unchanged(self, token_hash: str, etags: set[str]) -> str | None:
        """The quoted ETag, if this token is a live device's and its board's manifest is one of
        ``etags`` with enough horizon left (the device is stamped as seen); None: ask the database."""
        device = self._tokens.get(token_hash)
        if device is None:
            return None
        credential_id, board_id = device
        known = self._versions.get(board_id)
        now = self.clock()
        if known is None or known[1] < now + HORIZON:
            return None
        etag = f'"{known[0]}"'
        if etag not in etags:
            return None
        self._seen[credential_id] = now
        return etag

    def seen(self, credential_id: int) -> None:
        """Stamp a device as seen now (written by the next ``flush_seen``, not by the request)."""
        with self._lock:
            self._seen[credential_id] = self.clock()

    def _current(self, board_id: int, epoch: int) -> bool:
        """Whether what was read from ``epoch`` on about the board is still true (lock held)."""
        return self._all_stale_at <= epoch and self._stale_at.get(board_id, 0) <= epoch

    def remember_token(self, token_hash: str, credential_id: int, board_id: int, epoch: int) -> None:
        with self._lock:
            if self._current(board_id, epoch):
                self._tokens[token_hash] = (credential_id, board_id)

    def remember_version(self, board_id: int, version: str, horizon_end: datetime, epoch: int) -> None:
        with self._lock:
            if self._current(board_id, epoch):
                self._versions[board_id] = (version, horizon_end)

    def forget(self, boards: frozenset[int] | None) -> None:
        """The versions and device tokens of these boards (None: of every board) are stale."""
        with self._lock:
            self._epoch += 1
            if boards is None:
                self._all_stale_at = self._epoch
                self._stale_at.clear()
                self._tokens.clear()
                self._versions.clear()
                return
            for board_id in boards:
                self._stale_at[board_id] = self._epoch
                self._versions.pop(board_id, None)
            stale = [token for token, (_, board_id) in self._tokens.items() if board_id in boards]
            for token in stale:
                del self._tokens[token]

    def flush_seen(self, engine: Engine) -> int:
        """Write the last-seen stamps of the polls answered from memory, in one statement; how many."""
        with self._lock:
            seen, self._seen = self._seen, {}
        if not seen:
            return 0
        table = SQLModel.metadata.tables["device_credential"]
        statement = update(table).where(table.c.id == bindparam("_id")).values(last_seen_at=bindparam("_at"))
        with engine.begin() as connection:
            # In id order, as the heartbeat writer's stamps: overlapping batches in another order
            # deadlocked on PostgreSQL (10,000 boards; the soak's server log).
            connection.execute(statement, [{"_id": cid, "_at": at} for cid, at in sorted(seen.items())])
        return len(seen)


async def forget_everywhere(cache: PollCache, bus: Bus, boards: frozenset[int]) -> None:
    """After a commit that revoked these boards' credentials or changed their manifests: forget
    them here at once, and on every other instance through the bus. Every route that revokes a
    device credential calls this (a revoked token must stop working on every instance)."""
    cache.forget(boards)
    await bus.invalidate(boards)
