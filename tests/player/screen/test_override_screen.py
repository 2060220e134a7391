"""The override's screen: legible on a 384x192 LED board and on 1920x1080, colours by risk level,
the banner, the clock, the image when available; and the frame loop showing a push at once."""

import hashlib
import threading
from datetime import timedelta

import pygame
import pytest

from player.core.cache import MediaCache
from player.core.override_store import OverrideStore
from player.core.shared import Shared, Snapshot
from player.net.overrides import AckOutbox, OverrideDesk
from player.screen.compositor import Compositor
from player.screen.images import ImageStore
from player.screen.loop import run_loop
from player.screen.override_screen import banner_labels, contrast, page_shown, palette, plan
from player.screen.render import board_zone, inner, measure
from player.screen.text_layout import LEGIBLE_MIN_PX
from signage_contract import RISK_COLORS
from signage_contract.device import OverridePush
from signage_contract.text_layout import words_of
from tests.player.net.test_overrides import make_override
from tests.support.player_factories import NOW, image_bytes, manifest, media_ref

LED = (384, 192)
FULL_HD = (1920, 1080)
PORTRAIT = (1080, 1920)
LONG_BODY = (
    "Bão số 9 đổ bộ vào đất liền trong đêm nay với sức gió cấp 12, giật cấp 15. Người dân ở trong "
    "nhà kiên cố, tránh xa bờ biển, cửa sông; không ra khơi; chằng chống nhà cửa; theo dõi thông tin "
    "của Ban Chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn xã."
)


@pytest.fixture
def display():
    pygame.display.init()
    pygame.font.init()
    yield lambda size: pygame.display.set_mode(size)
    pygame.display.quit()


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))


def _colors_in(surface: pygame.Surface, rect: pygame.Rect) -> set[tuple[int, int, int]]:
    return {
        tuple(surface.get_at((x, y)))[:3]
        for x in range(rect.x, rect.right, 2)
        for y in range(rect.y, rect.bottom, 2)
    }


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_ink_contrasts_with_every_risk_colour(level) -> None:
    background, ink = palette(level)
    assert background == _rgb(RISK_COLORS[level]) and contrast(background, ink) >= 4.5


@pytest.mark.parametrize("body", ["Sơ tán ngay.", LONG_BODY], ids=["short", "long"])
def test_led_board_text_and_banner_stay_above_the_legibility_floor(display, body) -> None:
    layout = plan(pygame.Rect(0, 0, *LED), make_override(body=body), with_image=False)
    assert all(p.body_px >= LEGIBLE_MIN_PX and p.title_lines for p in layout.pages.pages)
    assert layout.banner_px >= LEGIBLE_MIN_PX


# Under a real title, on the LED board this was cut at "không qua…" and the operator was not told.
INSTRUCTION_TITLE = "Cảnh báo lũ quét, sạt lở đất khu vực ven suối Nậm Pàn"
INSTRUCTION = (
    "Lũ quét và sạt lở đất có thể xảy ra trong đêm nay. Người dân ven suối Nậm Pàn sơ tán ngay đến "
    "nhà văn hóa bản; tuyệt đối không qua ngầm, tràn khi nước đang chảy xiết; gọi 112 khi cần cứu nạn."
)


def test_a_long_instruction_pages_on_the_led_board_instead_of_being_cut(display) -> None:
    override = make_override(title=INSTRUCTION_TITLE, body=INSTRUCTION)
    layout = plan(pygame.Rect(0, 0, *LED), override, with_image=False)
    assert len(layout.pages.pages) > 1
    shown = [w for p in layout.pages.pages for w in words_of(" ".join(p.body_lines))]
    assert shown == words_of(INSTRUCTION)
    assert all(p.height <= layout.text_box.h for p in layout.pages.pages)


def test_the_instructions_pages_cycle_for_as_long_as_the_override_is_in_force(display, tmp_path) -> None:
    screen = display(LED)
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path), synchronous=True))
    override = make_override(title=INSTRUCTION_TITLE, body=INSTRUCTION)
    layout = plan(screen.get_rect(), override, with_image=False)
    dwell = layout.pages.dwell_s
    snap = Snapshot(generation=1, overrides=(override,))
    start = override.starts_at.replace(second=0) + timedelta(minutes=1)  # a page turn, not a minute tick
    start += timedelta(seconds=-((start - override.starts_at).total_seconds() % sum(dwell)))
    compositor.update(snap, start + timedelta(seconds=0.5))
    first = pygame.image.tobytes(screen, "RGB")
    turns = []
    for offset in (dwell[0] + 0.5, sum(dwell) + 0.5):  # the second page, then the first again
        turns.append(compositor.update(snap, start + timedelta(seconds=offset)) == [screen.get_rect()])
    assert turns == [True, True]
    assert pygame.image.tobytes(screen, "RGB") != first or len(dwell) == 1
    assert page_shown(layout, override, start + timedelta(seconds=dwell[0] + 0.5)) == 1
    later = start + timedelta(seconds=100 * sum(dwell) + 0.5)
    assert page_shown(layout, override, later) == 0  # still turning long after


@pytest.mark.parametrize("size", [LED, FULL_HD], ids=["led", "full-hd"])
def test_screen_is_the_risk_colour_with_a_visible_banner(display, tmp_path, size) -> None:
    screen = display(size)
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path), synchronous=True))
    override = make_override(level=5)
    compositor.update(Snapshot(generation=1, overrides=(override,)), NOW)  # no manifest at all
    background, ink = palette(5)
    assert tuple(screen.get_at((size[0] - 2, size[1] - 2)))[:3] == background
    banner = plan(screen.get_rect(), override, with_image=False).banner
    letters = (0, 0, 0) if ink == (255, 255, 255) else (255, 255, 255)
    assert {ink, letters} <= _colors_in(screen, banner)  # the bar in the ink colour, letters inverted


def test_image_shows_once_cached_and_text_still_fits(display, tmp_path) -> None:
    screen = display(FULL_HD)
    data = image_bytes(400, 300, (0, 160, 0))
    media = MediaCache(tmp_path)
    override = make_override(level=3, media=media_ref(data, 400, 300))
    compositor = Compositor(screen, ImageStore(media, synchronous=True))
    compositor.update(Snapshot(generation=1, overrides=(override,)), NOW)
    image_box = plan(screen.get_rect(), override, with_image=True).image_box
    assert (0, 160, 0) not in _colors_in(screen, image_box)  # not cached: text alone, no waiting
    media.path(hashlib.sha256(data).hexdigest()).write_bytes(data)
    compositor.update(Snapshot(generation=2, overrides=(override,)), NOW)
    assert tuple(screen.get_at(image_box.center))[:3] == (0, 160, 0)


def test_image_is_left_out_on_a_led_board_when_the_text_would_not_fit(display) -> None:
    layout = plan(pygame.Rect(0, 0, *LED), make_override(body=LONG_BODY), with_image=True)
    assert layout.image_box is None


def test_clock_redraws_each_minute_only(display, tmp_path) -> None:
    screen = display(LED)
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path), synchronous=True))
    snap = Snapshot(generation=1, overrides=(make_override(),))
    compositor.update(snap, NOW)
    assert compositor.update(snap, NOW + timedelta(seconds=30)) == []
    assert compositor.update(snap, NOW + timedelta(seconds=61)) == [screen.get_rect()]


def test_override_covers_the_schedule_and_leaves_with_its_cancel(display, tmp_path) -> None:
    screen = display(LED)
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path), synchronous=True))
    schedule = manifest([{"kind": "text", "id": "t", "title": "Lịch tiếp dân", "background": "#003366"}])
    compositor.update(Snapshot(generation=1, manifest=schedule, overrides=(make_override(level=1),)), NOW)
    assert compositor.shown_override() == "o1"
    compositor.update(Snapshot(generation=2, manifest=schedule, overrides=()), NOW)
    assert compositor.shown_override() is None
    assert tuple(screen.get_at((2, 2)))[:3] == (0, 51, 102)


def test_frame_loop_shows_a_push_and_reports_it_displayed(display, tmp_path) -> None:
    screen = display(LED)
    shared = Shared()
    shared.update(manifest=manifest([{"kind": "text", "id": "t", "title": "Lịch tiếp dân"}]))
    desk = OverrideDesk(
        OverrideStore(tmp_path), AckOutbox(), lambda c: shared.update(overrides=c), lambda: NOW
    )
    stop, shown = threading.Event(), []

    def displayed(override_id, at) -> None:
        shown.append(override_id)
        stop.set()

    pushed = OverridePush(override=make_override())
    threading.Thread(target=lambda: desk.handle(pushed), daemon=True).start()
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path / "media")))
    run_loop(compositor, shared, stop, clock=lambda: NOW, max_seconds=30, override_shown=displayed)
    assert shown == ["o1"]
    assert tuple(screen.get_at((LED[0] - 2, LED[1] - 2)))[:3] == palette(4)[0]


def test_clock_in_the_banner_uses_the_boards_zone(display) -> None:
    from player.screen.render import format_clock

    assert format_clock(NOW, board_zone("Asia/Ho_Chi_Minh"), "time") == "14:05"


def test_a_stored_override_shows_over_the_pairing_code(display, tmp_path) -> None:
    screen = display(LED)
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path), synchronous=True))
    compositor.update(Snapshot(generation=1, pairing_code="ACD347", overrides=(make_override(),)), NOW)
    assert compositor.shown_override() == "o1"


@pytest.mark.parametrize("size", [LED, PORTRAIT, FULL_HD], ids=["led", "portrait", "full-hd"])
@pytest.mark.parametrize("level", sorted(RISK_COLORS))
def test_the_banner_says_the_risk_level_in_words_legibly(display, tmp_path, size, level) -> None:
    screen = display(size)
    override = make_override(level=level)
    layout = plan(screen.get_rect(), override, with_image=False)
    assert layout.label in banner_labels(level) and f"CẤP ĐỘ {level}" in layout.label
    assert layout.label_px >= LEGIBLE_MIN_PX
    assert measure(layout.label_px, True, layout.label) <= inner(layout.banner).w
    Compositor(screen, ImageStore(MediaCache(tmp_path), synchronous=True)).update(
        Snapshot(generation=1, overrides=(override,)), NOW)
    pygame.image.save(screen, str(tmp_path / f"emergency-{size[0]}x{size[1]}-level{level}.png"))
    letters = (0, 0, 0) if palette(level)[1] == (255, 255, 255) else (255, 255, 255)  # inverted on the bar
    assert letters in _colors_in(screen, pygame.Rect(inner(layout.banner).x, layout.banner.y,
                                                     measure(layout.label_px, True, layout.label),
                                                     layout.banner.h))


def test_the_level_name_is_said_in_full_where_the_banner_has_room(display) -> None:
    layout = plan(pygame.Rect(0, 0, *FULL_HD), make_override(level=4), with_image=False)
    assert layout.label == "KHẨN CẤP · CẤP ĐỘ 4 · RỦI RO RẤT LỚN"
