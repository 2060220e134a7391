"""Text bulletins: title and body auto-fitted to the region; too long, paged or scrolled (never cut).

A text too long for its region at the board's legibility floor is shown as pages in turn, each for
its reading time, or (``TextItem.flow`` "scroll") as one strip moving up through the region at the
same reading rate, resting at its start and end (``signage_contract/text_scroll.py``). The item
lasts as long as its pages or its scroll (``TextItem.duration_fixed``: they share the editor's
duration), so the timeline asks this kind how long the item plays; the server's plan asks the same
functions (``signage_contract/text_play.py``).
"""

from __future__ import annotations

import pygame

from signage_contract import TextItem
from signage_contract.text_play import TextShow, show_durations, text_show
from signage_contract.text_scroll import TextScroll, scroll_durations, scroll_offset

from ..render import draw_page, draw_rows, inner, rgb
from ..text_layout import TextPages, page_at
from . import ItemKind, Scene


def text_pages(item: TextItem, box: pygame.Rect, screen: tuple[int, int]) -> TextShow:
    """The pages (or the strip) of ``item`` in ``box`` on a board of size ``screen``."""
    return text_show(item, box.size, screen)


def durations(item: TextItem, box: pygame.Rect, screen: tuple[int, int]) -> tuple[float, ...]:
    """Each page's time, or the strip's rest, move and rest."""
    return show_durations(item, text_pages(item, box, screen))


def view_starts(item: TextItem, box: pygame.Rect, screen: tuple[int, int]) -> list[float]:
    """Seconds after the item appears at which each of its pages shows; for a strip, each successive
    screenful (moved a box height further each time, the last at its end), so a preview of these
    instants shows every line."""
    shown = text_pages(item, box, screen)
    if isinstance(shown, TextScroll):
        if shown.travel_px <= 0:
            return [0.0]
        hold, move, _ = scroll_durations(shown, item.duration_s, item.duration_fixed)
        screens = -(-shown.travel_px // max(1, shown.view_h))
        return [0.0, *(hold + move * min(1.0, k * shown.view_h / shown.travel_px)
                       for k in range(1, screens + 1))]
    starts = [0.0]
    for duration in show_durations(item, shown)[:-1]:
        starts.append(starts[-1] + duration)
    return starts


def page_shown(item: TextItem, rect: pygame.Rect, screen: tuple[int, int], elapsed_s: float) -> int:
    """Which page is on screen ``elapsed_s`` after the item appeared (pages cycle); for a strip, how
    many px it has moved up."""
    box = inner(rect)
    shown = text_pages(item, box, screen)
    if isinstance(shown, TextScroll):
        return scroll_offset(shown, scroll_durations(shown, item.duration_s, item.duration_fixed), elapsed_s)
    return page_at(show_durations(item, shown), elapsed_s)[0]


def draw_text(surface: pygame.Surface, rect: pygame.Rect, item: TextItem, elapsed_s: float = 0.0) -> None:
    surface.fill(rgb(item.background), rect)
    box = inner(rect)
    screen = surface.get_size()
    shown = text_pages(item, box, screen)
    position = page_shown(item, rect, screen, elapsed_s)
    colors = (rgb(item.title_color), rgb(item.foreground))
    previous = surface.get_clip()
    if isinstance(shown, TextPages):
        surface.set_clip(rect.clip(previous))
        draw_page(surface, box, shown, position, item.align, colors)
    else:
        surface.set_clip(box.clip(rect).clip(previous))  # a moving line is cut at the text box's edge
        draw_rows(surface, box, shown, position, item.align, colors)
    surface.set_clip(previous)


class TextKind(ItemKind[TextItem]):
    model = TextItem

    def animates(self, item: TextItem, rect: pygame.Rect, screen: tuple[int, int]) -> bool:
        """A strip that moves is redrawn as it moves (only when it moved a pixel)."""
        shown = text_pages(item, inner(rect), screen)
        return isinstance(shown, TextScroll) and shown.travel_px > 0

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
