"""The clock: Vietnamese weekday, date and time in the board's zone, redrawn once a minute."""

from __future__ import annotations

from datetime import datetime, tzinfo

import pygame

from signage_contract import Align, ClockItem

from .. import fonts
from ..render import draw_lines, format_clock, inner, measure, rgb
from ..text_layout import TextBlock, fit_line, fit_text
from . import ItemKind, Scene

CLOCK_MIN_PX = 12


def draw_clock(
    surface: pygame.Surface, rect: pygame.Rect, item: ClockItem, now: datetime, zone: tzinfo
) -> None:
    surface.fill(rgb(item.background), rect)
    box = inner(rect)
    text, size = format_clock(now, zone, item.format), None
    for fmt in dict.fromkeys((item.format, "time")):  # too narrow for the date: the time alone
        text = format_clock(now, zone, fmt)
        size = fit_line(text, box.w, box.h, measure, fonts.line_step, min_px=min(CLOCK_MIN_PX, box.h))
        if size is not None:
            break
    if size is None:
        block = fit_text("", text, box.w, box.h, measure, fonts.line_step, max_px=box.h, min_px=8)
    else:
        block = TextBlock(size, size, (), (text,), fonts.line_step(size))
    draw_lines(surface, box, block, Align.CENTER, (rgb(item.foreground), rgb(item.foreground)))


class ClockKind(ItemKind[ClockItem]):
    model = ClockItem

    def redraw_key(self, item: ClockItem, rect: pygame.Rect, scene: Scene) -> tuple[object, ...]:
        return (scene.now.replace(second=0, microsecond=0),)

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: ClockItem, scene: Scene) -> bool:
        draw_clock(surface, rect, item, scene.now, scene.zone)
        return True


KIND = ClockKind()
