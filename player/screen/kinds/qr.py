"""A QR code (``QrItem``): the code of its URL, made here with segno, dark on a light square with
its quiet zone, each module a whole number of pixels (scaled without smoothing, so its edges stay
sharp on an LED board), and its caption beside or below it (``signage_contract.qr.layout``).

The server approves a code only where its modules get ``qr.MIN_MODULE_PX`` pixels; a board resized
or added since is drawn best effort (as large as the region allows) and the shortfall logged once.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import pygame

from signage_contract import Align, qr
from signage_contract.manifest import QrItem

from .. import fonts
from ..render import Color, draw_lines, inner, measure, rgb
from ..text_layout import LEGIBLE_MIN_PX, TextBlock, paginate
from . import ItemKind, Scene

log = logging.getLogger(__name__)
DARK, LIGHT = (0, 0, 0), (255, 255, 255)
CAPTION_FLOOR_PX = 8  # a caption that fits nowhere at a legible size shrinks down to this, never cut
_warned: set[tuple[str, int, int]] = set()


@lru_cache(maxsize=16)
def code_surface(url: str, module_px: int) -> pygame.Surface:
    """The code of ``url`` with its quiet zone, ``module_px`` pixels per module."""
    side = qr.side_modules(url)
    small = pygame.Surface((side, side))
    small.fill(LIGHT)
    border = qr.QUIET_ZONE_MODULES
    for row, modules in enumerate(qr.symbol(url).matrix):
        for column, dark in enumerate(modules):
            if dark & 1:
                small.set_at((border + column, border + row), DARK)
    return pygame.transform.scale(small, (side * module_px, side * module_px))


@lru_cache(maxsize=16)
def caption_block(caption: str, width: int, height: int) -> TextBlock:
    """The caption as large as fits whole (on one page) in a ``width`` x ``height`` box; measured
    once per caption and box, not on every draw."""
    for floor in range(min(LEGIBLE_MIN_PX, height), CAPTION_FLOOR_PX - 1, -1):
        pages = paginate("", caption, width, height, measure, fonts.line_step, min_px=max(1, floor))
        if len(pages.pages) == 1:
            break
    return pages.pages[0]


def draw_caption(surface: pygame.Surface, box: pygame.Rect, caption: str, color: Color) -> None:
    """The caption centred in ``box``."""
    draw_lines(surface, box, caption_block(caption, box.w, box.h), Align.CENTER, (color, color))


def draw_qr(surface: pygame.Surface, rect: pygame.Rect, item: QrItem) -> bool:
    surface.fill(rgb(item.background), rect)
    if qr.url_fault(item.url) is not None:
        log.warning("QR item %s: its address cannot be drawn as a code; the region stays empty", item.id)
        return True
    code_box, caption_box = qr.layout(rect.w, rect.h, bool(item.caption))
    px = qr.module_px(item.url, rect.w, rect.h, bool(item.caption))
    if px < qr.MIN_MODULE_PX and (item.id, rect.w, rect.h) not in _warned:
        _warned.add((item.id, rect.w, rect.h))
        log.warning("QR item %s gets %d px per module in a %dx%d region (at least %d are needed to scan): "
                    "drawn as large as it fits", item.id, px, rect.w, rect.h, qr.MIN_MODULE_PX)
    if px >= 1:
        image = code_surface(item.url, px)
        box = pygame.Rect(rect.x + code_box.x, rect.y + code_box.y, code_box.w, code_box.h)
        surface.blit(image, image.get_rect(center=box.center))
    if caption_box is not None:
        band = pygame.Rect(rect.x + caption_box.x, rect.y + caption_box.y, caption_box.w, caption_box.h)
        previous = surface.get_clip()
        surface.set_clip(band.clip(previous))
        draw_caption(surface, inner(band), item.caption, rgb(item.foreground))
        surface.set_clip(previous)
    return True


class QrKind(ItemKind[QrItem]):
    model = QrItem

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: QrItem, scene: Scene) -> bool:
        return draw_qr(surface, rect, item)


KIND = QrKind()
