"""Updates with rollback on real processes: the launcher runs a headless player against a server
speaking the device contract, which offers two real wheels built here. The good one is installed
beside the base install, started, reports healthy and stays; the broken one (it exits at start) is
rolled back to the good one, which reports the failure with its next release check."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from player.core.releases import Releases
from player.net.updater import pip_install
from signage_contract.device import DEVICE_HEARTBEAT, Heartbeat, HeartbeatReply
from signage_contract.release import (
    DEVICE_RELEASE,
    DEVICE_RELEASE_WHEEL,
    ReleaseCheck,
    ReleaseDescriptor,
    sign_release,
)
from tests.support.contract_server import ROOT, ContractServer
from tests.support.net import free_port
from tests.support.player_factories import manifest, signed
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.slow


class ReleaseServer(ContractServer):
    def __init__(self) -> None:
        super().__init__()
        self.wheel: bytes | None = None
        self.version = ""
        self.beats: list[Heartbeat] = []
        self.checks: list[ReleaseCheck] = []

    def offer(self, wheel: Path, version: str) -> None:
        self.wheel, self.version = wheel.read_bytes(), version

    async def heartbeat(self, request: Request) -> Response:
        self.beats.append(Heartbeat.model_validate_json(await request.body()))
        reply = HeartbeatReply(server_time=datetime.now(UTC), heartbeat_interval_s=5)
        return Response(reply.model_dump_json(), media_type="application/json")

    async def release(self, request: Request) -> Response:
        self.checks.append(ReleaseCheck.model_validate_json(await request.body()))
        if self.wheel is None:
            return Response(status_code=204)
        sha = hashlib.sha256(self.wheel).hexdigest()
        descriptor = ReleaseDescriptor(board_id="b1", channel="pilot", version=self.version, sha256=sha,
                                       size=len(self.wheel), url=DEVICE_RELEASE_WHEEL.format(sha256=sha),
                                       issued_at=datetime.now(UTC))
        return Response(sign_release(self.key, descriptor).model_dump_json(), media_type="application/json")

    async def wheel_file(self, request: Request) -> Response:
        if not self._authorised(request.headers) or self.wheel is None:
            return Response(status_code=404)
        return Response(self.wheel, media_type="application/octet-stream")

    def app(self):  # type: ignore[no-untyped-def]
        app = super().app()
        app.router.routes[:0] = [
            Route(DEVICE_HEARTBEAT, self.heartbeat, methods=["POST"]),
            Route(DEVICE_RELEASE, self.release, methods=["POST"]),
            Route(DEVICE_RELEASE_WHEEL, self.wheel_file),
        ]
        return app


def _launcher(server_url: str, state_dir: Path, trial_s: float = 60) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": str(ROOT),
           "SIGNAGE_UPDATE_TRIAL_S": str(trial_s)}
    with (state_dir.parent / "player.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "player.launcher", "--server", server_url, "--headless", "--geometry",
             "320x180", "--state-dir", str(state_dir), "--poll-interval", "300"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def _until(condition: Callable[[], bool], launcher: subprocess.Popen[bytes], log: Path,
           timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        assert launcher.poll() is None, log.read_text(encoding="utf-8")
        time.sleep(0.2)
    raise AssertionError(log.read_text(encoding="utf-8"))


def _stop(launcher: subprocess.Popen[bytes]) -> None:
    launcher.terminate()
    launcher.wait(timeout=30)


def test_an_update_stays_and_a_failed_update_is_rolled_back(tmp_path) -> None:
    fake, port = ReleaseServer(), free_port()
    config = uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning",
                            ws="websockets-sansio", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    state, log = tmp_path / "state", tmp_path / "player.log"
    state.mkdir(parents=True)
    fake.document = signed(manifest([]), fake.key)
    (state / "credential.json").write_text(fake.credential.model_dump_json(), encoding="utf-8")
    releases = Releases(state)
    fake.offer(build_wheel(tmp_path / "wheels", "0.2.0"), "0.2.0")
    url = f"http://127.0.0.1:{port}"
    launcher = _launcher(url, state)
    try:
        _until(lambda: (r := releases.report()) is not None and r.outcome == "installed", launcher, log)
        _until(lambda: any(b.software_version == "0.2.0" for b in fake.beats), launcher, log)
        assert releases.pointer() == "0.2.0" and releases.trial() is None
        _stop(launcher)

        # the broken release: installed, started, dead at once, rolled back to 0.2.0
        fake.offer(build_wheel(tmp_path / "wheels", "0.3.0", broken=True), "0.3.0")
        fake.checks.clear()
        launcher = _launcher(url, state)
        _until(lambda: any(c.last_update is not None and c.last_update.outcome == "rolled_back"
                           for c in fake.checks), launcher, log)
        (failed,) = [c for c in fake.checks
                     if c.last_update is not None and c.last_update.outcome == "rolled_back"]
        assert failed.running_version == "0.2.0"  # the previous release runs again and says so
        assert failed.last_update is not None and failed.last_update.to_version == "0.3.0"
        assert "before reporting healthy" in failed.last_update.reason
        assert releases.pointer() == "0.2.0" and releases.trial() is None
        assert launcher.poll() is None  # running the good release, not retrying the broken one
    finally:
        if launcher.poll() is None:
            _stop(launcher)
        server.should_exit = True
        thread.join(timeout=20)


def test_a_release_that_runs_but_never_reports_healthy_is_stopped_and_rolled_back(tmp_path) -> None:
    state, log = tmp_path / "state", tmp_path / "player.log"
    state.mkdir(parents=True)
    releases = Releases(state)
    releases.ensure()
    pip_install(build_wheel(tmp_path / "wheels", "0.4.0", hanging=True), releases.site("0.4.0"))
    releases.switch_to(version="0.4.0", from_version="0.1.0")
    launcher = _launcher(f"http://127.0.0.1:{free_port()}", state, trial_s=3)  # nothing listens there
    try:
        _until(lambda: (r := releases.report()) is not None and r.outcome == "rolled_back", launcher, log)
        report = releases.report()
        assert report is not None and report.reason == "it did not report healthy within 3 s"
        assert releases.pointer() == "" and releases.trial() is None
        _until(lambda: "starting the player (base install)" in log.read_text(encoding="utf-8"), launcher, log)
    finally:
        _stop(launcher)
