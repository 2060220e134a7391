"""A text scrolled vertically through its box instead of paged (pure; the font is injected).

An editor may choose ``TextFlow.SCROLL`` for a text item: a text too long for its box at the
board's legibility floor is then laid out as one strip (the same wrap as its pages, at the floor)
that rests at its start, moves up smoothly and rests at its end, never drawn outside the box. It
moves at the pages' reading rate: the strip's height passes in the time its syllables take to read
(``READING_RATE_WPM``), so a reader who starts with the first line keeps pace; it rests first for
``SCROLL_HOLD_S`` (to find the first line) and last for the time the final screenful takes to read
(at least ``SCROLL_HOLD_S``). A text that fits is shown still, as its single page would be.

The server (the airtime plan) and the player (the play) compute the same times from these
functions, so an item's duration follows its scroll on both sides.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .text_layout import (
    LEGIBLE_MIN_PX,
    READING_RATE_WPM,
    LineStep,
    MeasureAt,
    TextBlock,
    at_floor,
    reading_time_s,
    title_gap,
)

SCROLL_HOLD_S = 3.0  # the strip rests this long at its start, and at least this long at its end


@dataclass(frozen=True)
class TextRow:
    """One line of a strip: its top in px from the strip's top, its text, size and weight."""

    top: int
    height: int
    text: str
    size_px: int
    bold: bool


@dataclass(frozen=True)
class TextScroll:
    """A text as one strip in a box ``view_h`` px tall: the strip's lines (``block``, their ``rows``)
    and its natural timing (rest at the start, move, rest at the end, in seconds)."""

    block: TextBlock
    rows: tuple[TextRow, ...]
    view_h: int
    hold_start_s: float
    move_s: float
    hold_end_s: float

    @property
    def travel_px(self) -> int:
        """How far the strip moves up: 0 when it fits the box."""
        return max(0, self.block.height - self.view_h)

    @property
    def natural_s(self) -> float:
        return self.hold_start_s + self.move_s + self.hold_end_s


def rows_of(block: TextBlock, step: LineStep) -> tuple[TextRow, ...]:
    """The block's lines with their tops, as the renderer draws them: title, a gap, then the body."""
    rows: list[TextRow] = []
    top = 0
    title_step, body_step = step(block.title_px), step(block.body_px)
    for line in block.title_lines:
        rows.append(TextRow(top, title_step, line, block.title_px, True))
        top += title_step
    top += title_gap(block.title_lines, block.body_lines, block.body_px)
    for line in block.body_lines:
        rows.append(TextRow(top, body_step, line, block.body_px, False))
        top += body_step
    return tuple(rows)


def scroll_text(
    title: str,
    body: str,
    width: int,
    height: int,
    measure: MeasureAt,
    step: LineStep,
    max_px: int | None = None,
    min_px: int = LEGIBLE_MIN_PX,
) -> TextScroll:
    """The strip of a title and body in a ``width`` x ``height`` box; a text that fits is one still
    page at the largest size that fits (as ``paginate`` gives it), shown for its reading time."""
    whole, page = at_floor(title, body, width, height, measure, step, max_px, min_px)
    if page is not None:
        return TextScroll(page, rows_of(page, step), height, reading_time_s(page.words), 0.0, 0.0)
    read_s = whole.words * 60.0 / READING_RATE_WPM
    travel = whole.height - height
    hold_end = max(SCROLL_HOLD_S, read_s * height / whole.height)
    return TextScroll(whole, rows_of(whole, step), height, SCROLL_HOLD_S, read_s * travel / whole.height,
                      hold_end)


def scroll_durations(strip: TextScroll, duration_s: float, fixed: bool) -> tuple[float, float, float]:
    """(rest at start, move, rest at end) for an item of ``duration_s``: by default the item lasts
    at least ``duration_s`` (the strip rests longer at its end) and as long as its scroll takes; an
    editor's fixed duration is shared in the same proportions (the strip moves faster or slower)."""
    parts = (strip.hold_start_s, strip.move_s, strip.hold_end_s)
    natural = strip.natural_s
    if natural <= 0:
        return (duration_s, 0.0, 0.0)
    if fixed:
        scale = duration_s / natural
        return (parts[0] * scale, parts[1] * scale, parts[2] * scale)
    return (parts[0], parts[1], parts[2] + max(0.0, duration_s - natural))


def scroll_offset(strip: TextScroll, durations: tuple[float, float, float], elapsed_s: float) -> int:
    """How many px the strip has moved up ``elapsed_s`` after it appeared (it starts again after its
    end rest, if the item plays on)."""
    travel = strip.travel_px
    total = sum(durations)
    if travel <= 0 or total <= 0:
        return 0
    hold_start, move, _ = durations
    offset = elapsed_s % total
    if offset < hold_start:
        return 0
    if move <= 0 or offset >= hold_start + move:
        return travel
    return min(travel, int(travel * (offset - hold_start) / move))


def visible_rows(strip: TextScroll, offset_px: int) -> tuple[TextRow, ...]:
    """The rows at least partly inside the box when the strip has moved up ``offset_px`` (found by
    bisection: a strip of a 20,000-character notice holds hundreds of rows, asked every frame)."""
    first = bisect_right(strip.rows, offset_px, key=lambda row: row.top + row.height)
    last = bisect_left(strip.rows, offset_px + strip.view_h, key=lambda row: row.top)
    return strip.rows[first:last]
