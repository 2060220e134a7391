"""A fake of the server's health routes, built from ``signage_contract.device`` only: it stores
play records by id (as the real one does, idempotently) and counts every copy it was sent, so a
test can tell "arrived once" from "sent twice". Usable as an ``httpx.MockTransport`` handler."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from signage_contract.device import (
    DEVICE_HEARTBEAT,
    DEVICE_PLAYS,
    DEVICE_SCREENSHOTS,
    Heartbeat,
    HeartbeatReply,
    PlayBatch,
    PlayBatchReply,
    PlayRecord,
)


class FakeHealthServer:
    def __init__(self, clock_ahead: timedelta = timedelta(0)) -> None:
        self.lock = threading.Lock()
        self.records: dict[str, PlayRecord] = {}
        self.copies: Counter[str] = Counter()  # how many times each id was sent
        self.batches: list[int] = []
        self.heartbeats: list[Heartbeat] = []
        self.screenshots: list[tuple[bytes, dict[str, str]]] = []
        self.down = False  # every request fails to connect
        self.lose_next_replies = 0  # store the batch, then time out before replying
        self.clock_ahead = clock_ahead
        self.interval_s = 30

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.headers.get("authorization") != "Bearer tok":
            return httpx.Response(401)
        if request.url.path == DEVICE_PLAYS:
            reply = self.ingest(PlayBatch.model_validate_json(request.content))
            with self.lock:
                if self.lose_next_replies:
                    self.lose_next_replies -= 1
                    raise httpx.ReadTimeout("reply lost", request=request)
            return httpx.Response(200, content=reply.model_dump_json())
        if request.url.path == DEVICE_HEARTBEAT:
            self.heartbeats.append(Heartbeat.model_validate_json(request.content))
            reply = HeartbeatReply(
                server_time=datetime.now(UTC) + self.clock_ahead, heartbeat_interval_s=self.interval_s
            )
            return httpx.Response(200, content=reply.model_dump_json())
        if request.url.path == DEVICE_SCREENSHOTS:
            return self._screenshot(request)
        return httpx.Response(404)

    def ingest(self, batch: PlayBatch) -> PlayBatchReply:
        with self.lock:
            self.batches.append(len(batch.records))
            accepted = 0
            for record in batch.records:
                self.copies[record.id] += 1
                if record.id not in self.records:
                    self.records[record.id] = record
                    accepted += 1
            return PlayBatchReply(accepted=accepted, duplicates=len(batch.records) - accepted)

    def _screenshot(self, request: httpx.Request) -> httpx.Response:
        content_type = request.headers["content-type"]
        boundary = content_type.split("boundary=")[1].encode()
        fields: dict[str, str] = {}
        image = b""
        for part in request.content.split(b"--" + boundary)[1:-1]:
            head, _, body = part.partition(b"\r\n\r\n")
            body = body[: -len(b"\r\n")]
            name = head.split(b'name="')[1].split(b'"')[0].decode()
            if name == "image":
                image = body
            else:
                fields[name] = body.decode()
        self.screenshots.append((image, fields))
        return httpx.Response(201, json={"id": len(self.screenshots)})

    def client(self) -> httpx.Client:
        return httpx.Client(base_url="http://board-server", transport=httpx.MockTransport(self.handle))
