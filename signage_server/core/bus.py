"""Fan-out of device messages, and of cache invalidations, across server instances.

A ``BusMessage`` names the boards it is for (or every board) and carries the JSON text to send.
``LocalBus`` delivers in-process; ``RedisBus`` (when ``SIGNAGE_REDIS_URL`` is set) publishes on a
Redis channel that every instance subscribes to, so a board connected to any instance is reached.

``invalidate`` tells every instance (this one included) that what it keeps in memory about some
boards (their manifest's version, their device tokens: ``devices/poll_cache.py``) is stale. It
travels on a channel of its own, and Redis delivers one subscriber's messages in publish order, so
an instance forgets a board's old version before it relays the nudge published after it. After a
lost Redis connection an instance cannot know what it missed: it forgets everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

Deliver = Callable[["BusMessage"], None]
Forget = Callable[[frozenset[int] | None], None]  # these boards (None: every board) are stale


def _forget_nothing(_boards: frozenset[int] | None) -> None:
    return None


@dataclass(frozen=True)
class BusMessage:
    text: str  # JSON of a signage_contract.device message
    boards: frozenset[int] | None = None  # None: every connected board

    def to_wire(self) -> str:
        boards = "*" if self.boards is None else ",".join(str(b) for b in sorted(self.boards))
        return f"{boards}\n{self.text}"

    @classmethod
    def from_wire(cls, data: str) -> BusMessage:
        head, _, text = data.partition("\n")
        boards = None if head == "*" else frozenset(int(b) for b in head.split(",") if b)
        return cls(text=text, boards=boards)


class Bus(Protocol):
    async def start(self, deliver: Deliver, forget: Forget = _forget_nothing) -> None: ...

    async def publish(self, message: BusMessage) -> None: ...

    async def invalidate(self, boards: frozenset[int]) -> None: ...

    async def stop(self) -> None: ...


class LocalBus:
    """One process: publishing is delivering."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self._forget: Forget = _forget_nothing

    async def start(self, deliver: Deliver, forget: Forget = _forget_nothing) -> None:
        self._deliver, self._forget = deliver, forget

    async def publish(self, message: BusMessage) -> None:
        if self._deliver is not None:
            self._deliver(message)

    async def invalidate(self, boards: frozenset[int]) -> None:
        self._forget(boards)

    async def stop(self) -> None:
        self._deliver, self._forget = None, _forget_nothing


class RedisBus:
    """Every instance publishes to and listens on one Redis channel; each delivers locally."""

    CHANNEL = "signage:device-messages"
    STALE_SUFFIX = ":stale"  # the invalidations' channel: CHANNEL + STALE_SUFFIX

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self._url = url
        self._channel = channel
        self._stale_channel = channel + self.STALE_SUFFIX
        self._task: asyncio.Task[None] | None = None
        self._redis: Redis | None = None
        self._subscribed = asyncio.Event()

    async def start(self, deliver: Deliver, forget: Forget = _forget_nothing) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(self._url, decode_responses=True)
        self._task = asyncio.create_task(self._listen(deliver, forget))
        await asyncio.wait_for(self._subscribed.wait(), timeout=10)

    async def _listen(self, deliver: Deliver, forget: Forget) -> None:
        assert self._redis is not None
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel, self._stale_channel)
                    forget(None)  # anything may have changed while this instance was not listening
                    self._subscribed.set()
                    async for raw in pubsub.listen():
                        if raw.get("type") != "message":
                            continue
                        if raw.get("channel") == self._stale_channel:
                            forget(frozenset(int(b) for b in raw["data"].split(",") if b))
                        else:
                            deliver(BusMessage.from_wire(raw["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a Redis restart: log once per outage, resubscribe
                log.warning("redis bus unavailable (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(1.0)

    async def publish(self, message: BusMessage) -> None:
        assert self._redis is not None, "bus not started"
        await self._redis.publish(self._channel, message.to_wire())

    async def invalidate(self, boards: frozenset[int]) -> None:
        assert self._redis is not None, "bus not started"
        if boards:
            await self._redis.publish(self._stale_channel, ",".join(str(b) for b in sorted(boards)))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._redis is not None:
            await self._redis.aclose()


def make_bus(redis_url: str | None) -> Bus:
    return RedisBus(redis_url) if redis_url else LocalBus()
