"""The emergency override's screen: the top layer over every region.

Full screen in the colour of the risk level (Decision 18/2021/QĐ-TTg), the ink black or white,
whichever contrasts more with that colour (WCAG contrast ratio); a banner in inverted colours with
"KHẨN CẤP", the risk level in words ("CẤP ĐỘ 4 · RỦI RO RẤT LỚN", shortened to "CẤP ĐỘ 4" where the
name does not fit) and the local time and date when they still fit; the title and body auto-fitted
as large as they fit, never below the board's legibility floor: a longer instruction is split into
pages that cycle, each for its reading time, for as long as the override is in force (never cut);
the optional image beside or above the text, only when the text still fits on one page next to it.
``plan`` is pure geometry, so the LED-board sizes are tested without pixels. The server counts the
pages with the same layout (``signage_contract.text_layout.emergency_pages``) and tells the
operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache

import pygame

from signage_contract import RISK_COLORS, RISK_LEVEL_NAMES, Align, EmergencyOverride

from . import fonts
from .render import Color, draw_page, format_clock, inner, measure, paged, rgb, text_surface
from .text_layout import LEGIBLE_MIN_PX, TextPages, banner_height, fit_line, legible_floor, page_at

EMERGENCY_BANNER = "KHẨN CẤP"
IMAGE_SHARE = 0.4  # of the content box, beside (landscape) or above (portrait) the text
BLACK: Color = (0, 0, 0)
WHITE: Color = (255, 255, 255)
# (format, size relative to the banner's letters): the date is kept, smaller, before it is dropped
CLOCK_CHOICES = (("datetime", 1.0), ("datetime", 0.6), ("time", 1.0))
SEPARATOR = " · "
CLOCK_SAMPLE = "00:00"  # the room the time takes
NAME_MIN_SHARE = 0.3  # the level's name is kept while the banner's words stay this large (of its size)


def banner_labels(risk_level: int) -> tuple[str, ...]:
    """The banner's words, longest first: the level is never dropped, its name is when it does not fit."""
    level = f"{EMERGENCY_BANNER}{SEPARATOR}CẤP ĐỘ {risk_level}"
    name = RISK_LEVEL_NAMES.get(risk_level)
    return (f"{level}{SEPARATOR}{name}", level) if name else (level,)


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio, 1..21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette(risk_level: int) -> tuple[Color, Color]:
    """(background, ink) for a risk level; an unknown level is drawn as level 3."""
    background = rgb(RISK_COLORS.get(risk_level, RISK_COLORS[3]))
    ink = BLACK if contrast(background, BLACK) >= contrast(background, WHITE) else WHITE
    return background, ink


@dataclass(frozen=True)
class OverridePlan:
    banner: pygame.Rect
    banner_px: int
    label: str  # what the banner says (``banner_labels``), drawn at ``label_px``
    label_px: int
    text_box: pygame.Rect
    pages: TextPages
    image_box: pygame.Rect | None


def _fit(override: EmergencyOverride, box: pygame.Rect, floor: int) -> TextPages:
    return paged(override.title, override.body, box.w, box.h, floor)  # cached: redrawn each minute


@lru_cache(maxsize=16)
def _banner_px(width: int, height: int) -> int:
    return fit_line(EMERGENCY_BANNER, width, height, measure, fonts.line_step, 8, bold=True) or 8


@lru_cache(maxsize=64)
def _label(risk_level: int, width: int, height: int) -> tuple[str, int]:
    """What the banner says, and at what size: the first of the labels (longest first) that fits
    beside the clock, else the first that fits alone; a label fits from ``NAME_MIN_SHARE`` of the
    banner's size up. The shortest always fits, shrunk if need be (never below the legibility floor)."""
    size = _banner_px(width, height)
    floor = max(LEGIBLE_MIN_PX, round(size * NAME_MIN_SHARE))
    clock = measure(size, False, CLOCK_SAMPLE) + size
    labels = banner_labels(risk_level)
    for room in (width - clock, width):
        for label in labels:
            fitted = fit_line(label, room, height, measure, fonts.line_step, floor, bold=True)
            if fitted is not None:
                return label, min(size, fitted)
    fitted = fit_line(labels[-1], width, height, measure, fonts.line_step, LEGIBLE_MIN_PX, bold=True)
    return labels[-1], min(size, fitted or LEGIBLE_MIN_PX)


def plan(rect: pygame.Rect, override: EmergencyOverride, with_image: bool) -> OverridePlan:
    """Where everything goes on ``rect``; the image gets a box only if the text stays legible."""
    banner = pygame.Rect(rect.x, rect.y, rect.w, banner_height(rect.h))
    banner_box = inner(banner)
    banner_px = _banner_px(banner_box.w, banner_box.h)
    label, label_px = _label(override.risk_level, banner_box.w, banner_box.h)
    content = inner(pygame.Rect(rect.x, banner.bottom, rect.w, rect.bottom - banner.bottom))
    floor = legible_floor(rect.w, rect.h)
    whole = _fit(override, content, floor)
    if with_image:
        if content.w >= content.h:
            split = round(content.w * IMAGE_SHARE)
            image_box = pygame.Rect(content.x, content.y, split, content.h)
            text_box = pygame.Rect(content.x + split + 8, content.y, content.w - split - 8, content.h)
        else:
            split = round(content.h * IMAGE_SHARE)
            image_box = pygame.Rect(content.x, content.y, content.w, split)
            text_box = pygame.Rect(content.x, content.y + split + 8, content.w, content.h - split - 8)
        beside = _fit(override, text_box, floor)
        if len(beside.pages) == 1 and beside.pages[0].body_px >= floor:
            return OverridePlan(banner, banner_px, label, label_px, text_box, beside, image_box)
    return OverridePlan(banner, banner_px, label, label_px, content, whole, None)


def page_shown(plan_: OverridePlan, override: EmergencyOverride, now: datetime) -> int:
    """The page on screen at ``now``: pages cycle from the override's start while it is in force."""
    return page_at(plan_.pages.dwell_s, (now - override.starts_at).total_seconds())[0]


def _draw_banner(
    surface: pygame.Surface, plan_: OverridePlan, colors: tuple[Color, Color], now: datetime, zone: tzinfo
) -> None:
    """Inverted colours: "KHẨN CẤP" and the level on the left, the time (and date when it fits) on
    the right."""
    fill, ink = colors
    surface.fill(fill, plan_.banner)
    box = inner(plan_.banner)
    label = text_surface(plan_.label, plan_.label_px, True, ink)
    room = box.w - label.get_width() - plan_.banner_px
    clock = None
    for fmt, scale in CLOCK_CHOICES:
        text, size = format_clock(now, zone, fmt), max(LEGIBLE_MIN_PX, round(plan_.banner_px * scale))
        if measure(size, False, text) <= room:
            clock = text_surface(text, size, False, ink)
            break
    x = box.x if clock is not None else box.centerx - label.get_width() // 2
    surface.blit(label, label.get_rect(midleft=(x, box.centery)))
    if clock is not None:
        surface.blit(clock, clock.get_rect(midright=(box.right, box.centery)))


def draw_override(
    surface: pygame.Surface,
    rect: pygame.Rect,
    override: EmergencyOverride,
    now: datetime,
    zone: tzinfo,
    picture: pygame.Surface | None = None,
) -> None:
    """The whole layer; ``picture`` is the image already scaled to ``plan(...).image_box``."""
    background, ink = palette(override.risk_level)
    layout = plan(rect, override, picture is not None)
    previous = surface.get_clip()
    surface.set_clip(rect)
    surface.fill(background, rect)
    _draw_banner(surface, layout, (ink, WHITE if ink == BLACK else BLACK), now, zone)
    if layout.image_box is not None and picture is not None:
        surface.blit(picture, picture.get_rect(center=layout.image_box.center))
    index = page_shown(layout, override, now)
    draw_page(surface, layout.text_box, layout.pages, index, Align.CENTER, (ink, ink))
    surface.set_clip(previous)
