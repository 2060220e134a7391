"""Receipts of overrides: what boards acknowledged (received, displayed), and the per-board status
an operator watches.

Acks arrive on the device sockets in bursts (every board of a province within a second); they are
queued without blocking the socket and written in batches, one upsert per batch in a worker
thread: whatever arrived while the previous batch was being written forms the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from signage_contract.device import OverrideAck
from signage_server.emergency.schemas import BoardDelivery, DeliveryStatus, OverrideStatusPublic
from signage_server.emergency.targets import BoardBrief
from signage_server.models import DeviceCredential, Override, OverrideReceipt, utcnow

BATCH_MAX = 2000
Key = tuple[int, int]  # (override id, board id)


class ReceiptRecorder:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[tuple[int, OverrideAck] | None] = asyncio.Queue()  # None: stop
        self._written = 0
        self._progress = asyncio.Condition()

    def record(self, board_id: int, ack: OverrideAck) -> None:
        """Called on the event loop for every ack; never blocks."""
        self._queue.put_nowait((board_id, ack))

    def stop(self) -> None:
        """``run`` returns once the acks queued before this are written (never abandoned mid-write)."""
        self._queue.put_nowait(None)

    async def run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[tuple[int, OverrideAck]] = []
            item = await self._queue.get()
            while item is not None:
                batch.append(item)
                if len(batch) >= BATCH_MAX or self._queue.empty():
                    break
                item = self._queue.get_nowait()
            stopping = item is None
            if not batch:
                continue
            await anyio.to_thread.run_sync(self.write, batch)
            async with self._progress:
                self._written += len(batch)
                self._progress.notify_all()

    async def wait_recorded(self, count: int) -> None:
        """Until ``count`` acks in all have been written (tests)."""
        async with self._progress:
            await self._progress.wait_for(lambda: self._written >= count)

    def write(self, batch: Iterable[tuple[int, OverrideAck]]) -> None:
        now = utcnow()
        merged: dict[Key, dict[str, Any]] = {}
        for board_id, ack in batch:
            if not ack.override_id.isdigit():
                continue  # not one of ours: ignore rather than fail the batch
            at = min(ack.at, now)  # a device clock running ahead must not date receipts in the future
            key = (int(ack.override_id), board_id)
            row = merged.setdefault(key, {"received_at": None, "displayed_at": None})
            stages = ("received_at", "displayed_at") if ack.stage == "displayed" else ("received_at",)
            for stage in stages:  # displayed implies received
                row[stage] = at if row[stage] is None else min(row[stage], at)
        if not merged:
            return
        with Session(self._engine) as session:
            known = set(session.exec(select(Override.id).where(
                col(Override.id).in_({key[0] for key in merged}))).all())
            values = [{"override_id": o, "board_id": b, **stages}
                      for (o, b), stages in merged.items() if o in known]
            if values:
                # executemany of one statement: compiling a VALUES list of thousands of rows would
                # hold the interpreter away from the event loop that is still sending pushes.
                session.connection().execute(_upsert(session), values)
                session.commit()


def _upsert(session: Session) -> Any:
    """Insert a receipt; on a repeat keep the earliest time of each stage."""
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(OverrideReceipt)
    table = OverrideReceipt.__table__  # type: ignore[attr-defined]
    earliest = {
        name: func.coalesce(func.min(table.c[name], statement.excluded[name]), table.c[name],
                            statement.excluded[name]) if dialect == "sqlite"
        else func.coalesce(func.least(table.c[name], statement.excluded[name]), table.c[name],
                           statement.excluded[name])
        for name in ("received_at", "displayed_at")
    }
    return statement.on_conflict_do_update(index_elements=["override_id", "board_id"], set_=earliest)


def reachable_boards(session: Session, now: datetime, window: timedelta) -> set[int]:
    """Boards whose device talked to any instance within ``window`` (a poll, a socket, a heartbeat)."""
    query = select(DeviceCredential.board_id).where(
        col(DeviceCredential.revoked_at).is_(None), col(DeviceCredential.last_seen_at) >= now - window)
    return set(session.exec(query).all())


def delivery_status(
    session: Session, row: Override, boards: list[BoardBrief], connected: set[int], reachable: set[int]
) -> OverrideStatusPublic:
    """Per board: displayed, delivered (stored, not yet shown), pending (reachable, no receipt yet)
    or unreachable (not connected, not seen lately, no receipt)."""
    assert row.id is not None
    receipts = {r.board_id: r for r in session.exec(
        select(OverrideReceipt).where(OverrideReceipt.override_id == row.id))}
    counts: dict[DeliveryStatus, int] = {"displayed": 0, "delivered": 0, "pending": 0, "unreachable": 0}
    out: list[BoardDelivery] = []
    for board in boards:
        receipt = receipts.get(board.id)
        received = receipt.received_at if receipt else None
        displayed = receipt.displayed_at if receipt else None
        state: DeliveryStatus
        if displayed is not None:
            state = "displayed"
        elif received is not None:
            state = "delivered"
        elif board.id in connected or board.id in reachable:
            state = "pending"
        else:
            state = "unreachable"
        counts[state] += 1
        out.append(BoardDelivery(board_id=board.id, name=board.name, status=state,
                                 connected=board.id in connected, received_at=received,
                                 displayed_at=displayed))
    return OverrideStatusPublic(override_id=row.id, state=row.state, counts=counts, boards=out)
