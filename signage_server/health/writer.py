"""Group commit of heartbeats: one writer, many heartbeats per transaction.

Ten thousand boards write their status row every 30 s. Letting each request write on its own
means as many concurrent transactions, which SQLite serialises with its busy-wait (a few hundred a
second at best). Instead a request only hashes its token and queues the heartbeat (stamped with
the receipt time); one writer takes everything queued, resolves the tokens, applies the
heartbeats and commits once, in one worker-thread hop, then answers every request of the batch.
Under light load a batch is one heartbeat and nothing waits; under heavy load batches grow by
themselves. A request is answered only after its heartbeat is committed.

If a batch fails (a board deleted meanwhile, a lost database connection), its heartbeats are
retried one transaction each, so one bad heartbeat fails alone.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

import anyio
from sqlalchemy import bindparam, update
from sqlmodel import Session, SQLModel

from signage_contract import device as wire
from signage_server.devices.auth import LAST_SEEN_RESOLUTION, hash_token, live_devices
from signage_server.health.monitor import HealthMonitor
from signage_server.health.store import write_heartbeats
from signage_server.health.webhook import LinkNotice

log = logging.getLogger(__name__)
MAX_BATCH = 1000


class UnknownDevice(Exception):
    """The bearer token names no live device credential."""


@dataclass
class _Pending:
    token_hash: str
    beat: wire.Heartbeat
    received_at: datetime
    future: asyncio.Future[list[LinkNotice]] = field(repr=False)


Outcome = list[LinkNotice] | BaseException


class HeartbeatWriter:
    def __init__(self, monitor: HealthMonitor, threads: anyio.CapacityLimiter | None = None,
                 max_batch: int = MAX_BATCH) -> None:
        """``threads``: the limiter board traffic borrows worker threads from (anyio's default without)."""
        self._monitor = monitor
        self._threads = threads
        self._max_batch = max_batch
        self._queue: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, token: str, beat: wire.Heartbeat) -> tuple[datetime, list[LinkNotice]]:
        """Queue a heartbeat and wait for its commit; returns the receipt time and the webhook
        payloads of any link event it caused. Raises ``UnknownDevice``."""
        received_at = self._monitor.clock()
        future: asyncio.Future[list[LinkNotice]] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(hash_token(token), beat, received_at, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return received_at, await future

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            try:
                outcomes = await anyio.to_thread.run_sync(self._write, batch, limiter=self._threads)
            except BaseException as exc:
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)
                raise
            for item, outcome in zip(batch, outcomes, strict=True):
                if item.future.done():
                    continue  # the client went away
                if isinstance(outcome, BaseException):
                    item.future.set_exception(outcome)
                else:
                    item.future.set_result(outcome)

    def _write(self, batch: list[_Pending]) -> list[Outcome]:
        try:
            with Session(self._monitor.engine) as session:
                return self._apply(session, batch)
        except Exception:
            if len(batch) == 1:
                raise
            log.warning("a heartbeat batch of %d failed; writing them one by one", len(batch))
        outcomes: list[Outcome] = []
        for item in batch:
            try:
                with Session(self._monitor.engine) as session:
                    outcomes += self._apply(session, [item])
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    def _apply(self, session: Session, batch: list[_Pending]) -> list[Outcome]:
        credentials = live_devices(session, {p.token_hash for p in batch})
        items: list[tuple[int, wire.Heartbeat, datetime]] = []
        stale: dict[int, datetime] = {}
        for item in batch:
            found = credentials.get(item.token_hash)
            if found is None:
                continue
            credential_id, board_id, last_seen = found
            if last_seen is None or item.received_at - last_seen > LAST_SEEN_RESOLUTION:
                stale[credential_id] = item.received_at
            items.append((board_id, item.beat, item.received_at))
        events = iter(write_heartbeats(session, items, self._monitor.config))
        if stale:  # in id order, as PollCache.flush_seen: the two never deadlock on these rows
            table = SQLModel.metadata.tables["device_credential"]
            session.connection().execute(
                update(table).where(table.c.id == bindparam("_id")),
                [{"_id": cid, "last_seen_at": at} for cid, at in sorted(stale.items())],
            )
        session.commit()
        return [self._monitor.payloads(session, next(events)) if p.token_hash in credentials
                else UnknownDevice() for p in batch]
