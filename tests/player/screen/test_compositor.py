"""The compositor: redraws only what changes, never shows a blank frame, survives bad input."""

import hashlib
import io
import threading
from datetime import timedelta

import pygame
import pytest
from PIL import Image

from player.core.cache import MediaCache
from player.core.shared import Shared, Snapshot
from player.screen.compositor import Compositor, region_rect
from player.screen.images import MAX_PENDING, ImageKey, ImageStore
from player.screen.loop import run_loop
from signage_contract import Fit
from tests.support.player_factories import NOW, entry, image_bytes, image_item, manifest, media_ref

SIZE = (480, 270)
TEXT_BG = (0, 51, 102)


@pytest.fixture
def screen():
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode(SIZE)
    pygame.display.quit()


def _text(item_id: str, **extra):
    return {"kind": "text", "id": item_id, "title": "Thông báo", "body": "Nội dung bản tin", **extra}


def _color_at(surface: pygame.Surface, xy: tuple[int, int]) -> tuple[int, int, int]:
    return tuple(surface.get_at(xy))[:3]


def _snapshot(value, generation: int = 1) -> Snapshot:
    return Snapshot(generation=generation, manifest=value)


def _store(tmp_path, *files: bytes, synchronous: bool = True) -> ImageStore:
    media = MediaCache(tmp_path / "media")
    for data in files:
        media.path(hashlib.sha256(data).hexdigest()).write_bytes(data)
    return ImageStore(media, synchronous=synchronous)


def test_static_slide_redraws_nothing_after_the_first_frame(screen, tmp_path) -> None:
    compositor = Compositor(screen, _store(tmp_path))
    snap = _snapshot(manifest([_text("a")]))
    assert compositor.update(snap, NOW) == [screen.get_rect()]
    assert compositor.update(snap, NOW + timedelta(seconds=1)) == []
    assert not compositor.animating()


def test_an_item_edited_under_the_same_id_is_redrawn(screen, tmp_path) -> None:
    compositor = Compositor(screen, _store(tmp_path))
    compositor.update(_snapshot(manifest([_text("a", background="#003366")])), NOW)
    edited = _snapshot(manifest([_text("a", background="#804000")]), generation=2)
    assert compositor.update(edited, NOW + timedelta(seconds=1))
    assert _color_at(screen, (2, 2)) == (128, 64, 0)


def test_ticker_redraws_only_its_strip(screen, tmp_path) -> None:
    items = [_text("a"), {"kind": "ticker", "id": "k", "text": "Chữ chạy thông báo"}]
    timeline = [
        entry(
            NOW - timedelta(hours=1),
            NOW + timedelta(days=1),
            {"main": ["a"], "ticker": ["k"]},
            layout_id="mtc",
        )
    ]
    compositor = Compositor(screen, _store(tmp_path))
    snap = _snapshot(manifest(items, timeline))
    compositor.update(snap, NOW)
    strip = region_rect(screen.get_rect(), 0, 0.88, 0.78, 0.12)
    assert compositor.update(snap, NOW + timedelta(milliseconds=16)) == [strip]
    assert compositor.animating()


def test_image_is_letterboxed_in_its_background_colour(screen, tmp_path) -> None:
    png = image_bytes(100, 100, (220, 20, 20))
    value = manifest([image_item("i", media_ref(png, 100, 100), background="#00FF00", letterbox="colour")])
    compositor = Compositor(screen, _store(tmp_path, png))
    compositor.update(_snapshot(value), NOW)
    assert _color_at(screen, (240, 135)) == (220, 20, 20)
    assert _color_at(screen, (5, 135)) == (0, 255, 0)


def test_cover_fills_the_region(screen, tmp_path) -> None:
    png = image_bytes(100, 60, (220, 20, 20))  # 5:3 in a 16:9 region: a sliver is cropped
    value = manifest([image_item("i", media_ref(png, 100, 60), fit="cover")])
    compositor = Compositor(screen, _store(tmp_path, png))
    compositor.update(_snapshot(value), NOW)
    assert _color_at(screen, (2, 135)) == (220, 20, 20)


def _poster(width: int, height: int) -> bytes:
    """A poster whose left and right edges (where its words often end) are green and blue."""
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((0, 200, 0), (0, 0, width // 10, height))
    image.paste((0, 0, 200), (width - width // 10, 0, width, height))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("fit", ["cover", "contain"])
def test_a_poster_of_another_shape_is_shown_whole_over_a_blurred_copy_never_cropped(tmp_path, fit) -> None:
    pygame.display.init()
    portrait = pygame.display.set_mode((270, 480))
    poster = _poster(160, 90)
    value = manifest([image_item("i", media_ref(poster, 160, 90), fit=fit)])
    Compositor(portrait, _store(tmp_path, poster)).update(_snapshot(value), NOW)
    middle = [_color_at(portrait, (x, 240)) for x in range(270)]
    assert middle[3] == (0, 200, 0) and middle[-4] == (0, 0, 200)  # both edges on screen
    band = _color_at(portrait, (135, 20))  # above the poster: its own colours, dimmed, not black
    assert band != (0, 0, 0) and band[0] > band[2] and band[0] < 200


class _GatedStore(ImageStore):
    """Decodes in the background only when the test opens the gate (a slow disk, a big JPEG)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()

    def _load(self, key):
        self.gate.wait(10)
        return super()._load(key)


def test_switch_keeps_the_old_slide_until_the_next_one_is_ready(screen, tmp_path) -> None:
    png = image_bytes(100, 100, (220, 20, 20))
    ref = media_ref(png, 100, 100)
    store = _GatedStore(_store(tmp_path, png).media)
    value = manifest([_text("a"), image_item("i", ref)])
    compositor = Compositor(screen, store)
    start = NOW - timedelta(hours=1)  # the loop's anchor: "a" for 10 s, then the image
    compositor.update(_snapshot(value), start)
    before = pygame.image.tobytes(screen, "RGB")
    assert compositor.update(_snapshot(value), start + timedelta(seconds=10)) == []
    assert pygame.image.tobytes(screen, "RGB") == before  # not blank, not half drawn
    store.gate.set()
    for future in list(store._pending.values()):
        future.result(timeout=10)
    compositor.update(_snapshot(value), start + timedelta(seconds=10, milliseconds=200))
    assert _color_at(screen, (240, 135)) == (220, 20, 20)
    store.close()


BAD_INPUTS = {
    "unknown item kind": [{"kind": "hologram", "id": "x"}, _text("a")],
    "absurd duration": [_text("a", duration_s=1e15)],
    "empty text": [_text("a", title="", body="")],
}


@pytest.mark.parametrize("items", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_items_never_blank_the_screen(screen, tmp_path, items) -> None:
    compositor = Compositor(screen, _store(tmp_path))
    compositor.update(_snapshot(manifest(items)), NOW)
    assert _color_at(screen, (2, 2)) == TEXT_BG


@pytest.mark.parametrize("damage", ["corrupt image", "wrong hash on disk"])
def test_unusable_image_is_skipped_for_the_next_item(screen, tmp_path, damage: str) -> None:
    junk = b"this is not an image at all" * 10
    if damage == "corrupt image":
        store, ref = _store(tmp_path, junk), media_ref(junk, 10, 10)
    else:
        store, ref = _store(tmp_path), media_ref(junk, 10, 10)
        store.media.path(ref.sha256).write_bytes(b"tampered")
    compositor = Compositor(screen, store)
    value = manifest([image_item("i", ref), _text("b")])
    for step in range(2):
        compositor.update(_snapshot(value), NOW - timedelta(hours=1, seconds=-step))
    assert _color_at(screen, (2, 2)) == TEXT_BG


def test_nothing_scheduled_shows_the_fallback_slide_not_black(screen, tmp_path) -> None:
    compositor = Compositor(screen, _store(tmp_path))
    compositor.update(_snapshot(manifest([_text("a")], timeline=[])), NOW)
    assert _color_at(screen, (2, 2)) == (0, 51, 102)


def test_active_emergency_override_covers_everything(screen, tmp_path) -> None:
    override = {
        "id": "o",
        "title": "Cảnh báo lũ quét",
        "body": "Sơ tán ngay",
        "risk_level": 4,
        "starts_at": NOW - timedelta(minutes=1),
        "expires_at": NOW + timedelta(hours=1),
        "issued_at": NOW - timedelta(minutes=1),
    }
    value = manifest([_text("a")], overrides=[override])
    compositor = Compositor(screen, _store(tmp_path))
    compositor.update(_snapshot(value), NOW)
    assert _color_at(screen, (2, SIZE[1] - 2)) == (255, 0, 0)
    compositor.update(_snapshot(value), NOW + timedelta(hours=1))
    assert _color_at(screen, (2, 2)) == TEXT_BG


def test_unpaired_board_shows_its_pairing_code(screen, tmp_path) -> None:
    compositor = Compositor(screen, _store(tmp_path))
    compositor.update(Snapshot(generation=1, pairing_code="ACD347", server="http://srv"), NOW)
    pixels = pygame.image.tobytes(screen, "RGB")
    assert bytes((255, 215, 0)) in pixels  # the code, in yellow


def test_loop_saves_the_latest_frame(screen, tmp_path) -> None:
    shared = Shared()
    shared.update(manifest=manifest([_text("a")]))
    frame = tmp_path / "frame.png"
    run_loop(
        Compositor(screen, _store(tmp_path)),
        shared,
        threading.Event(),
        frame,
        clock=lambda: NOW,
        max_seconds=0,
    )
    assert _color_at(pygame.image.load(frame), (2, 2)) == TEXT_BG


def test_decodes_prepared_ahead_but_never_shown_do_not_pile_up(tmp_path) -> None:
    pictures = [image_bytes(8, 8, (n, 0, 0)) for n in range(12)]
    store = _store(tmp_path, *pictures)
    pygame.display.init()
    for data in pictures:
        store.request(ImageKey(hashlib.sha256(data).hexdigest(), 8, 8, Fit.CONTAIN, (0, 0, 0)))
    assert len(store._pending) <= MAX_PENDING + 1
    pygame.display.quit()


class _BrokenCompositor(Compositor):
    def update(self, snap, now):
        raise ValueError("a renderer failed")

    def next_wake_s(self, now):
        return 0.0


def test_a_failing_frame_is_logged_once_and_the_loop_goes_on(screen, tmp_path, caplog) -> None:
    stop, calls = threading.Event(), []

    def clock():
        calls.append(1)
        if len(calls) >= 5:
            stop.set()
        return NOW

    run_loop(_BrokenCompositor(screen, _store(tmp_path)), Shared(), stop, clock=clock)
    assert len(calls) == 5
    assert len([r for r in caplog.records if r.message == "frame failed"]) == 1


def test_an_empty_region_shows_the_board_name_and_clock_never_a_black_band(screen, tmp_path) -> None:
    layout = {"id": "quarters", "name": "Chính và hai ô", "regions": [
        {"id": "main", "role": "main", "x": 0, "y": 0, "w": 0.5, "h": 1},
        {"id": "side", "role": "side", "x": 0.5, "y": 0, "w": 0.5, "h": 0.5},
        {"id": "logo", "role": "logo", "x": 0.5, "y": 0.5, "w": 0.5, "h": 0.5}]}
    value = manifest([_text("t"), {"kind": "clock", "id": "c"}],
                     [entry(NOW, NOW + timedelta(hours=1), {"main": ["t"], "logo": ["c"]}, "quarters")],
                     [layout], board_name="Bảng tin xã")
    Compositor(screen, _store(tmp_path)).update(_snapshot(value), NOW)
    side = screen.subsurface(pygame.Rect(240, 0, 240, 135))
    colours = {tuple(side.get_at((x, y)))[:3] for x in range(0, 240, 2) for y in range(0, 135, 2)}
    assert (0, 0, 0) not in colours
    assert (255, 215, 0) in colours and (255, 255, 255) in colours  # the time, the date and name


def test_a_manifest_naming_another_geometry_is_drawn_whole_in_the_reopened_window(tmp_path) -> None:
    pygame.display.init()
    first = pygame.display.set_mode((480, 270))
    opened: list[pygame.Surface] = []

    def reopen(value):
        if value is None or opened:
            return None
        opened.append(pygame.display.set_mode(value.resolution))
        return opened[0]

    compositor = Compositor(first, _store(tmp_path), reopen=reopen)
    dirty = compositor.update(_snapshot(manifest([_text("t")], resolution=(384, 192))), NOW)
    assert compositor.screen is opened[0] and compositor.screen.get_size() == (384, 192)
    assert dirty == [pygame.Rect(0, 0, 384, 192)]
