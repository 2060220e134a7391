"""Events of a bulletin for the webhook of the account that wrote it, each stored and sent once.

* ``bulletin.aired_everywhere``: the bulletin has aired on every board it targets (at least one).
* ``bulletin.missed_deadline``: a targeted board had not aired it by ``valid_from`` (or its
  approval, when it has no start) plus the grace; one event per board. The grace should cover the
  schedules' daily windows: a schedule that opens only in the evening airs it then.

A sweep (``BulletinEventWorker.run_once``, every ``interval_s``) finds new events among the
playable bulletins of accounts with a webhook, inserts them (a unique key per bulletin, kind and
board makes a second sweep, or a second instance, add nothing), then POSTs every unsent one, signed,
with retries and back-off (``health.webhook.post_with_retries``). An event is marked sent, or
failed after its retries; failed events are not retried by later sweeps. Delivery is at least once
across a crash between the POST and the mark: receivers dedupe by ``X-Signage-Event-Id``.

Signature: ``X-Signage-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
import httpx
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from signage_server.health.webhook import post_with_retries
from signage_server.models import (
    PLAYABLE_STATES,
    Bulletin,
    BulletinEvent,
    BulletinEventKind,
    BulletinWebhook,
    PlayLog,
    User,
    utcnow,
)
from signage_server.reports.receipts import targeted_boards

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=30)  # bulletins starting earlier than this are no longer watched
SIGNATURE_HEADER = "X-Signage-Signature"
EVENT_ID_HEADER = "X-Signage-Event-Id"


def signature(secret: str, body: bytes, at: int) -> str:
    digest = hmac.new(secret.encode(), str(at).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def _start(bulletin: Bulletin) -> datetime:
    """From when a bulletin should air: its start, else its approval, else its creation."""
    return bulletin.valid_from or bulletin.reviewed_at or bulletin.created_at


def detect(session: Session, now: datetime, grace: timedelta) -> int:
    """Store the events that became true; returns how many are new."""
    owners = set(session.exec(  # a deactivated account hears nothing more
        select(BulletinWebhook.user_id).join(User, col(User.id) == BulletinWebhook.user_id)
        .where(col(User.active).is_(True))).all())
    if not owners:
        return 0
    bulletins = [b for b in session.exec(
        select(Bulletin).where(col(Bulletin.created_by).in_(owners), col(Bulletin.state).in_(PLAYABLE_STATES))
    ).all() if _start(b) >= now - LOOKBACK and b.id is not None]
    if not bulletins:
        return 0
    ids = [b.id for b in bulletins if b.id is not None]
    targets = targeted_boards(session, ids)
    aired: dict[int, set[int]] = {}
    for bulletin_id, board_id in session.exec(
        select(PlayLog.bulletin_id, PlayLog.board_id).where(col(PlayLog.bulletin_id).in_(ids)).distinct()
    ).all():
        if bulletin_id is not None:
            aired.setdefault(bulletin_id, set()).add(board_id)
    rows: list[dict[str, object]] = []
    for bulletin in bulletins:
        assert bulletin.id is not None and bulletin.created_by is not None
        targeted, played = targets.get(bulletin.id, set()), aired.get(bulletin.id, set())
        event = {"bulletin_id": bulletin.id, "user_id": bulletin.created_by, "created_at": now,
                 "attempts": 0, "failed": False}
        if targeted and targeted <= played:
            rows.append({**event, "kind": BulletinEventKind.AIRED_EVERYWHERE.value, "board_id": 0})
        if now >= _start(bulletin) + grace:
            rows += [{**event, "kind": BulletinEventKind.MISSED_DEADLINE.value, "board_id": board}
                     for board in sorted(targeted - played)]
    if not rows:
        return 0
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = session.connection().execute(
        insert(BulletinEvent).on_conflict_do_nothing().returning(col(BulletinEvent.id)), rows)
    new = len(result.all())
    session.commit()
    return new


@dataclass(frozen=True)
class Outgoing:
    event_id: int
    url: str
    secret: str
    body: bytes


def pending(session: Session, limit: int = 500) -> list[Outgoing]:
    """Unsent events whose account still has a webhook, oldest first, as the bodies to POST."""
    rows = session.exec(
        select(BulletinEvent, BulletinWebhook, Bulletin)
        .join(BulletinWebhook, col(BulletinWebhook.user_id) == BulletinEvent.user_id)
        .join(Bulletin, col(Bulletin.id) == BulletinEvent.bulletin_id)
        .join(User, col(User.id) == BulletinEvent.user_id)
        .where(col(BulletinEvent.sent_at).is_(None), col(BulletinEvent.failed).is_(False),
               col(User.active).is_(True))
        .order_by(col(BulletinEvent.id)).limit(limit)
    ).all()
    out = []
    for event, hook, bulletin in rows:
        assert event.id is not None
        body = {"type": f"bulletin.{event.kind}", "event_id": event.id, "bulletin_id": event.bulletin_id,
                "title": bulletin.title, "board_id": event.board_id or None,
                "valid_from": None if bulletin.valid_from is None else bulletin.valid_from.isoformat(),
                "detected_at": event.created_at.isoformat()}
        out.append(Outgoing(event.id, hook.url, hook.secret, json.dumps(body, ensure_ascii=False).encode()))
    return out


def mark(engine: Engine, event_id: int, delivered: bool, attempts: int) -> None:
    """Record the outcome of an event's POSTs (``attempts`` of them)."""
    with Session(engine) as session:
        event = session.get(BulletinEvent, event_id)
        if event is None:
            return
        event.attempts += attempts
        if delivered:
            event.sent_at = utcnow()
        else:
            event.failed = True
        session.add(event)
        session.commit()


class BulletinEventWorker:
    def __init__(self, engine: Engine, *, interval_s: float, grace: timedelta,
                 transport: httpx.AsyncBaseTransport | None = None, attempts: int = 5,
                 backoff_s: float = 1.0, timeout_s: float = 5.0) -> None:
        self._engine = engine
        self._interval_s = interval_s
        self._grace = grace
        self._transport = transport
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._timeout_s = timeout_s
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Sweep every ``interval_s`` (the first after one interval: start-up stays quick)."""
        while True:
            try:
                await asyncio.wait_for(self._stopping.wait(), self._interval_s)
                return
            except TimeoutError:
                pass
            try:
                await self.run_once()
            except Exception:  # a loop boundary: log and sweep again next time
                log.exception("bulletin webhook sweep failed")

    async def run_once(self) -> int:
        """Detect and send; returns how many events were delivered."""
        def find() -> list[Outgoing]:
            with Session(self._engine) as session:
                detect(session, utcnow(), self._grace)
                return pending(session)

        outgoing = await anyio.to_thread.run_sync(find)
        delivered = 0
        async with httpx.AsyncClient(transport=self._transport, timeout=self._timeout_s) as client:
            for item in outgoing:
                at = int(time.time())
                headers = {SIGNATURE_HEADER: signature(item.secret, item.body, at),
                           EVENT_ID_HEADER: str(item.event_id)}
                posted = await post_with_retries(client, item.url, item.body, headers,
                                                 attempts=self._attempts, backoff_s=self._backoff_s)
                if posted.problem is not None:
                    log.warning("bulletin webhook %s gave up on event %s (%s)", item.url, item.event_id,
                                posted.problem)
                delivered += posted.problem is None
                await anyio.to_thread.run_sync(mark, self._engine, item.event_id, posted.problem is None,
                                               posted.attempts)
        return delivered
