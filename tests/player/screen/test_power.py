"""The power schedule on screen: a simulated day with the player's injectable clock (off and on at
the right minutes, dimmed in the evening, an emergency wakes it), and what the heartbeat says."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pygame
import pytest

from player.core.cache import MediaCache
from player.core.playlog import PlayLog
from player.core.playtrack import PlayTracker
from player.core.screen_status import ScreenStatus
from player.core.shared import Shared, Snapshot
from player.core.state import StateDir
from player.net.health import HealthService
from player.screen.compositor import Compositor
from player.screen.display_power import PowerFollower
from player.screen.images import ImageStore
from player.screen.loop import run_loop
from signage_contract import LOCAL_ZONE
from signage_contract.device import DeviceCredential
from signage_contract.power import DailyWindow, DimWindow, PowerSchedule
from tests.support.fake_health_server import FakeHealthServer
from tests.support.player_factories import manifest

SIZE = (320, 180)
TEXT_BG = (0, 51, 102)
NIGHT = PowerSchedule(
    off=[DailyWindow(start=time(22, 0), end=time(5, 30))],
    dim=[DimWindow(start=time(19, 0), end=time(6, 0), level=30)],
)
DAY_START = datetime(2026, 11, 23, 14, 0, tzinfo=LOCAL_ZONE)  # the factories' NOW is 14:05 local


def local(hour: int, minute: int = 0, next_day: bool = False) -> datetime:
    day = DAY_START.date() + timedelta(days=1 if next_day else 0)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_ZONE)


@pytest.fixture
def screen():
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode(SIZE)
    pygame.display.quit()


class RecordingPower:
    """Stands for DisplayPower: records each change the frame loop hands it, with the clock's time."""

    def __init__(self) -> None:
        self.now: datetime | None = None
        self.changes: list[tuple[datetime | None, bool, int]] = []

    def want(self, on: bool, brightness: int) -> None:
        self.changes.append((self.now, on, brightness))


def _board(screen, tmp_path, **extra):
    value = manifest([{"kind": "text", "id": "a", "title": "Thông báo", "background": "#003366"}],
                     power=NIGHT.model_dump(mode="json"), **extra)
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path / "media"), synchronous=True))
    power, status = RecordingPower(), ScreenStatus()
    follower = PowerFollower(power, status)  # type: ignore[arg-type]
    return Snapshot(generation=1, manifest=value), compositor, power, status, follower


def _pixel() -> tuple[int, int, int]:
    return tuple(pygame.display.get_surface().get_at((2, 2)))[:3]


def _close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 2) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def _simulate_day(snap, compositor, power, follower, check) -> None:
    """What the frame loop does each minute of a day, with the clock injected."""
    at = DAY_START
    while at < DAY_START + timedelta(days=1):
        power.now = at
        compositor.update(snap, at)
        follower(compositor.screen_on, compositor.brightness)
        check(at)
        at += timedelta(minutes=1)


def test_a_day_of_night_off_and_evening_dim(screen, tmp_path) -> None:
    snap, compositor, power, status, follower = _board(screen, tmp_path)
    dimmed = tuple(round(c * round(255 * 0.3) / 255) for c in TEXT_BG)

    def check(at: datetime) -> None:
        clock = at.astimezone(LOCAL_ZONE).time()
        off = clock >= time(22) or clock < time(5, 30)
        dim = clock >= time(19) or clock < time(6)
        assert compositor.screen_on is not off, at
        if off:
            assert _pixel() == (0, 0, 0), at
        else:
            assert _close(_pixel(), dimmed if dim else TEXT_BG), (at, _pixel())

    _simulate_day(snap, compositor, power, follower, check)
    assert power.changes == [
        (DAY_START, True, 100),
        (local(19), True, 30),
        (local(22), False, 30),
        (local(5, 30, next_day=True), True, 30),
        (local(6, next_day=True), True, 100),
    ]
    assert status.get() == (True, 100)


def test_an_emergency_wakes_the_screen_at_full_brightness_then_the_schedule_resumes(screen, tmp_path) -> None:
    override = {"id": "o", "title": "Cảnh báo lũ quét", "risk_level": 4, "starts_at": local(23),
                "expires_at": local(23, 20), "issued_at": local(23)}
    snap, compositor, power, _status, follower = _board(screen, tmp_path, overrides=[override])

    def check(at: datetime) -> None:
        if local(23) <= at < local(23, 20):
            assert compositor.screen_on and compositor.brightness == 100
            assert compositor.shown_override() == "o"
            assert tuple(pygame.display.get_surface().get_at((2, SIZE[1] - 2)))[:3] == (255, 0, 0)

    _simulate_day(snap, compositor, power, follower, check)
    assert [c for c in power.changes if local(22) <= c[0] <= local(23, 30)] == [
        (local(22), False, 30),
        (local(23), True, 100),
        (local(23, 20), False, 30),
    ]


def test_no_play_is_recorded_while_the_screen_is_off(screen, tmp_path) -> None:
    snap, compositor, *_ = _board(screen, tmp_path)
    compositor.update(snap, local(23))
    assert compositor.mode == ("off",) and compositor.shown_override() is None


def test_heartbeat_says_off_then_on_with_the_brightness(tmp_path) -> None:
    state = StateDir(tmp_path / "state")
    state.save_credential(DeviceCredential(board_id="b1", token="tok", server_public_key="", key_id="k"))
    playlog = PlayLog(tmp_path / "plays.sqlite3")
    status = ScreenStatus()
    health = HealthService(state, Shared(), FakeHealthServer().client(), PlayTracker(playlog.submit), playlog,
                           headless=True, screen_status=status)
    try:
        assert (health.heartbeat().screen_state, health.heartbeat().brightness) == ("unknown", None)
        status.set(False, 30)
        assert (health.heartbeat().screen_state, health.heartbeat().brightness) == ("off", 0)
        status.set(True, 30)
        beat = health.heartbeat()
        assert beat.brightness == 30 and beat.screen_state == "unknown"  # headless: drawn, not seen
    finally:
        playlog.close()


def test_the_frame_loop_hands_the_power_state_to_its_hook(screen, tmp_path) -> None:
    shared = Shared()
    shared.update(manifest=manifest([{"kind": "text", "id": "a"}], power=NIGHT.model_dump(mode="json")))
    seen: list[tuple[bool, int]] = []
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path / "media"), synchronous=True))
    run_loop(compositor, shared, threading.Event(), clock=lambda: local(23), max_seconds=0,
             power=lambda on, level: seen.append((on, level)))
    assert seen == [(False, 30)]
