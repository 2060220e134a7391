"""After a power cut: a real headless player process, started on a state directory holding a stored
override and with no server reachable, shows the override on its first saved frame.

How fast (start to first override frame, target <= 2 s) is measured in bench/bench_override.py.
"""

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pygame
import pytest

from player.core.override_store import OverrideStore
from player.screen.override_screen import palette
from signage_contract import EmergencyOverride
from tests.support.paths import REPOSITORY

pytestmark = pytest.mark.slow
ROOT = REPOSITORY
SIZE = (384, 192)


def stored_override_state(state_dir: Path, level: int = 4) -> EmergencyOverride:
    """A state directory as a power cut leaves it: an override received and stored, nothing else."""
    now = datetime.now(UTC)
    override = EmergencyOverride(
        id="storm",
        title="Bão số 9 đổ bộ",
        body="Người dân ở trong nhà, tránh xa bờ biển.",
        risk_level=level,
        starts_at=now - timedelta(minutes=5),
        expires_at=now + timedelta(hours=2),
        issued_at=now - timedelta(minutes=5),
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    assert OverrideStore(state_dir).receive(override, now)
    return override


def unreachable_server() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"  # closed again: nobody listens


def start_player(state_dir: Path, size: tuple[int, int] = SIZE) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "player", "--server", unreachable_server(), "--headless"]
    command += ["--geometry", f"{size[0]}x{size[1]}", "--state-dir", str(state_dir)]
    with (state_dir.parent / "player.log").open("ab") as log:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def first_frame(path: Path, player: subprocess.Popen[bytes], timeout_s: float = 60) -> pygame.Surface:
    """The frame file is the process's only observable output, so it is polled until a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert player.poll() is None, (path.parent.parent / "player.log").read_text(encoding="utf-8")
        if path.is_file():
            return pygame.image.load(path)
        time.sleep(0.01)
    raise AssertionError("no frame saved")


def test_restart_with_a_stored_override_shows_it_on_the_first_frame(tmp_path) -> None:
    state = tmp_path / "state"
    stored_override_state(state, level=4)
    player = start_player(state)
    try:
        frame = first_frame(state / "frame.png", player)
    finally:
        player.terminate()
        player.wait(timeout=20)
    assert tuple(frame.get_at((SIZE[0] - 2, SIZE[1] - 2)))[:3] == palette(4)[0]
