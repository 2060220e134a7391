"""A restarted board never starts on a black frame: the last presented frame, or text at once."""

import hashlib
import threading

import pygame
import pytest

from player.core.cache import MediaCache
from player.core.shared import Shared, Snapshot
from player.screen.compositor import Compositor
from player.screen.images import ImageStore
from player.screen.last_frame import LastFrameKeeper, restore_last_frame
from player.screen.loop import run_loop
from tests.support.player_factories import (
    LAYOUT_SPLIT,
    NOW,
    entry,
    image_bytes,
    image_item,
    manifest,
    media_ref,
)

SIZE = (320, 180)
RED = (220, 20, 20)
TEXT_BG = (0, 51, 102)
BLACK = (0, 0, 0)


@pytest.fixture
def screen():
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode(SIZE)
    pygame.display.quit()


class _GatedStore(ImageStore):
    """Decodes only once the test opens the gate: the ~2 s a big JPEG takes on a board's CPU."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()

    def _load(self, key):
        self.gate.wait(10)
        return super()._load(key)


def _media(tmp_path) -> tuple[MediaCache, dict]:
    png = image_bytes(160, 90, RED)
    media = MediaCache(tmp_path / "media")
    media.path(hashlib.sha256(png).hexdigest()).write_bytes(png)
    return media, image_item("poster", media_ref(png, 160, 90))


def _near(color, expected, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(color[:3], expected, strict=True))


def _first_frame_of_a_run(screen, compositor: Compositor, value) -> None:
    """One pass of the frame loop: what the board presents first."""
    shared = Shared()
    shared.update(manifest=value)
    run_loop(compositor, shared, threading.Event(), clock=lambda: NOW, max_seconds=0)


def test_a_restarted_board_shows_its_last_frame_while_the_image_decodes(screen, tmp_path) -> None:
    media, poster = _media(tmp_path)
    value = manifest([poster])
    kept = tmp_path / "last-frame.jpg"
    keeper = LastFrameKeeper(kept)
    before = Compositor(screen, ImageStore(media, synchronous=True))
    before.update(Snapshot(generation=1, manifest=value), NOW)
    keeper(before, NOW)
    assert keeper.wait_idle()
    keeper.close()

    screen.fill(BLACK)  # the restart: a new window starts black
    store = _GatedStore(media)
    after = Compositor(screen, store)
    after.on_screen = restore_last_frame(screen, kept)
    _first_frame_of_a_run(screen, after, value)
    assert after.on_screen
    assert _near(screen.get_at((160, 90)), RED)  # the image is still decoding: the kept frame shows
    store.gate.set()
    store.close()


def test_with_no_kept_frame_the_text_regions_are_drawn_at_once(screen, tmp_path) -> None:
    media, poster = _media(tmp_path)
    text = {"kind": "text", "id": "t", "title": "Thông báo"}
    value = manifest(
        [poster, text],
        timeline=[entry(NOW, NOW.replace(year=2027), {"main": ["poster"], "side": ["t"]}, layout_id="split")],
        layouts=[LAYOUT_SPLIT],
    )
    store = _GatedStore(media)
    compositor = Compositor(screen, store)
    assert not restore_last_frame(screen, tmp_path / "none.jpg")
    _first_frame_of_a_run(screen, compositor, value)
    assert _near(screen.get_at((300, 5)), TEXT_BG, 0)  # the side region's text, before the image
    store.gate.set()
    store.close()


def test_a_kept_frame_of_another_size_or_torn_is_not_restored(screen, tmp_path) -> None:
    other = tmp_path / "other.jpg"
    other.write_bytes(image_bytes(100, 100, RED, fmt="JPEG"))
    torn = tmp_path / "torn.jpg"
    torn.write_bytes(image_bytes(*SIZE, RED, fmt="JPEG")[:100])
    assert not restore_last_frame(screen, other)
    assert not restore_last_frame(screen, torn)
    assert tuple(screen.get_at((5, 5)))[:3] == BLACK


def test_nothing_is_kept_before_anything_is_drawn(screen, tmp_path) -> None:
    kept = tmp_path / "last-frame.jpg"
    keeper = LastFrameKeeper(kept)
    keeper(Compositor(screen, ImageStore(MediaCache(tmp_path / "media"), synchronous=True)), NOW)
    assert keeper.wait_idle()
    keeper.close()
    assert not kept.exists()
