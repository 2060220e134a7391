"""Individual proof of play, as the source system pulls it: filtered, keyset-paged, and CSV
streamed in bounded batches (a year of a province's plays is never held in memory).

Order: by (``started_at``, ``id``); the cursor names the last row of a page, so a page is one
index range scan whatever its depth (``ix_play_log_board_started``, ``ix_play_log_bulletin_board``,
``ix_play_log_unit_started``). A user sees the plays attributed to units of their scope (the unit
that owned the board when the play started).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_contract.timezone import LOCAL_ZONE
from signage_server.core.auth import scope_unit_ids
from signage_server.core.errors import Invalid
from signage_server.core.local_time import to_local
from signage_server.models import PlayLog, User

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
CSV_BATCH = 1000


@dataclass(frozen=True)
class PlayFilter:
    board_id: int | None = None
    bulletin_id: int | None = None
    start: datetime | None = None  # inclusive, on started_at
    end: datetime | None = None  # exclusive


class PlayRecordPublic(BaseModel):
    id: int
    board_id: int
    unit_id: int
    bulletin_id: int | None
    region_id: str
    item_id: str
    schedule_id: str | None
    override_id: str | None
    reason: str
    category: str
    priority: str
    started_at: datetime
    ended_at: datetime
    duration_s: float
    received_at: datetime
    clock_status: str
    clock_correction_s: float

    @classmethod
    def of(cls, row: PlayLog) -> PlayRecordPublic:
        return cls.model_validate(row, from_attributes=True)


class PlayPage(BaseModel):
    plays: list[PlayRecordPublic]
    next_cursor: str | None  # pass as ``cursor`` for the next page; None: this was the last


def _aware(moment: datetime | None) -> datetime | None:
    """Naive times in a query are Vietnam's wall clock (the panel's and the users' zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def checked(wanted: PlayFilter) -> PlayFilter:
    start, end = _aware(wanted.start), _aware(wanted.end)
    if start is not None and end is not None and end < start:
        raise Invalid("plays.period", "'to' is before 'from'")
    return PlayFilter(wanted.board_id, wanted.bulletin_id, start, end)


def encode_cursor(row: PlayLog) -> str:
    text = f"{row.started_at.astimezone(UTC).isoformat()}|{row.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, ident = text.partition("|")
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None:
            raise ValueError(moment)
        return at, int(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("plays.cursor", "this cursor was not given by this server") from exc


def _query(wanted: PlayFilter, units: list[int],
           after: tuple[datetime, int] | None) -> SelectOfScalar[PlayLog]:
    query = select(PlayLog).where(col(PlayLog.unit_id).in_(units))
    if wanted.board_id is not None:
        query = query.where(PlayLog.board_id == wanted.board_id)
    if wanted.bulletin_id is not None:
        query = query.where(PlayLog.bulletin_id == wanted.bulletin_id)
    if wanted.start is not None:
        query = query.where(col(PlayLog.started_at) >= wanted.start)
    if wanted.end is not None:
        query = query.where(col(PlayLog.started_at) < wanted.end)
    if after is not None:
        at, ident = after
        query = query.where(or_(col(PlayLog.started_at) > at,
                                and_(col(PlayLog.started_at) == at, col(PlayLog.id) > ident)))
    return query.order_by(col(PlayLog.started_at), col(PlayLog.id))


def play_page(session: Session, *, actor: User, wanted: PlayFilter, cursor: str | None = None,
              limit: int = DEFAULT_LIMIT) -> PlayPage:
    """One page of the plays the actor may see, oldest first."""
    wanted = checked(wanted)
    limit = min(max(1, limit), MAX_LIMIT)
    after = None if cursor is None else decode_cursor(cursor)
    rows = list(session.exec(_query(wanted, scope_unit_ids(session, actor), after).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return PlayPage(plays=[PlayRecordPublic.of(r) for r in rows],
                    next_cursor=encode_cursor(rows[-1]) if more and rows else None)


CSV_COLUMNS = ["id", "board_id", "unit_id", "bulletin_id", "region_id", "item_id", "schedule_id",
               "override_id", "reason", "category", "priority", "started_at", "ended_at", "duration_s",
               "received_at", "clock_status", "clock_correction_s"]


def _csv_line(values: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()


def _iso(moment: datetime) -> str:
    return to_local(moment).isoformat()  # +07:00: Vietnam's wall clock, unambiguous


def stream_csv(engine: Engine, *, actor: User, wanted: PlayFilter) -> Iterator[bytes]:
    """The plays as CSV (UTF-8 with a BOM), read and sent ``CSV_BATCH`` rows at a time.

    Validate first (``checked``) and scope once; each batch uses a short session, so a slow
    download holds no transaction open between batches."""
    wanted = checked(wanted)
    with Session(engine) as session:
        units = scope_unit_ids(session, actor)
    yield ("\ufeff" + _csv_line(list(CSV_COLUMNS))).encode()
    after: tuple[datetime, int] | None = None
    while True:
        with Session(engine) as session:
            rows = list(session.exec(_query(wanted, units, after).limit(CSV_BATCH)).all())
        if not rows:
            return
        yield "".join(_csv_line([
            r.id, r.board_id, r.unit_id, r.bulletin_id if r.bulletin_id is not None else "", r.region_id,
            r.item_id, r.schedule_id or "", r.override_id or "", r.reason, r.category, r.priority,
            _iso(r.started_at), _iso(r.ended_at), r.duration_s, _iso(r.received_at), r.clock_status,
            r.clock_correction_s,
        ]) for r in rows).encode()
        last = rows[-1]
        assert last.id is not None
        after = (last.started_at, last.id)
        if len(rows) < CSV_BATCH:
            return
