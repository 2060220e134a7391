"""Connected boards and the sending of messages to them.

Each connection has a small outbox drained by its own task, so broadcasting is a loop of
``offer`` calls: a slow or dead client never holds up the others.

The outbox keeps two things apart. Nudges ("fetch your manifest") are idempotent: a board needs
only the latest, so a connection holds at most one and a newer one replaces it. Everything else
(an override, its cancellation, a screenshot request) is kept in order and sent before a waiting
nudge. A server under load sends a burst of nudges for every content change; before this split a
16-slot queue dropped its oldest message when full, and an override push could be pushed out by
the nudges queued after it. The ordered part is bounded too (``OUTBOX_SIZE``): if it fills, the
board has not read for that long, its socket's pings fail and it reconnects, and a board that
connects is sent every live override at once (``devices/session.py``).

A large ordered fan-out (an emergency to a province) holds the cyclic collector off for
``FANOUT_QUIET_S``: queuing and sending 10,000 messages allocates enough to set off young
collections in the middle of it, and in the one-instance soak collections of 0.3-0.9 s (a loaded
machine) fell inside the pushes. Nothing the fan-out allocates is cyclic garbage, and the pause is
bounded, so at most a couple of seconds of allocations wait for the next pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from signage_contract.device import Nudge
from signage_server.core.bus import BusMessage

log = logging.getLogger(__name__)
OUTBOX_SIZE = 64  # ordered messages (overrides, cancels, requests) waiting for one board
FANOUT_QUIET_BOARDS = 1000  # an ordered message to this many connections holds the collector off
FANOUT_QUIET_S = 2.0  # for this long (10,000 sends take about a second)
NUDGE_PREFIX = Nudge(version="").model_dump_json().split(",", 1)[0]  # '{"type":"nudge"'

SendText = Callable[[str], Awaitable[None]]


Close = Callable[[int, str], Awaitable[None]]


async def _no_close(_code: int, _reason: str) -> None:
    return None


@dataclass(eq=False)
class Connection:
    board_id: int
    send_text: SendText
    close: Close = _no_close
    ordered: deque[str] = field(default_factory=deque)
    nudge: str | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, text: str) -> None:
        """Queue ``text`` for the board; never blocks."""
        if text.startswith(NUDGE_PREFIX):
            self.nudge = text  # the latest version is the one to fetch
        else:
            if len(self.ordered) >= OUTBOX_SIZE:
                log.warning("board %d has not read %d messages; dropping the oldest", self.board_id,
                            OUTBOX_SIZE)
                self.ordered.popleft()
            self.ordered.append(text)
        self._ready.set()

    def pending(self) -> list[str]:
        """What is waiting to be sent, in sending order."""
        return [*self.ordered, *([self.nudge] if self.nudge is not None else [])]

    def take(self) -> str | None:
        """The next message to send: ordered ones first, then the nudge."""
        if self.ordered:
            return self.ordered.popleft()
        text, self.nudge = self.nudge, None
        return text

    async def pump(self) -> None:
        """Send queued messages until the connection fails or the task is cancelled."""
        while True:
            await self._ready.wait()
            while (text := self.take()) is not None:
                await self.send_text(text)
            self._ready.clear()  # nothing was queued since take() found none (no await between)


class Hub:
    def __init__(self, quiet_boards: int = FANOUT_QUIET_BOARDS, quiet_s: float = FANOUT_QUIET_S) -> None:
        self._by_board: dict[int, set[Connection]] = {}
        self._quiet_boards = quiet_boards
        self._quiet_s = quiet_s
        self._resume: asyncio.TimerHandle | None = None  # set while this hub holds the collector off

    def add(self, connection: Connection) -> None:
        self._by_board.setdefault(connection.board_id, set()).add(connection)

    def remove(self, connection: Connection) -> None:
        conns = self._by_board.get(connection.board_id)
        if conns is not None:
            conns.discard(connection)
            if not conns:
                del self._by_board[connection.board_id]

    def connected_boards(self) -> set[int]:
        return set(self._by_board)

    def connection_count(self) -> int:
        return sum(len(c) for c in self._by_board.values())

    async def disconnect(self, board_id: int, reason: str = "credential revoked") -> None:
        """Close the board's connections on this instance (after its credential was revoked)."""
        for connection in list(self._by_board.get(board_id, ())):
            with contextlib.suppress(Exception):  # already gone: nothing to close
                await connection.close(1008, reason)

    def deliver(self, message: BusMessage) -> None:
        """Bus callback: queue the message for every matching local connection (never blocks)."""
        if message.boards is None:
            targets = [c for conns in self._by_board.values() for c in conns]
        else:
            targets = [c for b in message.boards for c in self._by_board.get(b, ())]
        if len(targets) >= self._quiet_boards and not message.text.startswith(NUDGE_PREFIX):
            self._hold_collector()
        for connection in targets:
            connection.offer(message.text)

    def _hold_collector(self) -> None:
        """Disable the cyclic collector for ``quiet_s`` from now (a later fan-out extends it); left
        alone if something else disabled it, or without a running loop to enable it again."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._resume is not None:
            self._resume.cancel()
        elif gc.isenabled():
            gc.disable()
        else:
            return
        self._resume = loop.call_later(self._quiet_s, self._release_collector)

    def _release_collector(self) -> None:
        self._resume = None
        gc.enable()
