"""Proof-of-play ingestion: idempotent, attributed to the unit that owned the board at the time.

A record's identity is (board, device-chosen record id). Batches are inserted with
``INSERT .. ON CONFLICT DO NOTHING .. RETURNING`` (SQLite and PostgreSQL dialects alike), so a
retried batch, a batch replayed after a crash, or two concurrent retries of the same batch store
every record exactly once; the reply counts what was new and what was already there. The board is
always the authenticated one: a device cannot write records for another board.

A board's clock may be wrong (no NTP, a flat RTC battery after a power cut). Its heartbeats measure
the offset (server minus board, ``board_status.clock_offset_s``); when that offset is at least
``ClockRules.correct_from``, every record is moved by it and marked ``corrected`` with the amount.
A record still ending further ahead of the server than ``future_tolerance`` (no heartbeat yet, or
the clock jumped since) is kept as it is and marked ``unverified``: proof of play is never thrown
away for a clock, and the board is never asked to send it again. Only a record that cannot be a
play at all (ending before it starts, or outside the calendar) is refused for good.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from signage_contract import device as wire
from signage_server.models import Board, BoardStatus, BoardUnitHistory, ClockStatus, PlaylistItem, PlayLog


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


@dataclass(frozen=True)
class ClockRules:
    future_tolerance: timedelta = timedelta(hours=1)  # a record may end this far ahead of the server
    correct_from: timedelta = timedelta(seconds=60)  # smaller offsets are network delay as much as clock


@dataclass(frozen=True)
class Placed:
    """A record's times as stored, and how they were placed."""

    started_at: datetime
    ended_at: datetime
    status: ClockStatus
    correction: timedelta = timedelta(0)


def refusal(record: wire.PlayRecord) -> str | None:
    """Why a record is refused for good, or None when it is kept."""
    if record.ended_at < record.started_at:
        return "ends before it starts"
    try:
        record.started_at.astimezone(UTC), record.ended_at.astimezone(UTC)
    except OverflowError:
        return "outside the calendar"
    return None


def place(record: wire.PlayRecord, now: datetime, offset: timedelta | None, rules: ClockRules) -> Placed:
    """Where an acceptable record goes on the server's clock, given the board's measured clock
    offset (server minus board; None when the board never sent a heartbeat)."""
    placed = Placed(record.started_at, record.ended_at, ClockStatus.DEVICE)
    if offset is not None and abs(offset) >= rules.correct_from:
        try:
            moved = (record.started_at + offset, record.ended_at + offset)
            placed = Placed(*moved, ClockStatus.CORRECTED, offset)
        except OverflowError:  # moved off the calendar: keep the board's times, unverified
            return Placed(record.started_at, record.ended_at, ClockStatus.UNVERIFIED)
    if placed.ended_at > now + rules.future_tolerance:
        return Placed(placed.started_at, placed.ended_at, ClockStatus.UNVERIFIED, placed.correction)
    return placed


def board_clock_offset(session: Session, board_id: int) -> timedelta | None:
    """The board's clock offset as its latest heartbeat measured it, None before any heartbeat."""
    offset = session.exec(select(BoardStatus.clock_offset_s).where(BoardStatus.board_id == board_id)).first()
    return None if offset is None else timedelta(seconds=offset)


def _row(
    board_id: int, record: wire.PlayRecord, placed: Placed, unit_id: int, now: datetime
) -> dict[str, Any]:
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
        "started_at": placed.started_at,
        "ended_at": placed.ended_at,
        "duration_s": (record.ended_at - record.started_at).total_seconds(),
        "received_at": now,
        "clock_status": placed.status.value,
        "clock_correction_s": placed.correction.total_seconds(),
    }


def parse_item_id(item_id: str) -> tuple[int, int] | None:
    """(playlist id, playlist item id) of a wire item id ``p<playlist>-i<item>``
    (``manifest.builder.item_id``); None for any other id (emergencies, fallbacks)."""
    playlist, sep, item = item_id.partition("-i")
    if not sep or not playlist.startswith("p") or not playlist[1:].isdigit() or not item.isdigit():
        return None
    return int(playlist[1:]), int(item)


def bulletins_of_items(session: Session, item_ids: set[str]) -> dict[str, int]:
    """The bulletin each wire item id shows, for those that show one (one query)."""
    parsed = {item_id: ids for item_id in item_ids if (ids := parse_item_id(item_id)) is not None}
    if not parsed:
        return {}
    rows = session.exec(
        select(PlaylistItem.id, PlaylistItem.playlist_id, PlaylistItem.bulletin_id)
        .where(col(PlaylistItem.id).in_({item for _, item in parsed.values()}),
               col(PlaylistItem.bulletin_id).is_not(None))
    ).all()
    found = {(playlist, item): bulletin for item, playlist, bulletin in rows if bulletin is not None}
    return {item_id: found[ids] for item_id, ids in parsed.items() if ids in found}


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
    session: Session, board: Board, batch: wire.PlayBatch, now: datetime, rules: ClockRules
) -> wire.PlayBatchReply:
    """Store a device's batch in one transaction and commit."""
    assert board.id is not None
    timeline = UnitTimeline.load(session, board)
    offset = board_clock_offset(session, board.id)
    rejected: list[str] = []
    rows: dict[str, dict[str, Any]] = {}
    flagged = {ClockStatus.CORRECTED: 0, ClockStatus.UNVERIFIED: 0}
    for record in batch.records:
        if refusal(record) is not None:
            rejected.append(record.id)
            continue
        placed = place(record, now, offset, rules)
        flagged[placed.status] = flagged.get(placed.status, 0) + 1
        if record.id not in rows:
            rows[record.id] = _row(board.id, record, placed, timeline.unit_at(placed.started_at), now)
    bulletins = bulletins_of_items(session, {row["item_id"] for row in rows.values()})
    for row in rows.values():
        row["bulletin_id"] = bulletins.get(row["item_id"])
    accepted = insert_ignoring_duplicates(session, list(rows.values()))
    session.commit()
    duplicates = len(batch.records) - len(rejected) - accepted
    return wire.PlayBatchReply(accepted=accepted, duplicates=duplicates, rejected=rejected,
                               corrected=flagged[ClockStatus.CORRECTED],
                               unverified=flagged[ClockStatus.UNVERIFIED])
