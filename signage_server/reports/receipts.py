"""Per-bulletin receipts: the boards a bulletin reaches, when each received it, first aired it,
how long it played there and in total, and a screenshot taken while it was showing.

Rules:

* Targeted boards: the boards reached today by the approved schedules whose regions play an
  approved playlist that shows the bulletin (board, unit subtree or tag targets).
* Received: the first time the board fetched a manifest naming the bulletin (``bulletin_delivery``,
  written by the manifest route when it answers a new version, ``record_delivery``).
* Aired: the board's proof of play (``play_log.bulletin_id``, resolved at ingestion), any region;
  a board that played it without being targeted now (a schedule since ended) is listed too.
* A user sees only boards of units in their scope: a commune sees its boards' receipts of a
  province bulletin, never the other communes'.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from signage_contract.timezone import LOCAL_TIMEZONE
from signage_server.core.auth import in_scope, not_found, scope_unit_ids
from signage_server.core.local_time import to_local
from signage_server.models import (
    PLAYABLE_STATES,
    Board,
    Bulletin,
    BulletinDelivery,
    Playlist,
    PlaylistItem,
    PlayLog,
    Schedule,
    ScheduleRegion,
    Screenshot,
    TargetKind,
    User,
)
from signage_server.reports.plays import parse_item_id
from signage_server.units.service import subtree_ids


class Recorded:
    """Per board, the manifest items whose receipts this instance has written (or found written):
    a fetch of a manifest that names nothing new (an override's confirmation and its end change
    every manifest in the province, not the bulletins in them) writes nothing. Each instance keeps
    its own; a restart starts empty and the first fetch per board checks the database again."""

    def __init__(self) -> None:
        self._items: dict[int, frozenset[str]] = {}
        self._lock = threading.Lock()  # request threads read and write it

    def covers(self, board_id: int, wire_ids: frozenset[str]) -> bool:
        with self._lock:
            return wire_ids <= self._items.get(board_id, frozenset())

    def add(self, board_id: int, wire_ids: frozenset[str]) -> None:
        with self._lock:
            self._items[board_id] = wire_ids


def record_delivery(session: Session, board_id: int, document: str, now: datetime,
                    recorded: Recorded | None = None, item_ids: Iterable[str] | None = None) -> None:
    """Note that ``board_id`` now holds the manifest ``document`` (a ``SignedManifest`` JSON):
    each bulletin it names gets its receipt time once (later fetches keep the first); commits
    when it wrote. With ``recorded``, items already noted for the board are not read again.
    ``item_ids``, the wire ids of the items it names when the caller has them (stored with the
    manifest), spare parsing the whole document."""
    if item_ids is not None:
        wire_ids = frozenset(item_ids)
    else:
        try:
            items = json.loads(json.loads(document)["payload"])["items"]
            wire_ids = frozenset(str(item["id"]) for item in items)
        except (ValueError, KeyError, TypeError):
            return  # not ours to judge here: the player verifies manifests
    if recorded is not None and recorded.covers(board_id, wire_ids):
        return
    _record(session, board_id, wire_ids, now)
    if recorded is not None:
        recorded.add(board_id, wire_ids)


def _record(session: Session, board_id: int, wire_ids: frozenset[str], now: datetime) -> None:
    parsed = [ids for wire_id in wire_ids if (ids := parse_item_id(wire_id)) is not None]
    if not parsed:
        return
    found = session.exec(
        select(PlaylistItem.playlist_id, PlaylistItem.id, PlaylistItem.bulletin_id)
        .where(col(PlaylistItem.id).in_({item for _, item in parsed}),
               col(PlaylistItem.bulletin_id).is_not(None))
    ).all()
    wanted = set(parsed)
    bulletins = {bulletin for playlist, item, bulletin in found if (playlist, item) in wanted and bulletin}
    if not bulletins:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    rows = [{"bulletin_id": b, "board_id": board_id, "received_at": now} for b in sorted(bulletins)]
    session.connection().execute(insert(BulletinDelivery).on_conflict_do_nothing(), rows)
    session.commit()


def targeted_boards(session: Session, bulletin_ids: Iterable[int]) -> dict[int, set[int]]:
    """Per bulletin, the boards its approved schedules reach today."""
    bulletin_ids = set(bulletin_ids)
    if not bulletin_ids:
        return {}
    rows = session.exec(
        select(PlaylistItem.bulletin_id, Schedule)
        .join(Playlist, col(Playlist.id) == PlaylistItem.playlist_id)
        .join(ScheduleRegion, col(ScheduleRegion.playlist_id) == Playlist.id)
        .join(Schedule, col(Schedule.id) == ScheduleRegion.schedule_id)
        .where(col(PlaylistItem.bulletin_id).in_(bulletin_ids), col(Playlist.state).in_(PLAYABLE_STATES),
               col(Schedule.state).in_(PLAYABLE_STATES))
    ).all()
    boards = _BoardIndex(session) if rows else None
    result: dict[int, set[int]] = {b: set() for b in bulletin_ids}
    for bulletin_id, schedule in rows:
        if bulletin_id is not None and boards is not None:
            result[bulletin_id] |= boards.reached_by(schedule)
    return result


class _BoardIndex:
    """Every board's unit and tags, read once, to resolve schedule targets."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._boards = session.exec(select(Board.id, Board.unit_id, Board.tags)).all()
        self._subtrees: dict[int, set[int]] = {}

    def reached_by(self, schedule: Schedule) -> set[int]:
        if schedule.target_kind is TargetKind.BOARD and schedule.target_board_id is not None:
            return {b for b, _, _ in self._boards if b == schedule.target_board_id}
        if schedule.target_kind is TargetKind.UNIT and schedule.target_unit_id is not None:
            unit = schedule.target_unit_id
            if unit not in self._subtrees:
                self._subtrees[unit] = set(subtree_ids(self._session, unit))
            return {b for b, u, _ in self._boards if b is not None and u in self._subtrees[unit]}
        if schedule.target_kind is TargetKind.TAG and schedule.target_tag:
            return {b for b, _, tags in self._boards if b is not None and schedule.target_tag in (tags or ())}
        return set()


class BoardReceipt(BaseModel):
    board_id: int
    board_name: str | None  # None: the board was deleted since
    unit_id: int | None
    targeted: bool
    received_at: datetime | None
    first_aired_at: datetime | None
    last_aired_at: datetime | None
    plays: int
    airtime_s: float
    screenshot_id: int | None = None
    screenshot_taken_at: datetime | None = None
    screenshot_url: str | None = None


class BulletinReceipts(BaseModel):
    bulletin_id: int
    title: str
    state: str
    valid_from: datetime | None
    valid_until: datetime | None
    timezone: str = LOCAL_TIMEZONE
    boards_targeted: int
    boards_received: int
    boards_aired: int
    airtime_s: float
    plays: int
    first_aired_at: datetime | None  # on any of the boards listed
    never_aired: list[int]  # targeted boards with no play of it
    boards: list[BoardReceipt]


def bulletin_receipts(session: Session, *, actor: User, bulletin_id: int) -> BulletinReceipts:
    """The receipts of a bulletin over the boards of the actor's units: a bulletin of the actor's
    scope, or one from above that reaches at least one of their boards (``bulletin.not_found``
    otherwise, as for a missing one)."""
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None:
        raise not_found("bulletin", bulletin_id)
    visible = set(scope_unit_ids(session, actor))
    targeted = targeted_boards(session, [bulletin_id])[bulletin_id]
    aired = {row[0]: row for row in session.connection().execute(
        sa_select(col(PlayLog.board_id), func.min(col(PlayLog.started_at)), func.max(col(PlayLog.started_at)),
                  func.count(), func.sum(col(PlayLog.duration_s)))
        .where(col(PlayLog.bulletin_id) == bulletin_id).group_by(col(PlayLog.board_id))
    ).all()}
    received = dict(session.exec(
        select(BulletinDelivery.board_id, BulletinDelivery.received_at)
        .where(BulletinDelivery.bulletin_id == bulletin_id)
    ).all())
    board_ids = targeted | set(aired) | set(received)
    boards = {b.id: b for b in session.exec(select(Board).where(col(Board.id).in_(board_ids))).all()}
    shots = _screenshots_while_showing(session, bulletin_id, set(aired))
    rows: list[BoardReceipt] = []
    for board_id in sorted(board_ids):
        board = boards.get(board_id)
        if board is None or board.unit_id not in visible:
            continue  # out of scope, or deleted (its unit, hence its scope, unknown)
        _, first, last, count, seconds = aired.get(board_id, (board_id, None, None, 0, 0.0))
        shot = shots.get(board_id)
        rows.append(BoardReceipt(
            board_id=board_id, board_name=board.name, unit_id=board.unit_id, targeted=board_id in targeted,
            received_at=received.get(board_id), first_aired_at=first, last_aired_at=last, plays=int(count),
            airtime_s=round(float(seconds or 0.0), 3),
            screenshot_id=None if shot is None else shot.id,
            screenshot_taken_at=None if shot is None else shot.taken_at,
            screenshot_url=None if shot is None else f"/api/v1/boards/{board_id}/screenshots/{shot.id}/image",
        ))
    if not rows and not in_scope(session, actor, bulletin.unit_id):
        raise not_found("bulletin", bulletin_id)
    assert bulletin.id is not None
    return BulletinReceipts(
        bulletin_id=bulletin.id, title=bulletin.title, state=bulletin.state.value,
        valid_from=bulletin.valid_from, valid_until=bulletin.valid_until,
        boards_targeted=sum(1 for r in rows if r.targeted),
        boards_received=sum(1 for r in rows if r.received_at is not None),
        boards_aired=sum(1 for r in rows if r.plays),
        airtime_s=round(sum(r.airtime_s for r in rows), 3), plays=sum(r.plays for r in rows),
        first_aired_at=min((r.first_aired_at for r in rows if r.first_aired_at is not None), default=None),
        never_aired=[r.board_id for r in rows if r.targeted and not r.plays], boards=rows,
    )


def _screenshots_while_showing(session: Session, bulletin_id: int,
                               board_ids: set[int]) -> dict[int, Screenshot]:
    """Per board, the latest kept screenshot taken while one of its plays of the bulletin ran."""
    if not board_ids:
        return {}
    rows = session.exec(
        select(Screenshot)
        .join(PlayLog, (col(PlayLog.board_id) == Screenshot.board_id)
              & (col(PlayLog.started_at) <= Screenshot.taken_at)
              & (col(PlayLog.ended_at) >= Screenshot.taken_at))
        .where(col(PlayLog.bulletin_id) == bulletin_id, col(Screenshot.board_id).in_(board_ids))
        .order_by(col(Screenshot.taken_at).desc())
    ).all()
    latest: dict[int, Screenshot] = {}
    for shot in rows:
        latest.setdefault(shot.board_id, shot)
    return latest


def _iso(moment: datetime | None) -> str:
    """ISO 8601 in Vietnam's zone, with its offset (``2026-11-30T21:05:00+07:00``)."""
    return "" if moment is None else to_local(moment).isoformat()


RECEIPT_COLUMNS = ["bulletin_id", "board_id", "board_name", "unit_id", "targeted", "received_at",
                   "first_aired_at", "last_aired_at", "plays", "airtime_s", "screenshot_taken_at",
                   "screenshot_url"]


def receipts_csv(receipts: BulletinReceipts) -> str:
    """One row per board, times ISO 8601 with the +07:00 offset; UTF-8 with a BOM (Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RECEIPT_COLUMNS)
    for r in receipts.boards:
        writer.writerow([receipts.bulletin_id, r.board_id, r.board_name or "", r.unit_id or "",
                         "yes" if r.targeted else "no", _iso(r.received_at), _iso(r.first_aired_at),
                         _iso(r.last_aired_at), r.plays, r.airtime_s, _iso(r.screenshot_taken_at),
                         r.screenshot_url or ""])
    return "\ufeff" + out.getvalue()
