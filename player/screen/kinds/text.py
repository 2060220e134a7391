"""Text bulletins: title and body auto-fitted to the region, paged when too long (never cut).

A text too long for its region at the board's legibility floor is shown as pages in turn, each for
its reading time; the item lasts as long as its pages (``TextItem.duration_fixed``: the pages share
the editor's duration), so the timeline asks this kind how long the item plays.
"""

from __future__ import annotations

import pygame

from signage_contract import TextItem

from ..render import draw_page, inner, paged, rgb
from ..text_layout import TextPages, legible_floor, page_at, page_durations
from . import ItemKind, Scene


def text_pages(item: TextItem, box: pygame.Rect, screen: tuple[int, int]) -> TextPages:
    """The pages of ``item`` in ``box`` on a board of size ``screen`` (its floor grows with the board)."""
    return paged(item.title, item.body, box.w, box.h, legible_floor(*screen))


def durations(item: TextItem, box: pygame.Rect, screen: tuple[int, int]) -> tuple[float, ...]:
    return page_durations(text_pages(item, box, screen).dwell_s, item.duration_s, item.duration_fixed)


def page_shown(item: TextItem, rect: pygame.Rect, screen: tuple[int, int], elapsed_s: float) -> int:
    """Which page is on screen ``elapsed_s`` after the item appeared (pages cycle)."""
    return page_at(durations(item, inner(rect), screen), elapsed_s)[0]


def draw_text(surface: pygame.Surface, rect: pygame.Rect, item: TextItem, elapsed_s: float = 0.0) -> None:
    surface.fill(rgb(item.background), rect)
    box = inner(rect)
    screen = surface.get_size()
    pages = text_pages(item, box, screen)
    index = page_shown(item, rect, screen, elapsed_s)
    previous = surface.get_clip()
    surface.set_clip(rect.clip(previous))
    draw_page(surface, box, pages, index, item.align, (rgb(item.title_color), rgb(item.foreground)))
    surface.set_clip(previous)


class TextKind(ItemKind[TextItem]):
    model = TextItem

    def redraw_key(self, item: TextItem, rect: pygame.Rect, scene: Scene) -> tuple[object, ...]:
        return (page_shown(item, rect, scene.screen_size, _elapsed_s(scene)),)

    def duration_s(self, item: TextItem, rect: pygame.Rect, screen: tuple[int, int]) -> float:
        return sum(durations(item, inner(rect), screen))

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: TextItem, scene: Scene) -> bool:
        draw_text(surface, rect, item, _elapsed_s(scene))
        return True


def _elapsed_s(scene: Scene) -> float:
    return (scene.now - scene.started_at).total_seconds()


KIND = TextKind()
