"""Proof-of-play ingestion: idempotent, attributed to the unit that owned the board at the time.

A record's identity is (board, device-chosen record id). Batches are inserted with
``INSERT .. ON CONFLICT DO NOTHING .. RETURNING`` (SQLite and PostgreSQL dialects alike), so a
retried batch, a batch replayed after a crash, or two concurrent retries of the same batch store
every record exactly once; the reply counts what was new and what was already there. The board is
always the authenticated one: a device cannot write records for another board.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from signage_contract import device as wire
from signage_server.models import Board, BoardUnitHistory, PlayLog


class UnitTimeline:
    """Which unit owned one board when (from ``board_unit_history``), for many lookups."""

    def __init__(self, rows: list[tuple[datetime, int]], fallback: int) -> None:
        self._starts = [start for start, _ in rows]
        self._units = [unit for _, unit in rows]
        self._fallback = fallback

    @classmethod
    def load(cls, session: Session, board: Board) -> UnitTimeline:
        rows = session.exec(
            select(BoardUnitHistory.valid_from, BoardUnitHistory.unit_id)
            .where(BoardUnitHistory.board_id == board.id)
            .order_by(col(BoardUnitHistory.valid_from))
        ).all()
        return cls([(start, unit) for start, unit in rows], board.unit_id)

    def unit_at(self, when: datetime) -> int:
        """The unit whose history row covers ``when``; before the first row, the first unit
        (a record a device made just before the board was registered belongs to its first owner)."""
        if not self._units:
            return self._fallback
        index = bisect_right(self._starts, when) - 1
        return self._units[max(index, 0)]


def refusal(record: wire.PlayRecord, now: datetime, future_tolerance: timedelta) -> str | None:
    """Why a record is refused for good, or None when it is acceptable."""
    if record.ended_at < record.started_at:
        return "ends before it starts"
    if record.ended_at > now + future_tolerance:
        return "ends in the future (device clock wrong?)"
    return None


def _row(board_id: int, record: wire.PlayRecord, unit_id: int, now: datetime) -> dict[str, Any]:
    return {
        "board_id": board_id,
        "record_id": record.id,
        "unit_id": unit_id,
        "region_id": record.region_id[:64],
        "item_id": record.item_id[:128],
        "schedule_id": record.schedule_id[:64] if record.schedule_id else None,
        "override_id": record.override_id[:64] if record.override_id else None,
        "reason": record.reason.value,
        "category": record.category.value,
        "priority": record.priority.value,
        "started_at": record.started_at,
        "ended_at": record.ended_at,
        "duration_s": (record.ended_at - record.started_at).total_seconds(),
        "received_at": now,
    }


def insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert rows into ``play_log``, skipping (board, record) pairs already there; returns how
    many were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(PlayLog)
        .on_conflict_do_nothing(index_elements=["board_id", "record_id"])
        .returning(col(PlayLog.id))
    )
    result = session.connection().execute(statement, rows)
    return len(result.all())


def ingest_batch(
    session: Session, board: Board, batch: wire.PlayBatch, now: datetime, future_tolerance: timedelta
) -> wire.PlayBatchReply:
    """Store a device's batch in one transaction and commit."""
    assert board.id is not None
    timeline = UnitTimeline.load(session, board)
    rejected: list[str] = []
    rows: dict[str, dict[str, Any]] = {}
    for record in batch.records:
        if refusal(record, now, future_tolerance) is not None:
            rejected.append(record.id)
        elif record.id not in rows:
            rows[record.id] = _row(board.id, record, timeline.unit_at(record.started_at), now)
    accepted = insert_ignoring_duplicates(session, list(rows.values()))
    session.commit()
    duplicates = len(batch.records) - len(rejected) - accepted
    return wire.PlayBatchReply(accepted=accepted, duplicates=duplicates, rejected=rejected)
