"""A small HTTP + WebSocket server speaking the device contract, and helpers to run a real headless
player process against it: for player tests that need to observe exactly what the device sends
(tests/e2e/test_player_server.py runs the player against the real server)."""

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pygame
import pytest
from nacl.signing import SigningKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from signage_contract.device import (
    DEVICE_MANIFEST,
    DEVICE_MEDIA,
    DEVICE_SOCKET,
    PAIRING_POLL,
    PAIRING_START,
    DeviceCredential,
    Nudge,
    PairingStatus,
    PairingTicket,
)
from signage_contract.signing import encode_key, key_id
from tests.support.paths import REPOSITORY
from tests.support.player_factories import entry, manifest, signed

pytestmark = pytest.mark.slow
ROOT = REPOSITORY
TEXT_BG = (0, 0, 128)
RED = (220, 20, 20)


class ContractServer:
    def __init__(self) -> None:
        self.key = SigningKey.generate()
        self.credential = DeviceCredential(
            board_id="b1",
            token="tok",
            key_id=key_id(self.key.verify_key),
            server_public_key=encode_key(self.key.verify_key),
        )
        self.document = None
        self.media: dict[str, bytes] = {}
        self.sockets: set[WebSocket] = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    def publish(self, items) -> None:
        now = datetime.now(UTC)  # a real process plays by the real clock
        timeline = [
            entry(now - timedelta(hours=1), now + timedelta(days=7), {"main": [i["id"] for i in items]})
        ]
        self.document = signed(manifest(items, timeline), self.key)

    async def start_pairing(self, request: Request) -> Response:
        ticket = PairingTicket(
            ticket_id="t1",
            code="ACD347",
            secret="s",
            poll_interval_s=1,
            expires_at=datetime.now(UTC) + timedelta(minutes=5),
        )
        return Response(ticket.model_dump_json(), 201, media_type="application/json")

    async def poll_pairing(self, request: Request) -> Response:
        status = PairingStatus(state="claimed", credential=self.credential)
        return Response(status.model_dump_json(), media_type="application/json")

    def _authorised(self, headers) -> bool:
        return headers.get("authorization") == "Bearer tok"

    async def manifest(self, request: Request) -> Response:
        if not self._authorised(request.headers):
            return JSONResponse({"detail": "unauthorised"}, 401)
        etag = f'"{self.document.version}"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304)
        return Response(
            self.document.model_dump_json(), media_type="application/json", headers={"ETag": etag}
        )

    async def media_file(self, request: Request) -> Response:
        data = self.media.get(request.path_params["sha256"])
        if data is None or not self._authorised(request.headers):
            return Response(status_code=404)
        return Response(data, media_type="application/octet-stream")

    async def socket(self, websocket: WebSocket) -> None:
        if not self._authorised(websocket.headers):
            await websocket.close(code=4401)
            return
        await websocket.accept()
        self.loop = asyncio.get_running_loop()
        await websocket.receive_text()  # Hello
        self.sockets.add(websocket)
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            self.sockets.discard(websocket)

    def nudge(self) -> None:
        message = Nudge(version=self.document.version).model_dump_json()
        for websocket in list(self.sockets):
            asyncio.run_coroutine_threadsafe(websocket.send_text(message), self.loop).result(timeout=10)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(PAIRING_START, self.start_pairing, methods=["POST"]),
                Route(PAIRING_POLL, self.poll_pairing),
                Route(DEVICE_MANIFEST, self.manifest),
                Route(DEVICE_MEDIA, self.media_file),
                WebSocketRoute(DEVICE_SOCKET, self.socket),
            ]
        )


def _player(server_url: str, state_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir.parent / "player.log").open("ab") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "player",
                "--server",
                server_url,
                "--headless",
                "--geometry",
                "320x180",
                "--state-dir",
                str(state_dir),
                "--poll-interval",
                "300",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_for_colour(frame: Path, colour, player: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    """The frame file is the player's only observable output, so it is polled until a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert player.poll() is None, (frame.parent.parent / "player.log").read_text(encoding="utf-8")
        try:
            if tuple(pygame.image.load(frame).get_at((2, 2)))[:3] == colour:
                return
        except (FileNotFoundError, pygame.error):
            pass
        time.sleep(0.2)
    raise AssertionError(f"frame never showed {colour}")


def _stop(player: subprocess.Popen[bytes]) -> None:
    player.terminate()
    player.wait(timeout=20)


