"""Keeps every board's signed manifest current and nudges boards whose manifest changed.

Writes publish a ``Change``; the worker coalesces pending changes, finds the affected boards,
recomposes them in a thread (one batch of queries, whatever the number of boards), stores the
signed documents whose content version moved, and sends each of those boards a nudge through the
bus. The horizon slides at local midnight: boards whose stored horizon is running short are
recomposed by the same worker within ``REFRESH_INTERVAL_S``.

Several instances on one PostgreSQL compose through one lock (``composition_turn``): a change is
composed by the instance that took the write, after any composition in progress elsewhere (no two
instances store the same board's next sequence at once), and the periodic pass (expired overrides,
the horizon sliding at midnight) is done by whichever instance takes the lock first; the others skip
it rather than repeat it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import anyio
from nacl.signing import SigningKey
from sqlalchemy import bindparam, insert, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from signage_contract import HORIZON
from signage_contract.device import NUDGE_SPREAD_MAX_S, Nudge
from signage_server.core.bus import Bus, BusMessage
from signage_server.core.changes import Change
from signage_server.core.heap import release_free_memory
from signage_server.emergency.overrides import expire_due
from signage_server.manifest.affected import affected_boards
from signage_server.manifest.batch import ComposedBoard, Previous, iter_composed
from signage_server.manifest.inputs import ComposeInputs, load_inputs
from signage_server.manifest.shared_inputs import SharedInputsCache
from signage_server.models import Board, ComposedManifest
from signage_server.units.tree import UnitTree

log = logging.getLogger(__name__)
REFRESH_INTERVAL_S = 600.0
DEFAULT_FETCH_RATE = 150.0  # settings.nudge_fetch_rate
LARGE_BATCH = 1000  # boards composed together after which freed memory is handed back
STORE_CHUNK = 200  # composed documents written per statement (a province holds this many at once)
COMPOSE_LOCK_KEY = 0x5349_474E  # a PostgreSQL advisory lock shared by every instance


@contextlib.contextmanager
def composition_turn(engine: Engine, *, wait: bool) -> Iterator[bool]:
    """Yields whether this process may compose now. On PostgreSQL a session-level advisory lock on a
    connection of its own (the composing session commits, which would end a transaction-level lock):
    ``wait`` blocks until the lock is free, otherwise yields False when another instance holds it.
    SQLite serves one instance: always True."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        if wait:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": COMPOSE_LOCK_KEY})
            held = True
        else:
            tried = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": COMPOSE_LOCK_KEY})
            held = bool(tried.scalar())
        conn.commit()
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": COMPOSE_LOCK_KEY})
                conn.commit()
Clock = Callable[[], datetime]


def spread_s(boards: int, fetch_rate: float) -> float:
    """Over how many seconds ``boards`` nudged together should fetch their manifests: none below a
    second's worth of ``fetch_rate``; else boards / rate (10,000 boards at 150/s: 67 s), capped by
    what a board accepts. A province-wide override changes every manifest twice (its confirmation,
    its end): without a spread each is 10,000 fetches in the same second, on top of the push."""
    if boards <= fetch_rate:
        return 0.0
    return round(min(boards / fetch_rate, NUDGE_SPREAD_MAX_S), 1)


def system_clock() -> datetime:
    return datetime.now(UTC)


class BoardNotFound(LookupError):
    pass


_TABLE = ComposedManifest.__table__  # type: ignore[attr-defined]
# The media of the manifest being replaced move to ``previous_media_sha256`` in the same statement
# (SET reads the row as it was), so a board that fetched that manifest can still finish its media.
_UPDATE_KEEPING_PREVIOUS_MEDIA = (
    update(_TABLE)
    .where(_TABLE.c.board_id == bindparam("new_board_id"))
    .values(
        previous_media_sha256=_TABLE.c.media_sha256,
        **{
            name: bindparam(f"new_{name}", type_=_TABLE.c[name].type)
            for name in ("version", "document", "media_sha256", "horizon_end", "composed_at", "sequence",
                         "item_ids")
        },
    )
)


class Composer:
    def __init__(
        self,
        engine: Engine,
        signing_key: SigningKey,
        bus: Bus,
        poll_interval_s: int,
        clock: Clock = system_clock,
        fetch_rate: float = DEFAULT_FETCH_RATE,
    ) -> None:
        self._engine = engine
        self._fetch_rate = fetch_rate
        self._key = signing_key
        self._bus = bus
        self._poll_interval_s = poll_interval_s
        self._clock = clock
        self._pending: list[Change] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._shared = SharedInputsCache()  # the content every board shares, while unchanged

    # --- synchronous API (request threads) ------------------------------------------------------

    def recompose(self, session: Session, board_ids: Iterable[int] | None) -> dict[int, str]:
        """Compose the boards (None: all); store those whose content changed. Returns them."""
        now = self._clock()
        inputs = load_inputs(session, board_ids, now, self._shared)
        changed: dict[int, str] = {}
        try:
            self._store(session, self._composed(session, inputs, now), now, changed)
        except IntegrityError:
            # A request composing the same board stored it between our read and our insert (the
            # socket and the first poll of a new board arrive together): compose again over its row.
            # The chunks stored before are found unchanged this time and stay in ``changed``.
            session.rollback()
            self._store(session, self._composed(session, inputs, now), now, changed)
        return changed

    def _composed(
        self, session: Session, inputs: ComposeInputs, now: datetime
    ) -> Iterator[tuple[int, ComposedBoard, Previous | None]]:
        """The boards whose content differs from what is stored, composed one by one as they are
        consumed (what is stored is read first)."""
        previous = self._stored_versions(session, [board.board_id for board in inputs.boards])
        composed = iter_composed(
            inputs.boards,
            inputs.specs,
            inputs.playlists,
            inputs.layouts,
            inputs.overrides,
            now,
            self._key,
            poll_interval_s=self._poll_interval_s,
            previous=previous,
            changed_only=True,
            kept=inputs.groups,
        )
        return ((board_id, board, previous.get(board_id)) for board_id, board in composed)

    @staticmethod
    def _store(
        session: Session,
        composed: Iterable[tuple[int, ComposedBoard, Previous | None]],
        now: datetime,
        changed: dict[int, str],
    ) -> None:
        """Write the composed boards as they come, in chunks: one executemany per chunk and kind,
        then a commit, which adds the chunk's boards to ``changed``. A province's documents never
        sit in memory all at once, and no write lock is held while the next chunk is composed (on
        SQLite it would stop every other writer)."""
        updates: list[dict[str, object]] = []
        inserts: list[dict[str, object]] = []
        chunk: dict[int, str] = {}

        def commit() -> None:
            if updates:
                session.execute(_UPDATE_KEEPING_PREVIOUS_MEDIA, updates)
            if inserts:
                session.execute(insert(ComposedManifest), inserts)
            session.commit()
            changed.update(chunk)
            updates.clear()
            inserts.clear()
            chunk.clear()

        for board_id, board, before in composed:
            chunk[board_id] = board.version
            row = {
                "board_id": board_id,
                "version": board.version,
                "document": board.document,
                "media_sha256": list(board.media_sha256),
                "horizon_end": board.valid_until,
                "composed_at": now,
                "sequence": board.sequence,
                "item_ids": list(board.item_ids),
            }
            if before is None:
                inserts.append({**row, "previous_media_sha256": []})
            else:
                updates.append({f"new_{key}": value for key, value in row.items()})
            if len(chunk) >= STORE_CHUNK:
                commit()
        commit()

    @staticmethod
    def _stored_versions(session: Session, board_ids: list[int]) -> dict[int, Previous]:
        query = select(ComposedManifest.board_id, ComposedManifest.version, ComposedManifest.sequence)
        if len(board_ids) <= 500:
            query = query.where(col(ComposedManifest.board_id).in_(board_ids))
        return {board_id: Previous(version, sequence) for board_id, version, sequence in session.exec(query)}

    def current(self, session: Session, board_id: int) -> ComposedManifest:
        """The board's manifest, composed now if missing or if its horizon is running short."""
        row = session.get(ComposedManifest, board_id)
        now = self._clock()
        if row is None or row.horizon_end < now + HORIZON:
            if session.get(Board, board_id) is None:
                raise BoardNotFound(board_id)
            self.recompose(session, [board_id])
            session.expire_all()
            row = session.get(ComposedManifest, board_id)
            assert row is not None
        return row

    def current_version(self, session: Session, board_id: int) -> tuple[str, datetime]:
        """Just the version (the ETag) of the board's manifest and the end of its horizon: the
        cheap path of a 304 poll."""
        found = self._stored(session, board_id, _TABLE.c.horizon_end)
        if found is not None:
            return found[0], found[1]
        row = self.current(session, board_id)
        return row.version, row.horizon_end

    def current_document(self, session: Session, board_id: int) -> tuple[str, str, list[str] | None]:
        """The version, the signed document of the board's manifest (a full fetch) and the wire ids
        of the items it names (None for a row stored before they were kept)."""
        found = self._stored(session, board_id, _TABLE.c.document, _TABLE.c.item_ids)
        if found is not None:
            return found[0], found[1], found[2]
        row = self.current(session, board_id)
        return row.version, row.document, row.item_ids

    def _stored(self, session: Session, board_id: int, *columns: Any) -> tuple[Any, ...] | None:
        """(version, *``columns``) of the stored manifest when its horizon is long enough, else None
        (compose with ``current``): one read of a few columns, no ORM object (whose JSON columns
        cost a full fetch more than the read)."""
        found = session.connection().execute(
            sa_select(_TABLE.c.horizon_end, _TABLE.c.version, *columns).where(_TABLE.c.board_id == board_id)
        ).first()
        if found is None or found[0] < self._clock() + HORIZON:
            return None
        return tuple(found[1:])

    # --- change feed and worker (event loop) ----------------------------------------------------

    def on_change(self, change: Change) -> None:
        """ChangeFeed subscriber; safe to call from any thread."""
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._enqueue, change)

    def _enqueue(self, change: Change) -> None:
        self._pending.append(change)
        self._idle.clear()
        self._wake.set()

    async def wait_idle(self) -> None:
        """Until every change published so far has been composed and nudged (tests, demo)."""
        await asyncio.sleep(0)  # let call_soon_threadsafe callbacks land first
        await self._idle.wait()

    def stop(self) -> None:
        """Ask ``run`` to return once the batch in hand is stored (never abandon a thread that
        holds a database connection: the engine is disposed right after)."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), REFRESH_INTERVAL_S)
            self._wake.clear()
            if self._stopping:
                break
            changes, self._pending = self._pending, []
            try:
                touched, changed = await anyio.to_thread.run_sync(self._compose, changes)
                # Before the nudges: every instance forgets what it kept of these boards (their
                # version for 304 answers, their device tokens), deleted boards included.
                await self._bus.invalidate(frozenset(touched))
                await self._nudge(changed)
            except Exception:  # loop boundary: log, keep serving; the next change or refresh retries
                log.exception("recomposition failed")
            if not self._pending:
                self._idle.set()

    def _process(self, changes: list[Change]) -> dict[int, str]:
        """The boards whose stored manifest changed, with their new versions."""
        return self._compose(changes)[1]

    def _compose(self, changes: list[Change]) -> tuple[set[int], dict[int, str]]:
        """(every board the changes touched, those whose stored manifest changed with versions).
        Without changes (the periodic pass) it is skipped when another instance is composing."""
        with composition_turn(self._engine, wait=bool(changes)) as mine:
            if not mine:
                return set(), {}
            return self._compose_now(changes)

    def _compose_now(self, changes: list[Change]) -> tuple[set[int], dict[int, str]]:
        with Session(self._engine) as session:
            boards: set[int] = set()
            if changes:
                tree = UnitTree.load(session, self._clock().date())
                for change in changes:
                    boards |= affected_boards(session, change, tree)
            boards |= expire_due(session, self._clock())  # their manifests drop them
            boards |= self._short_horizons(session)
            changed = self.recompose(session, boards) if boards else {}
        if len(boards) >= LARGE_BATCH:
            release_free_memory()  # what composing them built and freed (core/heap.py)
        return boards, changed

    def _short_horizons(self, session: Session) -> set[int]:
        limit = self._clock() + HORIZON
        query = select(ComposedManifest.board_id).where(col(ComposedManifest.horizon_end) < limit)
        return set(session.exec(query).all())

    async def _nudge(self, changed: dict[int, str]) -> None:
        within_s = spread_s(len(changed), self._fetch_rate)
        for board_id, version in changed.items():
            await self._bus.publish(
                BusMessage(Nudge(version=version, within_s=within_s).model_dump_json(), frozenset({board_id}))
            )
        if changed:
            log.info("recomposed and nudged %d board(s)", len(changed))
