"""How a text item plays in a region of a board: its pages or its scroll, and how long it lasts.

Measured with the boards' font (``fonts.py``: pygame, the ``player`` extra), in the region's pixels
on the board and inside the same padding the player draws with. The player draws from these
functions and times its plays with them; the server plans with them (``GET /boards/{id}/programme``),
so the plan's durations are the board's. Callers on several threads hold ``fonts.MEASURING``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from . import fonts
from .manifest import Item, Manifest, Region, TextFlow, TextItem
from .text_layout import PADDING_RATIO, TextPages, legible_floor, page_durations, paginate
from .text_scroll import TextScroll, scroll_durations, scroll_text

TextShow = TextPages | TextScroll


def measure(size_px: int, bold: bool, text: str) -> int:
    """Width in px of ``text`` in the boards' font."""
    return fonts.measuring(size_px, bold).size(text)[0]


def region_pixels(region: Region, screen: tuple[int, int]) -> tuple[int, int, int, int]:
    """(x, y, w, h) of a relative region on a ``screen``-sized board; edges are rounded so
    neighbouring regions share a border exactly."""
    left, top = round(region.x * screen[0]), round(region.y * screen[1])
    right, bottom = round((region.x + region.w) * screen[0]), round((region.y + region.h) * screen[1])
    return left, top, right - left, bottom - top


def padding(width: int, height: int) -> int:
    """The padding kept on every side of a text region: a share of its short side, at least 2 px."""
    return max(2, round(min(width, height) * PADDING_RATIO))


def text_box(width: int, height: int) -> tuple[int, int]:
    """The size of the box the text is laid out in, inside a region of ``width`` x ``height``."""
    pad = padding(width, height)
    return width - 2 * pad, height - 2 * pad


@lru_cache(maxsize=256)
def paged(title: str, body: str, width: int, height: int, min_px: int) -> TextPages:
    """Auto-fit and paging, once per text and box (not per frame)."""
    return paginate(title, body, width, height, measure, fonts.line_step, min_px=min_px)


@lru_cache(maxsize=64)
def scrolled(title: str, body: str, width: int, height: int, min_px: int) -> TextScroll:
    """The scrolling strip, once per text and box (not per frame)."""
    return scroll_text(title, body, width, height, measure, fonts.line_step, min_px=min_px)


def text_show(item: TextItem, box: tuple[int, int], screen: tuple[int, int]) -> TextShow:
    """The pages or the strip of ``item`` in a ``box``-sized text box of a ``screen``-sized board
    (the legibility floor grows with the board)."""
    floor = legible_floor(*screen)
    if item.flow is TextFlow.SCROLL:
        return scrolled(item.title, item.body, box[0], box[1], floor)
    return paged(item.title, item.body, box[0], box[1], floor)


def show_durations(item: TextItem, shown: TextShow) -> tuple[float, ...]:
    """Each page's time, or the strip's rest at its start, its move and its rest at its end."""
    if isinstance(shown, TextScroll):
        return scroll_durations(shown, item.duration_s, item.duration_fixed)
    return page_durations(shown.dwell_s, item.duration_s, item.duration_fixed)


def text_seconds(item: TextItem, box: tuple[int, int], screen: tuple[int, int]) -> float:
    """How long ``item`` plays in a ``box``-sized text box: as its pages or its scroll need, or the
    editor's fixed duration."""
    return sum(show_durations(item, text_show(item, box, screen)))


def seconds_in_regions(regions: dict[str, Region], screen: tuple[int, int]) -> Callable[[Item], float]:
    """How long each item plays, given the region it plays in (``regions``, by item id) on a
    ``screen``-sized board: a text as its pages or scroll take, anything else its ``duration_s``."""

    def seconds(item: Item) -> float:
        region = regions.get(item.id)
        if region is None or not isinstance(item, TextItem):
            return item.duration_s
        _, _, width, height = region_pixels(region, screen)
        return text_seconds(item, text_box(width, height), screen)

    return seconds


def screen_of(manifest: Manifest) -> tuple[int, int] | None:
    """The size of the board's window as its player opens it: the capture rectangle, else the whole
    resolution (None: the manifest names neither)."""
    if manifest.capture is not None:
        return manifest.capture.size
    return manifest.resolution
