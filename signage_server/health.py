"""Board health in the database: heartbeat ingestion, the offline sweeper, seen spans for uptime.

Per heartbeat the server writes one row (``board_status``, the latest heartbeat and the open seen
span) in one transaction; a ``board_seen`` row is written only when a gap closes a span, and a
``board_event`` row only on a recorded transition (``link_state.py``). Heartbeats themselves are
never kept: 10,000 boards send 28.8 million a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, or_, select

from signage_contract import device as wire

from .link_state import LinkEvent, LinkState, change, overdue, settle
from .models import BoardEvent, BoardSeen, BoardStatus
from .settings import Settings
from .uptime import Span, continues, coverage_for


@dataclass(frozen=True)
class HealthConfig:
    interval_s: int = wire.HEARTBEAT_INTERVAL_S
    offline_after_missed: int = 3
    hold_down_s: int = 600
    retention_days: int = 400

    @classmethod
    def from_settings(cls, settings: Settings) -> HealthConfig:
        return cls(settings.heartbeat_interval_s, settings.offline_after_missed,
                   settings.flap_hold_down_s, settings.health_retention_days)

    @property
    def offline_after(self) -> timedelta:
        return timedelta(seconds=self.interval_s * self.offline_after_missed)

    @property
    def hold_down(self) -> timedelta:
        return timedelta(seconds=self.hold_down_s)

    @property
    def coverage(self) -> timedelta:
        return coverage_for(self.interval_s)


@dataclass(frozen=True)
class BoardLinkEvent:
    board_id: int
    event: LinkEvent


def _link(row: BoardStatus) -> LinkState:
    return LinkState(row.online, row.changed_at, row.reported_online, row.reported_at, row.held_flaps)


def _store_link(session: Session, row: BoardStatus, state: LinkState, event: LinkEvent | None,
                out: list[BoardLinkEvent]) -> None:
    row.online, row.changed_at = state.online, state.changed_at
    row.reported_online, row.reported_at, row.held_flaps = (
        state.reported_online, state.reported_at, state.held_flaps)
    if event is not None:
        session.add(BoardEvent(board_id=row.board_id, kind=event.kind.value, at=event.at, flaps=event.flaps))
        out.append(BoardLinkEvent(row.board_id, event))


def _copy_heartbeat(row: BoardStatus, beat: wire.Heartbeat, received_at: datetime) -> None:
    row.last_seen_at = received_at
    row.sent_at = beat.sent_at
    row.clock_offset_s = (received_at - beat.sent_at).total_seconds()
    row.software_version = beat.software_version[:64]
    row.uptime_s = beat.uptime_s
    row.manifest_version = beat.manifest_version[:64] if beat.manifest_version else None
    row.regions = dict(beat.regions)
    row.free_disk_bytes = beat.free_disk_bytes
    row.cache_bytes = beat.cache_bytes
    row.last_error = beat.last_error
    row.screen_state = beat.screen_state


def record_heartbeat(
    session: Session, board_id: int, beat: wire.Heartbeat, received_at: datetime, config: HealthConfig
) -> list[BoardLinkEvent]:
    """Store a heartbeat received at ``received_at`` (server clock) and commit; returns the
    link events recorded (a board coming back online)."""
    events: list[BoardLinkEvent] = []
    row = session.get(BoardStatus, board_id)
    if row is None:
        row = BoardStatus(board_id=board_id, last_seen_at=received_at, seen_since=received_at,
                          changed_at=received_at)
    else:
        last = row.last_seen_at
        if not continues(last, received_at, config.coverage):
            closed = BoardSeen(board_id=board_id, seen_from=row.seen_since, seen_to=last + config.coverage)
            session.add(closed)
            row.seen_since = received_at
        state = _link(row)
        if state.online and overdue(last, received_at, config.offline_after):
            # The sweeper had not noticed yet: the board was offline in between all the same.
            state, event = change(state, False, last + config.offline_after, config.hold_down)
            _store_link(session, row, state, event, events)
        state, event = change(state, True, received_at, config.hold_down)
        _store_link(session, row, state, event, events)
    _copy_heartbeat(row, beat, received_at)
    session.add(row)
    session.commit()
    return events


def sweep(session: Session, now: datetime, config: HealthConfig) -> list[BoardLinkEvent]:
    """Mark overdue boards offline and settle held transitions whose hold-down has passed."""
    events: list[BoardLinkEvent] = []
    stale = session.exec(
        select(BoardStatus).where(
            col(BoardStatus.online), col(BoardStatus.last_seen_at) < now - config.offline_after
        )
    ).all()
    for row in stale:
        state, event = change(_link(row), False, row.last_seen_at + config.offline_after, config.hold_down)
        _store_link(session, row, state, event, events)
        session.add(row)
    unsettled = session.exec(
        select(BoardStatus).where(
            col(BoardStatus.online) != col(BoardStatus.reported_online),
            or_(col(BoardStatus.reported_at).is_(None),
                col(BoardStatus.reported_at) <= now - config.hold_down),
        )
    ).all()
    for row in unsettled:
        state, event = settle(_link(row), now, config.hold_down)
        _store_link(session, row, state, event, events)
        session.add(row)
    session.commit()
    return events


def prune(session: Session, now: datetime, config: HealthConfig) -> None:
    """Forget seen spans and events older than the retention period."""
    horizon = now - timedelta(days=config.retention_days)
    session.exec(delete(BoardSeen).where(col(BoardSeen.seen_to) < horizon))
    session.exec(delete(BoardEvent).where(col(BoardEvent.at) < horizon))
    session.commit()


def board_spans(
    session: Session, board_ids: Iterable[int], start: datetime, end: datetime, config: HealthConfig
) -> dict[int, list[Span]]:
    """Seen spans overlapping ``[start, end)`` per board, the open span of ``board_status`` included."""
    ids = list(board_ids)
    spans: dict[int, list[Span]] = {board_id: [] for board_id in ids}
    if not ids:
        return spans
    closed = session.exec(
        select(BoardSeen).where(
            col(BoardSeen.board_id).in_(ids), col(BoardSeen.seen_from) < end, col(BoardSeen.seen_to) > start
        )
    ).all()
    for seen in closed:
        spans[seen.board_id].append(Span(seen.seen_from, seen.seen_to))
    for status in session.exec(select(BoardStatus).where(col(BoardStatus.board_id).in_(ids))).all():
        spans[status.board_id].append(Span(status.seen_since, status.last_seen_at + config.coverage))
    return spans


def link_status(row: BoardStatus | None, now: datetime, config: HealthConfig) -> str:
    """``online``, ``offline`` or ``never_seen``, as of ``now`` (not waiting for the sweeper)."""
    if row is None:
        return "never_seen"
    return "online" if row.online and not overdue(row.last_seen_at, now, config.offline_after) else "offline"
