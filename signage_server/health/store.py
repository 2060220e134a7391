"""Board health in the database: heartbeat ingestion, the offline sweeper, seen spans for uptime.

Per heartbeat the server updates one row (``board_status``: the latest heartbeat and the open seen
span), many heartbeats per transaction (``heartbeat_writer.py``); a ``board_seen`` row is written
only when a gap closes a span, and a ``board_event`` row only on a recorded transition
(``link_state.py``). Heartbeats themselves are never kept: 10,000 boards send 28.8 million a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, or_, select

from signage_contract import device as wire
from signage_contract import nfc
from signage_server.health.link_state import LinkEvent, LinkState, change, overdue, settle
from signage_server.health.uptime import Span, continues, coverage_for
from signage_server.models import BoardEvent, BoardSeen, BoardStatus
from signage_server.settings import Settings


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


@dataclass(frozen=True)
class Presence:
    """What a heartbeat moves in ``board_status``: the open seen span and the link state."""

    last_seen_at: datetime
    seen_since: datetime
    link: LinkState


def advance(
    presence: Presence | None, received_at: datetime, config: HealthConfig
) -> tuple[Presence, Span | None, list[LinkEvent]]:
    """A heartbeat received at ``received_at`` (pure): the new presence, the seen span it closes
    (after a gap), and the link events to record."""
    if presence is None:  # the board's first heartbeat ever
        return Presence(received_at, received_at, LinkState(True, received_at, True, None)), None, []
    last, since, closed = presence.last_seen_at, presence.seen_since, None
    if not continues(last, received_at, config.coverage):
        closed, since = Span(since, last + config.coverage), received_at
    state, events = presence.link, []
    if state.online and overdue(last, received_at, config.offline_after):
        # The sweeper had not noticed yet: the board was offline in between all the same.
        state, event = change(state, False, last + config.offline_after, config.hold_down)
        events += [event] if event is not None else []
    state, event = change(state, True, received_at, config.hold_down)
    events += [event] if event is not None else []
    return Presence(received_at, since, state), closed, events


def _heartbeat_values(beat: wire.Heartbeat, received_at: datetime) -> dict[str, Any]:
    return {
        "sent_at": beat.sent_at,
        "clock_offset_s": (received_at - beat.sent_at).total_seconds(),
        "software_version": beat.software_version[:64],
        "uptime_s": beat.uptime_s,
        "manifest_version": beat.manifest_version[:64] if beat.manifest_version else None,
        "regions": dict(beat.regions),
        "free_disk_bytes": beat.free_disk_bytes,
        "cache_bytes": beat.cache_bytes,
        "last_error": nfc(beat.last_error),  # Windows players may send decomposed Vietnamese
        "screen_state": beat.screen_state,
        "brightness": beat.brightness,
        "os_name": nfc(beat.os_name)[:128],
        "temperature_c": beat.temperature_c,
        "allow_reboot": beat.allow_reboot,
        "log_level": beat.log_level[:16],
    }


def _presence_values(p: Presence) -> dict[str, Any]:
    link = p.link
    return {"last_seen_at": p.last_seen_at, "seen_since": p.seen_since, "online": link.online,
            "changed_at": link.changed_at, "reported_online": link.reported_online,
            "reported_at": link.reported_at, "held_flaps": link.held_flaps}


def _load_presences(session: Session, board_ids: Iterable[int]) -> dict[int, Presence]:
    t = _status_table()
    rows = session.connection().execute(
        sa_select(t.c.board_id, t.c.last_seen_at, t.c.seen_since, t.c.online, t.c.changed_at,
                  t.c.reported_online, t.c.reported_at, t.c.held_flaps)
        .where(t.c.board_id.in_(list(board_ids)))
    ).all()
    return {r[0]: Presence(r[1], r[2], LinkState(r[3], r[4], r[5], r[6], r[7])) for r in rows}


def _status_table() -> Table:
    return SQLModel.metadata.tables["board_status"]


def write_heartbeats(
    session: Session, items: list[tuple[int, wire.Heartbeat, datetime]], config: HealthConfig
) -> list[list[BoardLinkEvent]]:
    """Apply heartbeats ``(board_id, heartbeat, received_at)`` in order with a few set-based
    statements (one UPDATE or INSERT per board, whatever the number of its heartbeats); returns
    the link events of each item. The caller commits."""
    presences = _load_presences(session, {board_id for board_id, _b, _t in items})
    existing = set(presences)
    latest: dict[int, dict[str, Any]] = {}
    seen_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    out: list[list[BoardLinkEvent]] = []
    for board_id, beat, received_at in items:
        presence, closed, events = advance(presences.get(board_id), received_at, config)
        presences[board_id] = presence
        latest[board_id] = _heartbeat_values(beat, received_at)
        if closed is not None:
            seen_rows.append({"board_id": board_id, "seen_from": closed.start, "seen_to": closed.end})
        event_rows += [{"board_id": board_id, "kind": e.kind.value, "at": e.at, "flaps": e.flaps}
                       for e in events]
        out.append([BoardLinkEvent(board_id, e) for e in events])
    table, connection = _status_table(), session.connection()
    rows = {b: {**v, **_presence_values(presences[b])} for b, v in latest.items()}
    # Rows in id order here, as in every batch that updates them: two batches never wait on each other
    # in a cycle (PostgreSQL's deadlock detector aborted one when they did).
    updates = [{"_board": b, **v} for b, v in sorted(rows.items()) if b in existing]
    inserts = [{"board_id": b, **v} for b, v in rows.items() if b not in existing]
    if updates:
        connection.execute(update(table).where(table.c.board_id == bindparam("_board")), updates)
    if inserts:
        connection.execute(insert(table), inserts)
    if seen_rows:
        connection.execute(insert(SQLModel.metadata.tables["board_seen"]), seen_rows)
    if event_rows:
        connection.execute(insert(SQLModel.metadata.tables["board_event"]), event_rows)
    return out


def record_heartbeat(
    session: Session, board_id: int, beat: wire.Heartbeat, received_at: datetime, config: HealthConfig
) -> list[BoardLinkEvent]:
    """One heartbeat in its own transaction (commits); returns the link events recorded."""
    [events] = write_heartbeats(session, [(board_id, beat, received_at)], config)
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
