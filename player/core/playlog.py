"""Proof of play: a durable local queue of play records (SQLite), uploaded by net/play_upload.py.

The frame loop never touches the disk: ``PlayTracker`` (playtrack.py) puts events on a queue and
``PlayLog``'s writer thread commits them in groups. Durability: WAL with ``synchronous=FULL``, so a
committed record survives a power cut, not only a crash (NORMAL may lose the last commits when
power goes; power cuts are common on these boards). The cost is one fsync per group commit, and
at a few hundred records an hour that is nothing, and never on the frame loop.

An item still on screen is an *open* row whose ``ended_at`` is moved forward by periodic touches;
after a crash or power cut it is closed at its last touch on the next start, so at most one touch
interval of play is lost. Only closed rows are uploaded. Upload is idempotent: the record id (a
UUID chosen here) is the server's key, rows are deleted only once the server acknowledged them,
so a retry after a timeout or a kill -9 mid-upload sends the same ids again and the server stores
each once.

Bound: ``MAX_ROWS`` rows (200,000: about 4 weeks at 300 records an hour, ~100 MB) and ``MAX_AGE``
(30 days). At the bound the oldest records are dropped first (logged once with their count): the
board keeps playing and recent proof of play matters more than a full disk. A 7-day outage at a
few hundred records an hour is ~50,000 rows, well inside.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from signage_contract.device import PLAY_BATCH_MAX, PlayRecord

log = logging.getLogger(__name__)
MAX_ROWS = 200_000
MAX_AGE = timedelta(days=30)
PRUNE_EVERY_INSERTS = 1000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS plays (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    open INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS plays_open ON plays (open, seq);
"""


def stamp(when: datetime) -> str:
    """Fixed-width UTC text, so stored instants sort as text."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


@dataclass(frozen=True)
class PlayStarted:
    record: PlayRecord  # its ended_at equals started_at until touched or ended


@dataclass(frozen=True)
class PlayEnded:
    record_id: str
    ended_at: datetime


@dataclass(frozen=True)
class PlaysTouched:
    """Every open record is still on screen at ``at``."""

    at: datetime


@dataclass(frozen=True)
class _Flush:
    done: threading.Event


PlayEvent = PlayStarted | PlayEnded | PlaysTouched


class PlayLog:
    """The SQLite queue and its writer thread; ``submit`` never blocks."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = path
        self.clock = clock
        self._events: queue.SimpleQueue[PlayEvent | _Flush | None] = queue.SimpleQueue()
        self._lock = threading.Lock()  # one connection, shared by the writer and the uploader
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._inserted = 0
        self._dropped_logged = False
        with self._transaction() as db:
            db.execute("UPDATE plays SET open = 0 WHERE open = 1")  # cut short by a crash or power cut
        self.prune()
        self._writer = threading.Thread(target=self._write_loop, name="signage-playlog", daemon=True)
        self._writer.start()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- the writer -------------------------------------------------------------------------------
    def submit(self, event: PlayEvent) -> None:
        self._events.put(event)

    def flush(self, timeout_s: float = 30.0) -> None:
        """Wait until every event submitted so far is committed (tests, shutdown)."""
        done = threading.Event()
        self._events.put(_Flush(done))
        if not done.wait(timeout_s):
            raise TimeoutError("play log writer did not catch up")

    def _write_loop(self) -> None:
        while True:
            batch = [self._events.get()]
            while True:  # group commit: everything already queued goes into one transaction
                try:
                    batch.append(self._events.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(e for e in batch if isinstance(e, PlayStarted | PlayEnded | PlaysTouched))
            except sqlite3.Error:  # loop boundary: a full disk must not end the writer
                log.exception("cannot write play records")
            for event in batch:
                if isinstance(event, _Flush):
                    event.done.set()
            if None in batch:
                return

    def _write(self, events: Iterator[PlayEvent]) -> None:
        with self._transaction() as db:
            for event in events:
                if isinstance(event, PlayStarted):
                    record = event.record
                    db.execute(
                        "INSERT OR IGNORE INTO plays (id, body, ended_at, open) VALUES (?, ?, ?, 1)",
                        (record.id, record.model_dump_json(), stamp(record.ended_at)),
                    )
                    self._inserted += 1
                elif isinstance(event, PlayEnded):
                    db.execute(
                        "UPDATE plays SET ended_at = ?, open = 0 WHERE id = ?",
                        (stamp(event.ended_at), event.record_id),
                    )
                else:
                    db.execute("UPDATE plays SET ended_at = ? WHERE open = 1", (stamp(event.at),))
        if self._inserted >= PRUNE_EVERY_INSERTS:
            self._inserted = 0
            self.prune()

    def prune(self) -> int:
        """Apply the age and size bounds; returns how many records were dropped."""
        cutoff = stamp(self.clock() - MAX_AGE)
        with self._transaction() as db:
            dropped = db.execute("DELETE FROM plays WHERE open = 0 AND ended_at < ?", (cutoff,)).rowcount
            (count,) = db.execute("SELECT COUNT(*) FROM plays").fetchone()
            if count > MAX_ROWS:
                dropped += db.execute(
                    "DELETE FROM plays WHERE seq IN (SELECT seq FROM plays ORDER BY seq LIMIT ?)",
                    (count - MAX_ROWS,),
                ).rowcount
        if dropped and not self._dropped_logged:
            self._dropped_logged = True
            log.warning("play log full or too old: dropped the %d oldest records", dropped)
        return dropped

    def close(self) -> None:
        self._events.put(None)
        self._writer.join(timeout=30)
        with self._lock:
            self._db.close()

    # --- the upload side --------------------------------------------------------------------------
    def pending(self, limit: int = PLAY_BATCH_MAX) -> list[PlayRecord]:
        """The oldest closed records, ready to upload."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body, ended_at FROM plays WHERE open = 0 ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [
            PlayRecord.model_validate_json(body).model_copy(update={"ended_at": datetime.fromisoformat(end)})
            for body, end in rows
        ]

    def all_closed(self) -> list[PlayRecord]:
        """Every closed record, oldest first (bounded by MAX_ROWS): what a USB drive carries back."""
        return self.pending(limit=MAX_ROWS)

    def acknowledge(self, record_ids: list[str]) -> None:
        with self._transaction() as db:
            db.executemany("DELETE FROM plays WHERE id = ?", [(i,) for i in record_ids])

    def count(self, open_rows: bool | None = None) -> int:
        query, args = "SELECT COUNT(*) FROM plays", ()
        if open_rows is not None:
            query, args = query + " WHERE open = ?", (int(open_rows),)  # type: ignore[assignment]
        with self._lock:
            (total,) = self._db.execute(query, args).fetchone()
        return int(total)
