"""Connected boards and the sending of messages to them.

Each connection has a small outbox drained by its own task, so broadcasting is a loop of
``put_nowait`` calls: a slow or dead client never holds up the others. Nudges are idempotent
("fetch your manifest"), so a full outbox drops the oldest message rather than growing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from signage_server.core.bus import BusMessage

log = logging.getLogger(__name__)
OUTBOX_SIZE = 16

SendText = Callable[[str], Awaitable[None]]


Close = Callable[[int, str], Awaitable[None]]


async def _no_close(_code: int, _reason: str) -> None:
    return None


@dataclass(eq=False)
class Connection:
    board_id: int
    send_text: SendText
    close: Close = _no_close
    outbox: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(OUTBOX_SIZE))

    def offer(self, text: str) -> None:
        if self.outbox.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.outbox.get_nowait()
        self.outbox.put_nowait(text)

    async def pump(self) -> None:
        """Send queued messages until the connection fails or the task is cancelled."""
        while True:
            text = await self.outbox.get()
            await self.send_text(text)


class Hub:
    def __init__(self) -> None:
        self._by_board: dict[int, set[Connection]] = {}

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
        for connection in targets:
            connection.offer(message.text)
