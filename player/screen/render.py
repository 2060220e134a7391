"""Drawing shared by the renderers: colours, padding, cached text, aligned lines, and the screens
that are not items (the fallback slide, the pairing code). Each item kind draws in ``kinds/``;
every drawing function takes ``(surface, rect, ...)`` and draws only inside ``rect``.

None of it touches the network or the disk, so they run headless (SDL dummy driver) in tests and in
the ``render`` command exactly as on a board.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache

import pygame

from signage_contract import Align
from signage_contract.text_play import measure as measure  # the boards' font; the server measures alike
from signage_contract.text_play import padding
from signage_contract.text_play import paged as paged
from signage_contract.text_scroll import TextScroll, visible_rows
from signage_contract.timezone import zone_named

from . import fonts
from .text_layout import TextBlock, TextPages, fit_text

Color = tuple[int, int, int]
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
FALLBACK_TITLE = "Bảng tin điện tử công cộng"


def rgb(hex_color: str) -> Color:
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def board_zone(name: str) -> tzinfo:
    """The manifest's zone; the fixed Vietnam offset when this machine has no such zone."""
    return zone_named(name)


def format_clock(now: datetime, zone: tzinfo, fmt: str = "datetime") -> str:
    """``Thứ Hai, 23/11/2026 14:05`` in the board's time zone."""
    local = now.astimezone(zone)
    date = f"{WEEKDAYS_VI[local.weekday()]}, {local:%d/%m/%Y}"
    time = f"{local:%H:%M}"
    return {"date": date, "time": time}.get(fmt, f"{date} {time}")


@lru_cache(maxsize=1024)
def text_surface(text: str, size_px: int, bold: bool, color: Color) -> pygame.Surface:
    """Rendered text is cached: a static slide must not shape the same line on every frame."""
    return fonts.font(size_px, bold).render(text, True, color)


def inner(rect: pygame.Rect) -> pygame.Rect:
    """The text box inside a region: the region less its padding (the server measures the same box)."""
    pad = padding(rect.w, rect.h)
    return rect.inflate(-2 * pad, -2 * pad)


def draw_lines(
    surface: pygame.Surface, box: pygame.Rect, block: TextBlock, align: Align, colors: tuple[Color, Color]
) -> None:
    """Title then body, centred vertically in ``box``, each line aligned left/centre/right."""
    y = box.y + max(0, (box.h - block.height) // 2)
    groups = (
        (block.title_lines, block.title_px, True, colors[0]),
        (block.body_lines, block.body_px, False, colors[1]),
    )
    for index, (lines, size, bold, color) in enumerate(groups):
        if index == 1 and block.title_lines and block.body_lines:
            y += round(block.body_px * 0.4)
        step = fonts.line_step(size)
        for line in lines:
            if line:
                image = text_surface(line, size, bold, color)
                surface.blit(image, (_aligned_x(box, image.get_width(), align), y))
            y += step


def draw_page(
    surface: pygame.Surface,
    box: pygame.Rect,
    pages: TextPages,
    index: int,
    align: Align,
    colors: tuple[Color, Color],
) -> None:
    """Page ``index`` of ``pages``: a single page centred in ``box``; a page of several from the top
    (so lines do not jump as pages turn), with "2/5" at the bottom right when there is room."""
    block = pages.pages[index % len(pages.pages)]
    if len(pages.pages) == 1:
        draw_lines(surface, box, block, align, colors)
        return
    draw_lines(surface, pygame.Rect(box.x, box.y, box.w, block.height), block, align, colors)
    if pages.indicator_px is not None:
        label = text_surface(f"{index % len(pages.pages) + 1}/{len(pages.pages)}", pages.indicator_px,
                             False, colors[1])
        if label.get_width() <= box.w:
            surface.blit(label, label.get_rect(bottomright=box.bottomright))


def draw_rows(
    surface: pygame.Surface,
    box: pygame.Rect,
    strip: TextScroll,
    offset_px: int,
    align: Align,
    colors: tuple[Color, Color],
) -> None:
    """The rows of a scrolling strip moved up ``offset_px`` inside ``box`` (a strip that fits is
    centred like a single page); the caller clips to ``box``."""
    top = box.y - offset_px
    if strip.travel_px <= 0:
        top = box.y + max(0, (box.h - strip.block.height) // 2)
    for row in visible_rows(strip, offset_px if strip.travel_px > 0 else 0):
        if row.text:
            image = text_surface(row.text, row.size_px, row.bold, colors[0] if row.bold else colors[1])
            surface.blit(image, (_aligned_x(box, image.get_width(), align), top + row.top))


def _aligned_x(box: pygame.Rect, width: int, align: Align) -> int:
    if align == Align.LEFT:
        return box.x
    if align == Align.CENTER:
        return box.centerx - width // 2
    return box.right - width


def draw_fallback(surface: pygame.Surface, rect: pygame.Rect, board_name: str) -> None:
    """Shown when nothing is scheduled: never a black screen."""
    surface.fill((0, 51, 102), rect)
    box = inner(rect)
    block = fit_text(FALLBACK_TITLE, board_name, box.w, box.h, measure, fonts.line_step, max_px=box.h // 8)
    draw_lines(surface, box, block, Align.CENTER, ((255, 215, 0), (255, 255, 255)))


FILLER_BACKGROUND: Color = (0, 34, 68)


def draw_filler(
    surface: pygame.Surface, rect: pygame.Rect, board_name: str, now: datetime, zone: tzinfo
) -> None:
    """An empty region the layout could not close up over: the time, the date and the board's
    name on the house colour, never a black band."""
    surface.fill(FILLER_BACKGROUND, rect)
    box = inner(rect)
    caption = " · ".join(part for part in (format_clock(now, zone, "date"), board_name) if part)
    block = fit_text(format_clock(now, zone, "time"), caption, box.w, box.h, measure, fonts.line_step,
                     max_px=max(fonts.MIN_FONT_PX, box.h // 3))
    draw_lines(surface, box, block, Align.CENTER, ((255, 215, 0), (255, 255, 255)))


def draw_pairing(surface: pygame.Surface, code: str, server: str) -> None:
    rect = surface.get_rect()
    surface.fill((16, 16, 16))
    box = inner(rect)
    spaced = " ".join(code)
    size = max(fonts.MIN_FONT_PX, min(box.h // 3, box.w // max(1, len(spaced))))
    code_image = text_surface(spaced, size, True, (255, 215, 0))
    surface.blit(code_image, code_image.get_rect(center=(rect.centerx, rect.centery)))
    caption = f"Mã ghép nối bảng tin — máy chủ: {server}"
    block = fit_text("", caption, box.w, max(16, box.h // 6), measure, fonts.line_step)
    below = pygame.Rect(box.x, rect.centery + code_image.get_height() // 2, box.w, box.bottom - rect.centery)
    draw_lines(surface, below, block, Align.CENTER, ((255, 255, 255), (255, 255, 255)))
