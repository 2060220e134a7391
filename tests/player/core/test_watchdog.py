"""The frame loop's beats reach systemd as sd_notify datagrams (READY once, WATCHDOG at most every
quarter of the limit), and a loop that stops beating ends the process so the service restarts it."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from player.core.watchdog import FrameWatchdog, SdNotify


@pytest.fixture
def listener(tmp_path: Path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(5)
    yield str(path), sock
    sock.close()


def _pending(sock: socket.socket) -> list[str]:
    sock.setblocking(False)
    got = []
    try:
        while True:
            got.append(sock.recv(4096).decode())
    except BlockingIOError:
        return got
    finally:
        sock.settimeout(5)


def test_beats_become_ready_then_rate_limited_watchdog_datagrams(listener) -> None:
    address, sock = listener
    now = [100.0]
    watchdog = FrameWatchdog(SdNotify(address), limit_s=30, clock=lambda: now[0])
    watchdog.beat()
    assert sock.recv(4096).decode().startswith("READY=1")
    assert sock.recv(4096) == b"WATCHDOG=1"
    for _ in range(50):  # sixty frames a second must not mean sixty datagrams
        now[0] += 0.1
        watchdog.beat()
    assert _pending(sock) == []
    now[0] += 3
    watchdog.beat()
    assert _pending(sock) == ["WATCHDOG=1"]
    watchdog.notify.close()


def test_an_abstract_socket_address_is_understood() -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0signage-test-notify")
    sock.settimeout(5)
    try:
        notify = SdNotify("@signage-test-notify")
        notify.send("WATCHDOG=1")
        notify.close()
        assert sock.recv(4096) == b"WATCHDOG=1"
    finally:
        sock.close()


def test_without_systemd_nothing_is_sent_and_nothing_fails() -> None:
    for address in (None, "", "relative/path"):
        notify = SdNotify(address)
        assert not notify.active
        notify.send("READY=1")


def test_a_loop_that_stops_beating_is_called_frozen() -> None:
    frozen = threading.Event()
    silences: list[float] = []

    def on_frozen(silent: float) -> None:
        silences.append(silent)
        frozen.set()

    watchdog = FrameWatchdog(SdNotify(None), limit_s=0.3, on_frozen=on_frozen)
    watchdog.start()
    assert frozen.wait(10)
    watchdog.stop()
    assert silences[0] >= 0.3


def test_a_beating_loop_is_never_called_frozen() -> None:
    frozen = threading.Event()
    watchdog = FrameWatchdog(SdNotify(None), limit_s=0.5, on_frozen=lambda _s: frozen.set())
    watchdog.start()
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.02):  # a frame loop at 50 fps
            watchdog.beat()

    beating = threading.Thread(target=loop)
    beating.start()
    assert not frozen.wait(1.5)
    stop.set()
    beating.join()
    watchdog.stop()
