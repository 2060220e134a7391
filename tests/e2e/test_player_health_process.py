"""kill -9 of a real player process in the middle of a proof-of-play upload: nothing lost, nothing
stored twice. The fake server speaks the device contract, stores records by id as the real one
does, and counts every copy it was sent; a screenshot request travels its WebSocket."""

import asyncio
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.websockets import WebSocket, WebSocketDisconnect

from signage_contract.device import (
    DEVICE_HEARTBEAT,
    DEVICE_PLAYS,
    DEVICE_SCREENSHOTS,
    HeartbeatReply,
    PlayBatch,
    PlayBatchReply,
    PlayRecord,
    ScreenshotRequest,
)
from tests.support.contract_server import ContractServer, _player, _stop
from tests.support.net import free_port
from tests.support.player_factories import entry, manifest, signed

pytestmark = pytest.mark.slow


class HealthContractServer(ContractServer):
    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, PlayRecord] = {}
        self.copies: Counter[str] = Counter()
        self.stall = threading.Event()  # set: the next play upload is stored, then hangs
        self.in_flight: list[str] = []
        self.stalled = threading.Event()  # a hanging upload has arrived
        self.screenshot_fields: list[dict[str, str]] = []

    async def plays(self, request: Request) -> Response:
        batch = PlayBatch.model_validate_json(await request.body())
        accepted = 0
        for record in batch.records:
            self.copies[record.id] += 1
            accepted += record.id not in self.records
            self.records.setdefault(record.id, record)
        if self.stall.is_set() and not self.in_flight:  # stored, but the reply never leaves
            self.in_flight = [r.id for r in batch.records]
            self.stalled.set()
            while self.stall.is_set():  # the player is killed while it waits for this reply
                await asyncio.sleep(0.05)
            return Response(status_code=503)
        reply = PlayBatchReply(accepted=accepted, duplicates=len(batch.records) - accepted)
        return Response(reply.model_dump_json(), media_type="application/json")

    async def heartbeat(self, request: Request) -> Response:
        reply = HeartbeatReply(server_time=datetime.now(UTC), heartbeat_interval_s=5)
        return Response(reply.model_dump_json(), media_type="application/json")

    async def screenshot(self, request: Request) -> Response:
        async with request.form() as form:
            self.screenshot_fields.append({k: v for k, v in form.items() if isinstance(v, str)})
        return Response('{"id": 1}', 201, media_type="application/json")

    async def socket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()  # Hello
        await websocket.send_text(ScreenshotRequest(request_id="req-1").model_dump_json())
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            pass

    def app(self):
        app = super().app()
        app.router.routes[:0] = [
            Route(DEVICE_PLAYS, self.plays, methods=["POST"]),
            Route(DEVICE_HEARTBEAT, self.heartbeat, methods=["POST"]),
            Route(DEVICE_SCREENSHOTS, self.screenshot, methods=["POST"]),
        ]
        return app


def _seed_state(fake: HealthContractServer, state) -> None:
    """A paired board with a manifest of two 2-second items: a record every two seconds."""
    state.mkdir(parents=True)
    now = datetime.now(UTC)
    items = [{"kind": "text", "id": i, "title": "Thông báo", "duration_s": 2} for i in ("a", "b")]
    timeline = [entry(now - timedelta(hours=1), now + timedelta(days=1), {"main": ["a", "b"]})]
    fake.document = signed(manifest(items, timeline), fake.key)
    (state / "credential.json").write_text(fake.credential.model_dump_json(), encoding="utf-8")
    (state / "manifest.json").write_text(fake.document.model_dump_json(), encoding="utf-8")


def _wait(condition, player, what: str, timeout_s: float = 60) -> None:
    """The server's records are the player's only observable output: polled until a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert player.poll() is None, "player exited"
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _requests(fake: HealthContractServer) -> list[dict[str, str]]:
    return [{k: v for k, v in f.items() if k == "request_id"} for f in fake.screenshot_fields]


def _queued_ids(state) -> set[str]:
    with sqlite3.connect(state / "playlog.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT id FROM plays")}


def test_kill_9_during_an_upload_loses_and_duplicates_nothing(tmp_path) -> None:
    fake, port = HealthContractServer(), free_port()
    config = uvicorn.Config(
        fake.app(), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    state, url = tmp_path / "state", f"http://127.0.0.1:{port}"
    _seed_state(fake, state)
    try:
        fake.stall.set()
        first = _player(url, state)
        try:
            _wait(fake.stalled.is_set, first, "an upload in flight")
            _wait(lambda: {"request_id": "req-1"} in _requests(fake), first, "the requested screenshot")
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=20)
        at_kill = _queued_ids(state)
        assert set(fake.in_flight) <= at_kill  # stored by the server, never acknowledged: still queued
        fake.stall.clear()
        second = _player(url, state)
        try:
            _wait(lambda: at_kill <= set(fake.records), second, "every record queued at the kill")
        finally:
            _stop(second)
    finally:
        fake.stall.clear()
        server.should_exit = True
        thread.join(timeout=20)
    stored = list(fake.records.values())
    assert len({(r.region_id, r.started_at) for r in stored}) == len(stored)  # no play stored twice
    assert fake.in_flight and all(fake.copies[i] == 2 for i in fake.in_flight)  # sent twice, stored once
    with sqlite3.connect(state / "playlog.sqlite3") as db:  # SIGTERM closed what was on screen
        assert db.execute("SELECT COUNT(*) FROM plays WHERE open = 1").fetchone() == (0,)
