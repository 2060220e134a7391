"""Renderers: each takes ``(surface, rect, item)`` plus what it needs, and draws only inside ``rect``.

They never touch the network or the disk, so they run headless (SDL dummy driver) in tests and in
the ``render`` command exactly as on a board.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache

import pygame

from signage_contract import Align, ClockItem, ImageItem, TextItem, TickerItem
from signage_contract.timezone import zone_named

from . import fonts
from .text_layout import TextBlock, fit_line, fit_text

Color = tuple[int, int, int]
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
PADDING_RATIO = 0.04
TICKER_SEGMENT_CHARS = 120  # SDL surfaces have a maximum width; long tickers render in pieces
CLOCK_MIN_PX = 12
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


def _measure(size_px: int, bold: bool, text: str) -> int:
    return fonts.measuring(size_px, bold).size(text)[0]


@lru_cache(maxsize=256)
def fitted(title: str, body: str, width: int, height: int) -> TextBlock:
    """Auto-fit is a bisection over measured sizes: done once per text and box, not per frame."""
    return fit_text(title, body, width, height, _measure, fonts.line_step)


def inner(rect: pygame.Rect) -> pygame.Rect:
    pad = max(2, round(min(rect.w, rect.h) * PADDING_RATIO))
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
                if align == Align.LEFT:
                    x = box.x
                elif align == Align.CENTER:
                    x = box.centerx - image.get_width() // 2
                else:
                    x = box.right - image.get_width()
                surface.blit(image, (x, y))
            y += step


def draw_text(surface: pygame.Surface, rect: pygame.Rect, item: TextItem) -> None:
    surface.fill(rgb(item.background), rect)
    box = inner(rect)
    block = fitted(item.title, item.body, box.w, box.h)
    previous = surface.get_clip()
    surface.set_clip(rect)
    draw_lines(surface, box, block, item.align, (rgb(item.title_color), rgb(item.foreground)))
    surface.set_clip(previous)


def draw_image(
    surface: pygame.Surface, rect: pygame.Rect, item: ImageItem, picture: pygame.Surface | None
) -> None:
    """Letterbox colour, then the picture (already scaled off-thread) centred in the region."""
    surface.fill(rgb(item.background), rect)
    if picture is not None:
        surface.blit(picture, picture.get_rect(center=rect.center))


def ticker_pieces(item: TickerItem, height: int) -> tuple[list[pygame.Surface], int]:
    """The ticker text rendered in pieces at a size filling ~60 % of the strip, and its total width."""
    size = max(fonts.MIN_FONT_PX, round(height * 0.6))
    text = " ".join(item.text.split("\n")).strip()
    pieces: list[pygame.Surface] = []
    while text:
        cut = text.rfind(" ", 0, TICKER_SEGMENT_CHARS) if len(text) > TICKER_SEGMENT_CHARS else len(text)
        cut = cut if cut > 0 else min(len(text), TICKER_SEGMENT_CHARS)
        pieces.append(
            text_surface(text[:cut] + (" " if cut < len(text) else ""), size, False, rgb(item.foreground))
        )
        text = text[cut:].lstrip(" ")
    return pieces, sum(p.get_width() for p in pieces)


def ticker_offset_px(item: TickerItem, rect: pygame.Rect, elapsed_s: float, text_width: int) -> int:
    """Where the text starts, as a pure function of time: smooth at any frame rate, same on every board."""
    travel = rect.w + text_width + rect.h  # enter from the right, leave fully, a short gap
    return round(elapsed_s * item.speed * rect.h) % max(1, travel)


def draw_ticker(surface: pygame.Surface, rect: pygame.Rect, item: TickerItem, elapsed_s: float) -> None:
    surface.fill(rgb(item.background), rect)
    pieces, width = ticker_pieces(item, rect.h)
    if not pieces:
        return
    x = rect.right - ticker_offset_px(item, rect, elapsed_s, width)
    previous = surface.get_clip()
    surface.set_clip(rect)
    for piece in pieces:
        if x + piece.get_width() > rect.x and x < rect.right:
            surface.blit(piece, (x, rect.centery - piece.get_height() // 2))
        x += piece.get_width()
    surface.set_clip(previous)


def draw_clock(
    surface: pygame.Surface, rect: pygame.Rect, item: ClockItem, now: datetime, zone: tzinfo
) -> None:
    surface.fill(rgb(item.background), rect)
    box = inner(rect)
    text, size = format_clock(now, zone, item.format), None
    for fmt in dict.fromkeys((item.format, "time")):  # too narrow for the date: the time alone
        text = format_clock(now, zone, fmt)
        size = fit_line(text, box.w, box.h, _measure, fonts.line_step, min_px=min(CLOCK_MIN_PX, box.h))
        if size is not None:
            break
    if size is None:
        block = fit_text("", text, box.w, box.h, _measure, fonts.line_step, max_px=box.h, min_px=8)
    else:
        block = TextBlock(size, size, (), (text,), fonts.line_step(size))
    draw_lines(surface, box, block, Align.CENTER, (rgb(item.foreground), rgb(item.foreground)))


def draw_fallback(surface: pygame.Surface, rect: pygame.Rect, board_name: str) -> None:
    """Shown when nothing is scheduled: never a black screen."""
    surface.fill((0, 51, 102), rect)
    box = inner(rect)
    block = fit_text(FALLBACK_TITLE, board_name, box.w, box.h, _measure, fonts.line_step, max_px=box.h // 8)
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
    block = fit_text("", caption, box.w, max(16, box.h // 6), _measure, fonts.line_step)
    below = pygame.Rect(box.x, rect.centery + code_image.get_height() // 2, box.w, box.bottom - rect.centery)
    draw_lines(surface, below, block, Align.CENTER, ((255, 255, 255), (255, 255, 255)))
