"""Text bulletins: title and body auto-fitted to the region (paged, never cut), on their background."""

from __future__ import annotations

import pygame

from signage_contract import TextItem

from ..render import draw_lines, fitted, inner, rgb
from . import ItemKind, Scene


def draw_text(surface: pygame.Surface, rect: pygame.Rect, item: TextItem) -> None:
    surface.fill(rgb(item.background), rect)
    box = inner(rect)
    block = fitted(item.title, item.body, box.w, box.h)
    previous = surface.get_clip()
    surface.set_clip(rect)
    draw_lines(surface, box, block, item.align, (rgb(item.title_color), rgb(item.foreground)))
    surface.set_clip(previous)


class TextKind(ItemKind[TextItem]):
    model = TextItem

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: TextItem, scene: Scene) -> bool:
        draw_text(surface, rect, item)
        return True


KIND = TextKind()
