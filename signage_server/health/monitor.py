"""The health monitor of one server instance: configuration, clock, the periodic sweeper and the
webhook notifier (heartbeats are written by ``heartbeat_writer.py``).

Built in the app lifespan. Work on the database runs in worker threads, one hop per call; link
events go to the webhook notifier (when ``SIGNAGE_WEBHOOK_URL`` is set) from the event loop, so a
slow webhook never holds up ingestion.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from signage_server.health.store import BoardLinkEvent, HealthConfig, prune, sweep
from signage_server.health.webhook import LinkNotice, WebhookNotifier
from signage_server.models import Board

log = logging.getLogger(__name__)
PRUNE_EVERY = timedelta(hours=6)
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class HealthMonitor:
    def __init__(
        self,
        engine: Engine,
        config: HealthConfig,
        notifier: WebhookNotifier | None = None,
        sweep_interval_s: float = 10.0,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.config = config
        self.notifier = notifier
        self._sweep_interval_s = sweep_interval_s
        self.clock = clock
        self._last_prune: datetime | None = None
        self._stopping = asyncio.Event()

    # --- worker-thread side ------------------------------------------------------------------

    def sweep_once(self) -> tuple[list[BoardLinkEvent], list[LinkNotice]]:
        """One sweep; returns the recorded events and their webhook notices."""
        now = self.clock()
        with Session(self.engine) as session:
            events = sweep(session, now, self.config)
            if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
                prune(session, now, self.config)
                self._last_prune = now
            return events, self.payloads(session, events)

    def payloads(self, session: Session, events: list[BoardLinkEvent]) -> list[LinkNotice]:
        """The webhook notices of recorded events (none without a webhook)."""
        if not events or self.notifier is None:
            return []
        ids = {e.board_id for e in events}
        boards = {b.id: b for b in session.exec(select(Board).where(col(Board.id).in_(ids))).all()}
        return [payload(e, boards.get(e.board_id)) for e in events]

    # --- event-loop side ---------------------------------------------------------------------

    def notify(self, payloads: list[LinkNotice]) -> None:
        if self.notifier is not None:
            for item in payloads:
                self.notifier.submit(item)

    async def sweep_and_notify(self) -> list[BoardLinkEvent]:
        events, payloads = await anyio.to_thread.run_sync(self.sweep_once)
        self.notify(payloads)
        return events

    def stop(self) -> None:
        """Ask ``run`` to return after the sweep in hand (a sweep cut off in its worker thread would
        keep a database connection past the engine's disposal)."""
        self._stopping.set()

    async def run(self) -> None:
        """The sweeper loop (a task of the app lifespan)."""
        while not self._stopping.is_set():
            try:
                await self.sweep_and_notify()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not end the sweeper
                log.exception("health sweep failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._sweep_interval_s)


def payload(event: BoardLinkEvent, board: Board | None) -> LinkNotice:
    """What a webhook receives for one recorded link event."""
    return LinkNotice(
        kind=event.event.kind,
        board_id=event.board_id,
        board_name=board.name if board is not None else None,
        unit_id=board.unit_id if board is not None else None,
        at=event.event.at,
        flaps=event.event.flaps,
    )
