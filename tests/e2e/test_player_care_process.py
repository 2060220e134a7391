"""Remote care against a real headless player process: a log fetch over the socket is answered by an
upload of its log file's last lines, then a restart ends it with the status its service manager
restarts. The fake server speaks the device contract."""

import asyncio
import threading
from datetime import UTC, datetime

import pytest
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.websockets import WebSocket, WebSocketDisconnect

from player.core.care import EXIT_RESTART, LOG_NAME
from signage_contract.device import (
    DEVICE_HEARTBEAT,
    DEVICE_LOGS,
    CareCommand,
    HeartbeatReply,
    LogsRequest,
    LogUpload,
)
from tests.support.contract_server import ContractServer, _player, _stop
from tests.support.net import free_port
from tests.support.player_factories import manifest, signed

pytestmark = pytest.mark.slow


class CareContractServer(ContractServer):
    def __init__(self) -> None:
        super().__init__()
        self.uploads: list[LogUpload] = []
        self.uploaded: asyncio.Event | None = None

    async def heartbeat(self, request: Request) -> Response:
        reply = HeartbeatReply(server_time=datetime.now(UTC), heartbeat_interval_s=30)
        return Response(reply.model_dump_json(), media_type="application/json")

    async def logs(self, request: Request) -> Response:
        self.uploads.append(LogUpload.model_validate_json(await request.body()))
        assert self.uploaded is not None
        self.uploaded.set()
        return Response(status_code=204)

    async def socket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()  # Hello
        self.uploaded = asyncio.Event()
        await websocket.send_text(LogsRequest(request_id="logs-1", lines=20).model_dump_json())
        await asyncio.wait_for(self.uploaded.wait(), timeout=60)
        await websocket.send_text(CareCommand(action="restart").model_dump_json())
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            pass

    def app(self):
        app = super().app()
        app.router.routes[:0] = [
            Route(DEVICE_HEARTBEAT, self.heartbeat, methods=["POST"]),
            Route(DEVICE_LOGS, self.logs, methods=["POST"]),
        ]
        return app


def test_a_log_fetch_then_a_restart_of_a_real_player(tmp_path) -> None:
    fake, port = CareContractServer(), free_port()
    config = uvicorn.Config(
        fake.app(), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    state = tmp_path / "state"
    state.mkdir(parents=True)
    fake.document = signed(manifest([]), fake.key)
    (state / "credential.json").write_text(fake.credential.model_dump_json(), encoding="utf-8")
    player = _player(f"http://127.0.0.1:{port}", state)
    try:
        code = player.wait(timeout=90)
    except Exception:
        _stop(player)
        raise
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    (upload,) = fake.uploads
    assert upload.request_id == "logs-1" and 0 < len(upload.lines) <= 20
    assert "player" in upload.lines[0] and "starting" in upload.lines[0]  # each run's first line
    assert code == EXIT_RESTART
    text = (state / LOG_NAME).read_text(encoding="utf-8")
    assert "restart asked by the server" in text and fake.credential.token not in text
