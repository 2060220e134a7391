"""Long Vietnamese passages on the four board shapes: every syllable is on some page, nothing is drawn
outside its region (nor outside its padding), in every region of the shipped layouts and on the
emergency screen; pages turn as they should and a paged item is one play."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta

import pygame
import pytest

from player.core.cache import MediaCache
from player.core.playlog import PlayEvent, PlayStarted
from player.core.playtrack import PlayTracker
from player.core.shared import Snapshot
from player.core.timeline import resolve
from player.screen.compositor import Compositor, region_rect
from player.screen.images import ImageStore
from player.screen.kinds import Scene
from player.screen.kinds.text import KIND, draw_text, durations, page_shown, text_pages
from player.screen.override_screen import draw_override, palette, plan
from player.screen.override_screen import page_shown as override_page
from player.screen.render import board_zone, inner
from signage_contract import Layout, Region, RegionRole, TextFlow, TextItem
from signage_contract.text_layout import words_of
from signage_contract.text_scroll import TextRow, TextScroll, visible_rows
from tests.player.net.test_overrides import make_override
from tests.support.paths import REPOSITORY
from tests.support.player_factories import LAYOUT_FULL, NOW, manifest

SIZES = [(384, 192), (768, 576), (1920, 1080), (1080, 1920)]
LAYOUTS = [Layout.model_validate(json.loads(p.read_text(encoding="utf-8")))
           for p in sorted((REPOSITORY / "layouts").glob("*.json"))]
TEXT_ROLES = {"main", "side"}
LAYOUT_REGION = Region(id="main", role=RegionRole.MAIN, x=0, y=0, w=1, h=1)
SENTINEL = (255, 0, 255)

LEGAL = (
    "Căn cứ Nghị định số 49/2024/NĐ-CP ngày 10 tháng 5 năm 2024 của Chính phủ quy định về hoạt động "
    "thông tin cơ sở, Ủy ban nhân dân xã thông báo lịch tiếp công dân định kỳ trong tháng 12 như sau.\n"
    "Chủ tịch Ủy ban nhân dân xã tiếp công dân vào sáng thứ Năm tuần thứ nhất và tuần thứ ba, từ 7 giờ 30 "
    "đến 11 giờ 00, tại Phòng tiếp công dân, nhà một tầng phía sau trụ sở Ủy ban. Phó Chủ tịch phụ trách "
    "kinh tế tiếp công dân vào chiều thứ Ba hằng tuần về các nội dung đất đai, xây dựng, môi trường và "
    "bồi thường, hỗ trợ, tái định cư; Phó Chủ tịch phụ trách văn hóa - xã hội tiếp công dân vào chiều "
    "thứ Sáu hằng tuần về chính sách người có công, bảo trợ xã hội, giáo dục và y tế.\n\n"
    "Công dân đến kiến nghị, phản ánh mang theo căn cước và các giấy tờ liên quan; trường hợp ủy quyền "
    "phải có giấy ủy quyền được chứng thực. Không tiếp những trường hợp đã được giải quyết đúng chính "
    "sách, pháp luật, đã được kiểm tra, rà soát và trả lời bằng văn bản mà vẫn tiếp tục khiếu nại kéo dài. "
    "Mọi thắc mắc xin liên hệ bộ phận một cửa của xã, điện thoại 0203 3812 345, trong giờ hành chính."
)
LINKS = (
    "Tra cứu thủ tục tại "
    "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001612 "
    "hoặc quét mã; mã hồ sơ mẫu: 000.00.23.H56-241130-0001234567890ABCDEFGHIJKLMNOPQRSTUV; "
    "thư điện tử: motcua.ubndxa.tinhquangninh@quangninh.gov.vn; Nghị\u00a0định\u00a049/2024/NĐ-CP."
)
PASSAGES = {
    "legal": ("Thông báo lịch tiếp công dân tháng 12 năm 2026", LEGAL),
    "links": ("Dịch vụ công trực tuyến", LINKS),
    "long-title": (" ".join(["Thông báo khẩn về việc tạm dừng cấp nước sinh hoạt để sửa chữa đường ống"] * 3),
                   LEGAL[:600]),
}


@pytest.fixture
def fonts_open():
    pygame.font.init()
    yield
    pygame.font.quit()


def _regions(size: tuple[int, int]) -> list[tuple[str, pygame.Rect]]:
    screen = pygame.Rect(0, 0, *size)
    found = {}
    for layout in LAYOUTS:
        for region in layout.regions:
            if region.role in TEXT_ROLES:
                rect = region_rect(screen, region.x, region.y, region.w, region.h)
                found[(rect.x, rect.y, rect.w, rect.h)] = f"{layout.id}.{region.id}"
    return [(name, pygame.Rect(key)) for key, name in found.items()]


def _letters(lines: Iterable[str]) -> str:
    """Every syllable of ``lines`` in order, run together: a run broken by pixels (or at a no-break
    space) joins back, so equality says every character is on some page, once, in order."""
    return "".join(w for line in lines for w in words_of(line)).replace("\u00a0", "").replace("\u202f", "")


def _ink_bounds(surface: pygame.Surface, background: tuple[int, int, int]) -> pygame.Rect | None:
    """The bounding box of every pixel not in ``background`` (text, antialiasing included)."""
    mask = pygame.mask.from_threshold(surface, (*background, 255), (1, 1, 1, 255))
    mask.invert()
    boxes = mask.get_bounding_rects()
    return boxes[0].unionall(boxes[1:]) if boxes else None


def _outside_untouched(surface: pygame.Surface, rect: pygame.Rect) -> bool:
    mask = pygame.mask.from_threshold(surface, (*SENTINEL, 255), (1, 1, 1, 255))
    return mask.count() == surface.get_width() * surface.get_height() - rect.w * rect.h


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("passage", list(PASSAGES), ids=str)
def test_every_word_is_shown_and_nothing_leaves_its_region(fonts_open, size, passage) -> None:
    title, body = PASSAGES[passage]
    item = TextItem(id="t", title=title, body=body, background="#003366")
    surface = pygame.Surface(size)
    for name, rect in _regions(size):
        box = inner(rect)
        pages = text_pages(item, box, size)
        assert _letters(line for page in pages.pages for line in page.body_lines) == _letters([body]), name
        assert _letters([title]) in _letters(line for page in pages.pages for line in page.title_lines), name
        assert all(page.height <= box.h for page in pages.pages), name
        starts = [0.0]
        for duration in durations(item, box, size)[:-1]:
            starts.append(starts[-1] + duration)
        for index, start in enumerate(starts):
            surface.fill(SENTINEL)
            draw_text(surface, rect, item, start + 0.1)
            assert page_shown(item, rect, size, start + 0.1) == index
            assert _outside_untouched(surface, rect), (name, index)
            ink = _ink_bounds(surface.subsurface(rect), (0, 51, 102))
            assert ink is not None and box.contains(ink.move(rect.x, rect.y)), (name, index, ink, box)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("passage", ["legal", "links"], ids=str)
def test_the_emergency_screen_shows_every_word_inside_its_text_box(fonts_open, size, passage) -> None:
    title, body = PASSAGES[passage]
    override = make_override(title=title, body=body, level=3)
    screen = pygame.Surface(size)
    layout = plan(screen.get_rect(), override, with_image=False)
    assert _letters(line for page in layout.pages.pages for line in page.body_lines) == _letters([body])
    background = palette(3)[0]
    start = override.starts_at
    for index in range(len(layout.pages.pages)):
        at = start + timedelta(seconds=sum(layout.pages.dwell_s[:index]) + 0.1)
        assert override_page(layout, override, at) == index
        draw_override(screen, screen.get_rect(), override, at, board_zone("Asia/Ho_Chi_Minh"))
        banner_ink = _ink_bounds(screen.subsurface(layout.banner), palette(3)[1])
        assert banner_ink is not None and inner(layout.banner).contains(banner_ink), (index, banner_ink)
        below = pygame.Rect(0, layout.banner.bottom, size[0], size[1] - layout.banner.bottom)
        ink = _ink_bounds(screen.subsurface(below), background)
        assert ink is not None and layout.text_box.contains(ink.move(0, below.y)), (index, ink)


def test_a_paged_item_lasts_as_long_as_its_pages_and_is_one_play(fonts_open, tmp_path) -> None:
    size = (384, 192)
    compositor = Compositor(pygame.Surface(size), ImageStore(MediaCache(tmp_path), synchronous=True))
    shown = manifest([
        {"kind": "text", "id": "long", "title": "Lịch tiếp công dân", "body": LEGAL, "duration_s": 10},
        {"kind": "text", "id": "short", "title": "Chào mừng", "duration_s": 10},
    ])
    item = shown.item_index()["long"]
    assert isinstance(item, TextItem)
    total = sum(durations(item, inner(pygame.Rect(0, 0, *size)), size))
    assert total > 60  # a long notice reads for longer than its 10 s
    start = shown.timeline[0].start
    assert resolve(shown, start + timedelta(seconds=total - 1), duration_of=compositor.duration_of).regions[
        0].item == item
    assert resolve(shown, start + timedelta(seconds=total + 1), duration_of=compositor.duration_of).regions[
        0].item != item
    events: list[PlayEvent] = []
    tracker = PlayTracker(events.append)
    snap = Snapshot(generation=1, manifest=shown)
    pages_seen = set()
    for second in range(0, int(total), 2):  # every page of the long item, a frame every 2 s
        at = start + timedelta(seconds=second)
        compositor.update(snap, at)
        tracker.observe(compositor.frame, at)
        pages_seen.add(KIND.redraw_key(item, pygame.Rect(0, 0, *size), Scene(
            at, board_zone("Asia/Ho_Chi_Minh"), "", compositor.images, start, size)))
    started = [e.record.item_id for e in events if isinstance(e, PlayStarted)]
    assert len(pages_seen) > 1 and started == ["long"]


def test_in_the_programme_a_paged_item_also_lasts_as_long_as_its_pages(fonts_open, tmp_path) -> None:
    """The programme rule (a manifest with sources) gives a paged text its reading time, not its
    ``duration_s``: otherwise the next play would cut a long notice after its first pages."""
    size = (384, 192)
    compositor = Compositor(pygame.Surface(size), ImageStore(MediaCache(tmp_path), synchronous=True))
    day = NOW.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(hours=7)  # local midnight
    items = [
        {"kind": "text", "id": "long", "title": "Lịch tiếp công dân", "body": LEGAL, "duration_s": 10},
        {"kind": "text", "id": "short", "title": "Chào mừng", "duration_s": 10},
    ]
    source = {"schedule_id": "1", "layout_id": LAYOUT_FULL["id"], "lead_region_id": "main",
              "windows": [{"start": day, "end": day + timedelta(days=1)}],
              "regions": [{"region_id": "main", "item_ids": ["long", "short"]}]}
    shown = manifest(items, sources=[source])
    item = shown.item_index()["long"]
    assert isinstance(item, TextItem)
    total = sum(durations(item, inner(pygame.Rect(0, 0, *size)), size))
    assert total > 60
    first = resolve(shown, day, duration_of=compositor.duration_of).regions[0]
    assert first.item == item and first.started_at == day
    late = resolve(shown, day + timedelta(seconds=total - 1), duration_of=compositor.duration_of)
    assert late.regions[0].item == item  # still reading its last page
    after = resolve(shown, day + timedelta(seconds=total + 1), duration_of=compositor.duration_of)
    assert after.regions[0].item is not None and after.regions[0].item.id == "short"


def _scrolled(title: str, body: str) -> TextItem:
    return TextItem(id="t", title=title, body=body, background="#003366", flow=TextFlow.SCROLL)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("passage", list(PASSAGES), ids=str)
def test_a_scrolled_text_shows_every_word_and_nothing_leaves_its_region(fonts_open, size, passage) -> None:
    """The strip, drawn at instants half a box apart from its first rest to its last: every row is
    on screen at one of them, and no pixel is drawn outside the region nor ink outside its box."""
    title, body = PASSAGES[passage]
    item = _scrolled(title, body)
    surface = pygame.Surface(size)
    for name, rect in _regions(size):
        box = inner(rect)
        strip = text_pages(item, box, size)
        assert isinstance(strip, TextScroll)
        assert _letters(row.text for row in strip.rows if not row.bold) == _letters([body]), name
        assert _letters(row.text for row in strip.rows if row.bold) == _letters([title]), name
        hold, move, _ = durations(item, box, size)
        steps = max(1, 2 * strip.travel_px // max(1, box.h) + 1)
        instants = [hold * 0.5] + [hold + move * k / steps for k in range(steps + 1)]
        seen: set[TextRow] = set()
        for at in instants:
            offset = page_shown(item, rect, size, at)
            seen.update(visible_rows(strip, offset))
            surface.fill(SENTINEL)
            draw_text(surface, rect, item, at)
            assert _outside_untouched(surface, rect), (name, at)
            ink = _ink_bounds(surface.subsurface(rect), (0, 51, 102))
            assert ink is not None and box.contains(ink.move(rect.x, rect.y)), (name, at, ink, box)
        assert seen == set(strip.rows), name


def test_a_scrolled_item_lasts_as_its_scroll_is_redrawn_as_it_moves_and_is_one_play(fonts_open, tmp_path):
    size = (384, 192)
    compositor = Compositor(pygame.Surface(size), ImageStore(MediaCache(tmp_path), synchronous=True))
    shown = manifest([
        {"kind": "text", "id": "long", "title": "Lịch tiếp công dân", "body": LEGAL, "duration_s": 10,
         "flow": "scroll"},
        {"kind": "text", "id": "short", "title": "Chào mừng", "duration_s": 10},
    ])
    item = shown.item_index()["long"]
    assert isinstance(item, TextItem)
    hold, move, rest = durations(item, inner(pygame.Rect(0, 0, *size)), size)
    total = hold + move + rest
    assert move > 20 and compositor.duration_of(item, LAYOUT_REGION) == pytest.approx(total)
    start = shown.timeline[0].start
    events: list[PlayEvent] = []
    tracker = PlayTracker(events.append)
    snap = Snapshot(generation=1, manifest=shown)
    redrawn_during_hold: list[bool] = []
    redrawn_while_moving: list[bool] = []
    for tenth in range(0, int(total * 10) + 20, 5):  # a frame every half second, past the item's end
        at = start + timedelta(seconds=tenth / 10)
        dirty = compositor.update(snap, at)
        tracker.observe(compositor.frame, at)
        if 0 < tenth / 10 < hold - 0.5:
            redrawn_during_hold.append(bool(dirty))
        elif hold + 1 < tenth / 10 < hold + move - 1:
            redrawn_while_moving.append(bool(dirty) and compositor.animating())
            assert not compositor.update(snap, at)  # not moved since: not drawn again
    started = [e.record.item_id for e in events if isinstance(e, PlayStarted)]
    assert started == ["long", "short"]
    assert redrawn_during_hold and not any(redrawn_during_hold)  # resting: nothing drawn again
    assert redrawn_while_moving and all(redrawn_while_moving)
