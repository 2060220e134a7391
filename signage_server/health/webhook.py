"""Link events to an operator's webhook, off the request path.

A notice crosses the server as a ``LinkNotice``; it becomes JSON only here, as it is sent.
``submit`` only queues (it never blocks and never fails: a full queue drops its oldest payload);
one background task POSTs each payload as JSON with retries and exponential back-off. An
unreachable endpoint is logged once when it starts failing and once when it recovers, not for every
payload. The HTTP transport is injectable (``httpx.MockTransport`` in tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

import httpx

from signage_server.health.link_state import LinkEventKind

log = logging.getLogger(__name__)
QUEUE_SIZE = 10_000
JsonValue = str | int | None


@dataclass(frozen=True)
class LinkNotice:
    """What the webhook hears about one recorded link event (``board_*`` None: the board is gone)."""

    kind: LinkEventKind
    board_id: int
    board_name: str | None
    unit_id: int | None
    at: datetime
    flaps: int  # held transitions coalesced into this event

    def json_body(self) -> dict[str, JsonValue]:
        """The JSON object POSTed: ``type`` is ``board.offline`` or ``board.back_online``."""
        return {
            "type": "board." + self.kind.value,
            "board_id": self.board_id,
            "board_name": self.board_name,
            "unit_id": self.unit_id,
            "at": self.at.isoformat(),
            "flaps": self.flaps,
        }


class WebhookNotifier:
    def __init__(
        self,
        url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        attempts: int = 5,
        backoff_s: float = 1.0,
        timeout_s: float = 5.0,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self.url = url
        self._transport = transport
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._timeout_s = timeout_s
        self._queue: asyncio.Queue[LinkNotice] = asyncio.Queue(queue_size)
        self._task: asyncio.Task[None] | None = None
        self._failing = False
        self.delivered = 0
        self.dropped = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def submit(self, payload: LinkNotice) -> None:
        """Queue a notice (event-loop thread only); never blocks."""
        if self._queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
                self._queue.task_done()
                self.dropped += 1
        self._queue.put_nowait(payload)

    async def drain(self) -> None:
        """Wait until every queued payload was delivered or given up."""
        await self._queue.join()

    async def _run(self) -> None:
        async with httpx.AsyncClient(transport=self._transport, timeout=self._timeout_s) as client:
            while True:
                payload = await self._queue.get()
                try:
                    await self._deliver(client, payload)
                finally:
                    self._queue.task_done()

    async def _deliver(self, client: httpx.AsyncClient, payload: LinkNotice) -> None:
        problem = (await post_with_retries(client, self.url, json.dumps(payload.json_body()).encode(), {},
                                           attempts=self._attempts, backoff_s=self._backoff_s)).problem
        if problem is None:
            self.delivered += 1
            if self._failing:
                self._failing = False
                log.info("webhook %s reachable again", self.url)
            return
        if not self._failing:
            self._failing = True
            log.warning("webhook %s failing (%s); events are dropped until it recovers", self.url, problem)


@dataclass(frozen=True)
class Posted:
    problem: str | None  # None: delivered; else what went wrong last
    attempts: int


async def post_with_retries(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], *,
                            attempts: int, backoff_s: float) -> Posted:
    """POST a JSON body until it is taken, with exponential back-off between attempts. A 4xx other
    than 429 ends the attempts: the receiver refuses this payload and retrying will not help. Every
    webhook of the server sends through here."""
    problem = ""
    attempt = 0
    for attempt in range(attempts):
        if attempt:
            await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
        try:
            response = await client.post(url, content=body,
                                         headers={"Content-Type": "application/json", **headers})
        except httpx.HTTPError as exc:
            problem = exc.__class__.__name__
            continue
        if response.is_success:
            return Posted(None, attempt + 1)
        problem = f"HTTP {response.status_code}"
        if response.status_code < 500 and response.status_code != 429:
            break
    return Posted(problem, attempt + 1)
