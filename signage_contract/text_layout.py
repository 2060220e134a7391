"""Wrapping, fitting and paging of Vietnamese text by measured pixel width (pure; the font is injected).

The server and the player lay text out with these functions and the same font (``fonts.py``), so
they agree on how many pages a text takes on a board and how long each page stays.

Vietnamese words are written as space-separated syllables, so a line breaks at a space: never
inside a syllable, and never at a NO-BREAK SPACE (U+00A0, U+202F), which editors use to keep
"15 giờ" or "Nghị định 49" together. ``str.split()`` would break at NO-BREAK SPACE; we do not use it.
Only a run with no space at all that is wider than the line (a URL, a long code) is broken between
characters, by pixels. Text too long for its box at the legibility floor is split into pages shown
in turn, never cut with "…".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from .manifest import nfc

# Breakable white space: ASCII space, tab and the typographic spaces; not U+00A0 / U+202F / U+2007.
_BREAK_AT = re.compile(r"[ \t\u1680\u2000-\u2006\u2008-\u200a\u205f\u3000]+")
_NO_BREAK = re.compile(r"([\u00a0\u202f\u2007]+)")
LEGIBLE_MIN_PX = 16  # 16-32 px line heights must stay readable on a 192 px LED board
# LCD panels are watched from farther than their pixels suggest: the floor grows with the screen,
# 1/36 of its short side (30 px on 1080p, 60 px on 2160p); LED boards (short side <= 576) keep 16 px.
LCD_FLOOR_DIVISOR = 36
TITLE_SCALE = 1.3
TITLE_GAP_RATIO = 0.4  # blank space between title and body, in body font sizes
HEADING_SHARE = 1 / 3  # a title this short (of the box height) heads every page of a paged text
# Reading time: passers-by read a public board at about 200 syllables ("tiếng") a minute, the low end
# of adult Vietnamese silent reading (200-250); each page adds a moment to find its first line.
READING_RATE_WPM = 200
PAGE_LEAD_S = 1.5
MIN_PAGE_S = 5.0  # no page flips by faster than this, however few words it holds
PAGE_INDICATOR = "{page}/{pages}"

Measure = Callable[[str], int]
MeasureAt = Callable[[int, bool, str], int]  # (size_px, bold, text) -> width in px
LineStep = Callable[[int], int]  # size_px -> baseline-to-baseline distance in px


def legible_floor(screen_w: int, screen_h: int) -> int:
    """The smallest body size for a board of this size: 16 px on LED boards, more on big LCDs."""
    return max(LEGIBLE_MIN_PX, min(screen_w, screen_h) // LCD_FLOOR_DIVISOR)


def words_of(text: str) -> list[str]:
    """The syllables (space-separated runs) of ``text``, as lines and pages keep them."""
    return [w for w in _BREAK_AT.split(nfc(text).replace("\r", " ").replace("\n", " ")) if w]


def _clusters(word: str) -> list[str]:
    """Characters with their combining marks attached (NFC leaves few, but NFD input may slip by)."""
    out: list[str] = []
    for char in word:
        if out and unicodedata.combining(char):
            out[-1] += char
        else:
            out.append(char)
    return out


def break_word(word: str, measure: Measure, max_width: int) -> list[str]:
    """A run with no space wider than the line, cut between characters into pieces that fit (each
    piece holds at least one character, so a line narrower than one letter still makes progress)."""
    pieces: list[str] = []
    rest = _clusters(word)
    while rest:
        low, high = 1, len(rest)  # the longest prefix that fits: widths grow with the prefix
        while low < high:
            mid = (low + high + 1) // 2
            if measure("".join(rest[:mid])) <= max_width:
                low = mid
            else:
                high = mid - 1
        pieces.append("".join(rest[:low]))
        rest = rest[low:]
    return pieces


def _break_run(word: str, measure: Measure, max_width: int) -> list[str]:
    """A run wider than the line: cut at its no-break spaces first (still between syllables), and
    only a syllable wider than the line itself between characters."""
    parts = _NO_BREAK.split(word)  # [syllable, nbsp, syllable, ...]
    pieces: list[str] = []
    line = ""
    for index in range(0, len(parts), 2):
        syllable, joiner = parts[index], parts[index - 1] if index else ""
        if line and measure(line + joiner + syllable) <= max_width:
            line += joiner + syllable
            continue
        if line:
            pieces.append(line)
        if measure(syllable) <= max_width:
            line = syllable
        else:
            *whole, line = break_word(syllable, measure, max_width)
            pieces.extend(whole)
    pieces.append(line)
    return pieces


def wrap(text: str, measure: Measure, max_width: int) -> list[str]:
    """Greedy wrap at breakable spaces; only a run wider than the whole line is broken by pixels.

    Widths are estimated from each syllable's width (measured once) plus a space; only a line whose
    estimate is within the rounding error of the limit (under 1 px a syllable) is measured whole, and
    a line closed on an estimate is measured once as it closes (a long notice is laid out in one pass
    of measures per syllable and per line, not per syllable per line)."""
    widths: dict[str, int] = {}

    def width_of(word: str) -> int:
        if word not in widths:
            widths[word] = measure(word)
        return widths[word]

    space = max(0, measure("n n") - measure("nn"))
    lines: list[str] = []
    for paragraph in nfc(text).replace("\r\n", "\n").split("\n"):
        words = [w for w in _BREAK_AT.split(paragraph) if w]
        lines.extend(_wrap_words(words, measure, max_width, width_of, space) if words else [""])
    return lines


def _wrap_words(
    words: list[str], measure: Measure, max_width: int, width_of: Measure, space: int | None
) -> list[str]:
    """Greedy wrap of one paragraph. With ``space`` None every candidate line is measured whole; with
    an estimate that proves off when its line closes, the rest of the paragraph is wrapped so."""
    lines: list[str] = []
    line, line_w, pieces, first = "", 0, 0, 0  # the line, its width, syllables estimated, its first word
    for index, word in enumerate(words):
        word_w = width_of(word)
        if line:
            estimate = line_w + (space or 0) + word_w
            slack = 2 * pieces + 2  # a syllable and its space measured apart: off by up to 1 px (seen)
            if space is not None and estimate <= max_width - slack:
                line, line_w, pieces = f"{line} {word}", estimate, pieces + 1
                continue
            if space is None or estimate <= max_width + slack:
                exact = measure(f"{line} {word}")
                if exact <= max_width:
                    line, line_w, pieces = f"{line} {word}", exact, 0
                    continue
            if pieces and measure(line) > max_width:
                return lines + _wrap_words(words[first:], measure, max_width, measure, None)
            lines.append(line)
        first = index
        if word_w <= max_width:
            line, line_w, pieces = word, word_w, 0
        else:
            *whole, line = _break_run(word, measure, max_width)
            lines.extend(whole)
            line_w, pieces = measure(line), 0
    if pieces and measure(line) > max_width:
        return lines + _wrap_words(words[first:], measure, max_width, measure, None)
    lines.append(line)
    return lines


def _fits_unbroken(text: str, measure: Measure, max_width: int) -> bool:
    return all(measure(word) <= max_width for word in words_of(text))


@dataclass(frozen=True)
class TextBlock:
    """One screenful of a title and body: sizes in px and the lines to draw."""

    title_px: int
    body_px: int
    title_lines: tuple[str, ...]
    body_lines: tuple[str, ...]
    height: int

    @property
    def words(self) -> int:
        return sum(len(words_of(line)) for line in (*self.title_lines, *self.body_lines))


def reading_time_s(words: int) -> float:
    """How long a page of ``words`` syllables stays: reading time plus a lead, at least MIN_PAGE_S."""
    return max(MIN_PAGE_S, PAGE_LEAD_S + words * 60.0 / READING_RATE_WPM)


@dataclass(frozen=True)
class TextPages:
    """A text laid out in a box: its pages (one when it fits), each page's reading time, and the
    size of the "2/5" page indicator drawn at the bottom right (None: no room, or a single page)."""

    pages: tuple[TextBlock, ...]
    indicator_px: int | None = None

    @cached_property
    def dwell_s(self) -> tuple[float, ...]:  # asked on every frame: computed once
        return tuple(reading_time_s(page.words) for page in self.pages)


def title_gap(title_lines: Sequence[str], body_lines: Sequence[str], size: int) -> int:
    """The blank space between a title and its body at body size ``size`` (none without both)."""
    return round(size * TITLE_GAP_RATIO) if title_lines and body_lines else 0


def block_height(
    title_lines: Sequence[str], body_lines: Sequence[str], title_px: int, body_px: int, step: LineStep
) -> int:
    """How tall these lines stand, drawn as the renderer does: title lines, the gap, body lines."""
    return (len(title_lines) * step(title_px) + len(body_lines) * step(body_px)
            + title_gap(title_lines, body_lines, body_px))


def lay_out(title: str, body: str, size: int, width: int, measure: MeasureAt, step: LineStep) -> TextBlock:
    """Title and body wrapped to ``width`` at body size ``size``, as one block however tall."""
    title_px = round(size * TITLE_SCALE)
    title_lines = wrap(title, lambda s: measure(title_px, True, s), width) if title else []
    body_lines = wrap(body, lambda s: measure(size, False, s), width) if body else []
    height = block_height(title_lines, body_lines, title_px, size, step)
    return TextBlock(title_px, size, tuple(title_lines), tuple(body_lines), height)


def _fits_whole(
    title: str, body: str, size: int, width: int, measure: MeasureAt
) -> bool:
    """No syllable of the text is wider than the line at ``size`` (so none has to be broken)."""
    title_px = round(size * TITLE_SCALE)
    return _fits_unbroken(title, lambda s: measure(title_px, True, s), width) and _fits_unbroken(
        body, lambda s: measure(size, False, s), width
    )


def _largest_single_page(
    title: str, body: str, box: tuple[int, int], measure: MeasureAt, step: LineStep, sizes: tuple[int, int]
) -> TextBlock | None:
    """The largest size >= ``floor`` at which the whole text fits one page without breaking a word."""
    (width, height), (low, high), best = box, sizes, None
    while low <= high:  # the height needed grows with the size, so bisect
        mid = (low + high) // 2
        block = lay_out(title, body, mid, width, measure, step)
        if block.height <= height and _fits_whole(title, body, mid, width, measure):
            best, low = block, mid + 1
        else:
            high = mid - 1
    return best


def size_range(width: int, height: int, max_px: int | None, min_px: int) -> tuple[int, int]:
    """The body sizes tried for a box: from the floor (``min_px``, never taller than the box) up to
    ``max_px`` (by default a fifth of the box's height, a tenth of its width)."""
    floor = max(1, min(min_px, height))
    return floor, max(floor, max_px if max_px is not None else min(height // 5, width // 10))


def at_floor(
    title: str, body: str, width: int, height: int, measure: MeasureAt, step: LineStep,
    max_px: int | None = None, min_px: int = LEGIBLE_MIN_PX,
) -> tuple[TextBlock, TextBlock | None]:
    """The text (NFC, trimmed) laid out at the floor size, and, when that fits the box, the one page
    at the largest size that fits: where paging and scrolling both start."""
    title, body = nfc(title).strip(), nfc(body).strip()
    floor, ceiling = size_range(width, height, max_px, min_px)
    whole = lay_out(title, body, floor, width, measure, step)
    if whole.height > height:
        return whole, None
    single = _largest_single_page(title, body, (width, height), measure, step, (floor, ceiling))
    return whole, single or whole  # none: only with an overlong run broken by pixels


def paginate(
    title: str,
    body: str,
    width: int,
    height: int,
    measure: MeasureAt,
    step: LineStep,
    max_px: int | None = None,
    min_px: int = LEGIBLE_MIN_PX,
) -> TextPages:
    """Title and body at the largest size that fits the box on one page; when even the floor
    (``min_px``) needs more, pages at the floor, every syllable on some page and no line cut."""
    whole, single = at_floor(title, body, width, height, measure, step, max_px, min_px)
    if single is not None:
        return TextPages((single,))
    floor = whole.body_px
    indicator_px: int | None = floor
    room = height - step(floor)  # a row kept for the "2/5" indicator, when pages still hold 2 lines
    if room < 2 * step(floor) + step(whole.title_px):
        indicator_px, room = None, height
    return TextPages(_pages(whole, room, step), indicator_px)


def _pages(whole: TextBlock, room: int, step: LineStep) -> tuple[TextBlock, ...]:
    """Cut a laid-out text into pages of at most ``room`` px (at least one line each). A short title
    heads every page; a long one flows into the pages like the body. A blank line (a paragraph
    break) never opens a page."""
    title_step, body_step = step(whole.title_px), step(whole.body_px)
    gap = title_gap(whole.title_lines, whole.body_lines, whole.body_px)
    title_h = len(whole.title_lines) * title_step + gap
    heading = bool(whole.title_lines and whole.body_lines) and title_h <= room * HEADING_SHARE
    rows = [] if heading else [(line, True) for line in whole.title_lines]
    rows += [(line, False) for line in whole.body_lines]
    pages: list[TextBlock] = []
    index = 0
    while index < len(rows):
        titles: list[str] = list(whole.title_lines) if heading else []
        bodies: list[str] = []
        used = title_h if heading else 0
        while index < len(rows):
            text, is_title = rows[index]
            if not is_title and not bodies and not text:
                index += 1
                continue
            opens_body = not is_title and titles and not bodies and not heading
            cost = (title_step if is_title else body_step) + (gap if opens_body else 0)
            placed = len(bodies) + (0 if heading else len(titles))
            if placed and used + cost > room:
                break
            (titles if is_title else bodies).append(text)
            used += cost
            index += 1
        if bodies or (titles and not heading):
            height = block_height(titles, bodies, whole.title_px, whole.body_px, step)
            pages.append(TextBlock(whole.title_px, whole.body_px, tuple(titles), tuple(bodies), height))
    return tuple(pages) or (whole,)


def fit_text(
    title: str,
    body: str,
    width: int,
    height: int,
    measure: MeasureAt,
    step: LineStep,
    max_px: int | None = None,
    min_px: int = LEGIBLE_MIN_PX,
) -> TextBlock:
    """The first page of ``paginate``: for short texts that always fit (a clock, the fallback slide)."""
    return paginate(title, body, width, height, measure, step, max_px, min_px).pages[0]


def page_durations(dwell_s: Sequence[float], duration_s: float, fixed: bool) -> tuple[float, ...]:
    """How long each page stays. By default the item lasts at least ``duration_s`` and as long as
    its pages take to read (short pages are stretched to ``duration_s``); an editor's fixed duration is
    shared by the pages in proportion to their reading time, each page still at least MIN_PAGE_S."""
    total = sum(dwell_s)
    if not dwell_s or total <= 0:
        return (duration_s,)
    if not fixed:
        scale = max(1.0, duration_s / total)
        return tuple(d * scale for d in dwell_s)
    if len(dwell_s) == 1:
        return (duration_s,)
    return tuple(max(MIN_PAGE_S, duration_s * d / total) for d in dwell_s)


def page_at(durations: Sequence[float], elapsed_s: float) -> tuple[int, float]:
    """The page shown ``elapsed_s`` after the first appeared (pages cycle), and the seconds until it
    changes."""
    total = sum(durations)
    if len(durations) <= 1 or total <= 0:
        return 0, float("inf")
    offset = elapsed_s % total
    for index, duration in enumerate(durations):
        if offset < duration:
            return index, duration - offset
        offset -= duration
    return len(durations) - 1, durations[-1]  # pragma: no cover - float rounding at the very end


def inset(x: int, y: int, w: int, h: int, ratio: float) -> tuple[int, int, int, int]:
    """A box with padding of ``ratio`` of its short side (at least 2 px) on every side."""
    pad = max(2, round(min(w, h) * ratio))
    return x + pad, y + pad, w - 2 * pad, h - 2 * pad


def fit_line(
    text: str, width: int, height: int, measure: MeasureAt, step: LineStep, min_px: int, bold: bool = False
) -> int | None:
    """The largest size at which ``text`` (in bold if it is drawn so) fits on one line of the box, or
    None below ``min_px``."""
    low, high, best = min_px, max(min_px, height), None
    while low <= high:
        mid = (low + high) // 2
        if measure(mid, bold, text) <= width and step(mid) <= height:
            best, low = mid, mid + 1
        else:
            high = mid - 1
    return best


# The emergency screen's geometry, shared so the server counts the pages a board will show.
PADDING_RATIO = 0.04  # of a box's short side, on every side
BANNER_RATIO = 0.16  # the "KHẨN CẤP" banner, of the screen height
BANNER_MIN_PX = 24  # so the banner's text is never below the legibility floor


def banner_height(screen_h: int) -> int:
    return min(screen_h // 3, max(BANNER_MIN_PX, round(screen_h * BANNER_RATIO)))


def emergency_text_box(screen_w: int, screen_h: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the emergency screen's text when it has no picture beside it."""
    top = banner_height(screen_h)
    return inset(0, top, screen_w, screen_h - top, PADDING_RATIO)


def emergency_pages(
    title: str, body: str, screen_w: int, screen_h: int, measure: MeasureAt, step: LineStep
) -> TextPages:
    """The pages an emergency text takes on a board of this size (what its screen cycles through)."""
    _, _, width, height = emergency_text_box(screen_w, screen_h)
    return paginate(title, body, width, height, measure, step, min_px=legible_floor(screen_w, screen_h))
