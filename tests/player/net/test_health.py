"""Player health: heartbeats, screenshots of the real display surface, the frame-loop hook."""

import io
import logging
import threading
from datetime import datetime, timedelta

import pygame
import pytest
from PIL import Image

from player.core.cache import MediaCache
from player.core.playlog import PlayLog
from player.core.playtrack import PlayTracker
from player.core.shared import Shared
from player.core.state import StateDir
from player.core.timeline import resolve
from player.net.health import HealthService, LastErrorHandler
from player.net.sync import Coordinator
from player.screen.compositor import Compositor
from player.screen.images import ImageStore
from player.screen.loop import run_loop
from player.screen.observer import FrameObserver
from player.screen.screenshots import ScreenshotTaker, encode_jpeg, grab, raw_mode
from signage_contract.device import DeviceCredential, Nudge, ScreenshotRequest
from tests.support.fake_health_server import FakeHealthServer
from tests.support.player_factories import NOW, manifest

SIZE = (320, 180)
TEXT_BG = (0, 51, 102)


@pytest.fixture
def screen():
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode(SIZE)
    pygame.display.quit()


def _paired_state(tmp_path) -> StateDir:
    state = StateDir(tmp_path / "state")
    state.save_credential(DeviceCredential(board_id="b1", token="tok", server_public_key="", key_id="k"))
    return state


@pytest.fixture
def service(tmp_path):
    server = FakeHealthServer(clock_ahead=timedelta(seconds=120))
    playlog = PlayLog(tmp_path / "plays.sqlite3")
    health = HealthService(
        _paired_state(tmp_path), Shared(), server.client(), PlayTracker(playlog.submit), playlog
    )
    health.server = server  # type: ignore[attr-defined]
    yield health
    playlog.close()


def _text(item_id: str):
    return {"kind": "text", "id": item_id, "title": "Thông báo", "background": "#003366"}


def _colour_at(jpeg: bytes, xy: tuple[int, int] = (4, 4)) -> tuple[int, int, int]:
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG"
        return image.convert("RGB").getpixel(xy)


def _close(a, b, tolerance: int = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_heartbeat_reports_what_each_region_shows_and_the_board_state(service, tmp_path) -> None:
    value = manifest([_text("a")])
    service.tracker.observe(resolve(value, NOW), NOW)
    (service.state.media.root / ("ab" * 32)).write_bytes(b"x" * 1234)
    service.shared.update(manifest=value, version="v7")
    service.tick()
    (beat,) = service.server.heartbeats
    assert (beat.regions, beat.manifest_version, beat.cache_bytes) == ({"main": "a"}, "v7", 1234)
    assert beat.free_disk_bytes and beat.free_disk_bytes > 0
    assert beat.screen_state == "on"


def test_heartbeat_tells_the_pc_and_what_its_config_allows(service, tmp_path) -> None:
    (tmp_path / "thermal_zone0").mkdir()
    (tmp_path / "thermal_zone0" / "temp").write_text("48000\n")
    service.thermal_root, service.allow_reboot = tmp_path, True
    beat = service.heartbeat()
    assert beat.os_name and beat.temperature_c == 48.0 and beat.allow_reboot is True
    assert beat.log_level in {"DEBUG", "INFO", "WARNING", "ERROR"}


def test_headless_screen_state_is_unknown(service) -> None:
    service.headless = True
    assert service.heartbeat().screen_state == "unknown"


def test_the_reply_sets_the_clock_offset_and_the_interval(service) -> None:
    service.server.interval_s = 45
    service.tick()
    assert service.clock_offset_s == pytest.approx(120, abs=5)
    assert service.interval_s == 45
    measured = service.clock_offset_s
    service.tick()
    assert service.server.heartbeats[-1].clock_offset_s == measured


def test_the_last_warning_of_the_player_is_reported() -> None:
    handler = LastErrorHandler()
    logger = logging.getLogger("player.net.sync")
    logger.addHandler(handler)
    try:
        logger.warning("server unavailable (%s)", "timeout")
    finally:
        logger.removeHandler(handler)
    assert handler.last == "WARNING player.net.sync: server unavailable (timeout)"


def test_an_outage_is_logged_once_and_records_stay_queued(service, caplog) -> None:
    value = manifest([_text("a"), {**_text("b")}])
    service.tracker.observe(resolve(value, NOW), NOW)
    service.tracker.close(NOW + timedelta(seconds=30))
    service.playlog.flush()
    service.server.down = True
    with caplog.at_level(logging.INFO, logger="player.net.health"):
        intervals = [service.tick() for _ in range(3)]
    assert intervals == [30, 30, 30]
    assert len([r for r in caplog.records if "not sent" in r.message]) == 1
    assert service.playlog.count() == 1
    service.server.down = False
    service.tick()
    assert (service.playlog.count(), len(service.server.records)) == (0, 1)


def test_a_screenshot_request_message_is_taken_and_a_nudge_is_not(service) -> None:
    taken: list[str] = []
    service.screenshots = ScreenshotTaker(lambda *_: None)
    service.screenshots.request = taken.append  # type: ignore[method-assign]
    coordinator = Coordinator(
        server="http://signage.test", state=service.state, shared=service.shared,
        screenshot_requested=service.screenshot_requested,
    )
    assert isinstance(coordinator.channel.receive(ScreenshotRequest(request_id="r1").model_dump_json()),
                      ScreenshotRequest)
    assert isinstance(coordinator.channel.receive(Nudge(version="v2").model_dump_json()), Nudge)
    assert taken == ["r1"]


@pytest.mark.parametrize(
    ("depth", "masks", "expected"),
    [
        (32, (0xFF0000, 0xFF00, 0xFF, 0), "BGRX"),
        (32, (0xFF, 0xFF00, 0xFF0000, 0), "RGBX"),
        (24, (0xFF0000, 0xFF00, 0xFF, 0), "BGR"),
        (16, (0xF800, 0x7E0, 0x1F, 0), None),
    ],
)
def test_capture_reads_any_surface_layout_with_the_right_colours(depth, masks, expected) -> None:
    surface = pygame.Surface((64, 48), 0, depth, masks)
    surface.fill((200, 40, 120))
    assert raw_mode(surface) == expected
    jpeg = encode_jpeg(grab(surface, NOW))
    assert _close(_colour_at(jpeg), (200, 40, 120), tolerance=8)


def test_periodic_screenshots_of_the_display_surface_with_their_time(service, screen) -> None:
    taker = ScreenshotTaker(service.upload_screenshot, interval=timedelta(minutes=5))
    screen.fill((10, 160, 60))
    pygame.display.flip()
    times = [NOW, NOW + timedelta(minutes=1), NOW + timedelta(minutes=5)]
    captured = []
    for now in times:
        captured.append(taker.after_frame(screen, now))
        assert taker.wait_idle()
    taker.close()
    assert captured == [True, False, True]
    (first, fields), _ = service.server.screenshots
    assert _close(_colour_at(first), (10, 160, 60))
    assert datetime.fromisoformat(fields["taken_at"]) == NOW
    assert "request_id" not in fields


def test_a_requested_screenshot_is_taken_at_the_next_frame_and_names_the_request(service, screen) -> None:
    taker = ScreenshotTaker(service.upload_screenshot)
    taker.after_frame(screen, NOW)
    assert taker.wait_idle()
    taker.request("req-42")
    assert taker.after_frame(screen, NOW + timedelta(seconds=1))
    assert taker.wait_idle()
    taker.close()
    assert service.server.screenshots[-1][1]["request_id"] == "req-42"


def test_the_frame_loop_feeds_play_records_and_screenshots(service, screen, tmp_path) -> None:
    shared = Shared()
    shared.update(manifest=manifest([_text("a")]))
    service.screenshots = ScreenshotTaker(service.upload_screenshot)
    images = ImageStore(MediaCache(tmp_path / "media"), synchronous=True)
    run_loop(
        Compositor(screen, images), shared, threading.Event(), clock=lambda: NOW, max_seconds=0,
        after_frame=FrameObserver(service.tracker, service.screenshots),
    )
    assert service.screenshots.wait_idle()
    service.screenshots.close()
    assert service.tracker.regions() == {"main": "a"}
    assert _close(_colour_at(service.server.screenshots[0][0]), TEXT_BG)


def test_a_failing_hook_is_logged_once_and_never_raises(service, screen, caplog) -> None:
    class Broken:
        def after_frame(self, *_):
            raise RuntimeError("encoder gone")

    observer = FrameObserver(service.tracker, Broken())  # type: ignore[arg-type]
    compositor = Compositor(screen, ImageStore(MediaCache(service.state.root / "m"), synchronous=True))
    shared = Shared()
    shared.update(manifest=manifest([_text("a")]))
    compositor.update(shared.snapshot(), NOW)
    for _ in range(3):
        observer(compositor, NOW)
    assert len([r for r in caplog.records if r.message == "health hook failed"]) == 1
