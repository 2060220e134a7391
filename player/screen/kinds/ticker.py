"""The ticker: one line scrolling right to left, redrawn every frame over its own strip.

Its position is a pure function of the time since it started, so it moves smoothly at any frame
rate and every board shows the same offset at the same instant.
"""

from __future__ import annotations

import pygame

from signage_contract import TickerItem

from .. import fonts
from ..render import rgb, text_surface
from . import ItemKind, Scene

TICKER_SEGMENT_CHARS = 120  # SDL surfaces have a maximum width; long tickers render in pieces


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


class TickerKind(ItemKind[TickerItem]):
    model = TickerItem
    animated = True

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: TickerItem, scene: Scene) -> bool:
        draw_ticker(surface, rect, item, (scene.now - scene.started_at).total_seconds())
        return True


KIND = TickerKind()
