"""``make demo`` end to end: seeded server, a headless player paired through the API, a clean stop."""

import os
import signal
import subprocess
import sys

import pygame
import pytest

from tests.support.live_site import ROOT, colours, wait_for_frame
from tests.support.net import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "killpg"), reason="checks the process group (POSIX)"),
]
TICKER_RED, WHITE = (139, 0, 0), (255, 255, 255)


def _scheduled_content(frame: pygame.Surface) -> bool:
    """The demo board's schedule: a ticker strip and white text, not the pairing or fallback screen."""
    seen, pixels = colours(frame), frame.get_width() * frame.get_height()
    return seen[TICKER_RED] > pixels // 100 and seen[WHITE] > pixels // 100


def test_demo_pairs_its_player_shows_content_and_stops_with_both_processes(tmp_path) -> None:
    pygame.init()
    data, log = tmp_path / "demo", tmp_path / "demo.log"
    command = [sys.executable, "-m", "signage_server.demo", "--data-dir", str(data),
               "--port", str(free_port()), "--headless"]
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    with log.open("ab") as out:  # its own session: every process it starts shares its group id
        demo = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_for_frame(data / "player" / "frame.png", _scheduled_content, "the demo board's content",
                       [demo], log)
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
    assert demo.returncode == 0, log.read_text(encoding="utf-8")
    assert "Paired the player" in log.read_text(encoding="utf-8")
    with pytest.raises(ProcessLookupError):  # the server and the player went with it
        os.killpg(demo.pid, 0)
