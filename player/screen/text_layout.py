"""Wrapping and auto-fitting of Vietnamese text by measured pixel width (pure; the font is injected).

Vietnamese words are written as space-separated syllables, so a line may break only at a space:
never inside a syllable, and never at a NO-BREAK SPACE (U+00A0, U+202F), which editors use to keep
"15 giờ" or "Nghị định 49" together. ``str.split()`` would break at NO-BREAK SPACE; we do not use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from signage_contract import nfc

# Breakable white space: ASCII space, tab and the typographic spaces; not U+00A0 / U+202F / U+2007.
_BREAK_AT = re.compile(r"[ \t\u1680\u2000-\u2006\u2008-\u200a\u205f\u3000]+")
ELLIPSIS = "…"
LEGIBLE_MIN_PX = 16  # 16-32 px line heights must stay readable on a 192 px LED board
TITLE_SCALE = 1.3
TITLE_GAP_RATIO = 0.4  # blank space between title and body, in body font sizes

Measure = Callable[[str], int]
MeasureAt = Callable[[int, bool, str], int]  # (size_px, bold, text) -> width in px
LineStep = Callable[[int], int]  # size_px -> baseline-to-baseline distance in px


def wrap(text: str, measure: Measure, max_width: int) -> list[str]:
    """Greedy wrap at breakable spaces; a syllable wider than the line stays whole on its own line."""
    lines: list[str] = []
    for paragraph in nfc(text).replace("\r\n", "\n").split("\n"):
        words = [w for w in _BREAK_AT.split(paragraph) if w]
        if not words:
            lines.append("")
            continue
        line = words[0]
        for word in words[1:]:
            candidate = f"{line} {word}"
            if measure(candidate) <= max_width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def truncate_line(line: str, measure: Measure, max_width: int) -> str:
    """Drop whole syllables from the end until ``line…`` fits (an overlong syllable is kept whole)."""
    words = [w for w in _BREAK_AT.split(line) if w]
    while len(words) > 1 and measure(" ".join(words) + ELLIPSIS) > max_width:
        words.pop()
    return " ".join(words) + ELLIPSIS


@dataclass(frozen=True)
class TextBlock:
    """A fitted title and body: sizes in px and the lines to draw."""

    title_px: int
    body_px: int
    title_lines: tuple[str, ...]
    body_lines: tuple[str, ...]
    height: int
    truncated: bool = False


def _block(
    title: str, body: str, size: int, width: int, measure: MeasureAt, step: LineStep
) -> tuple[TextBlock, bool]:
    """Lay out at ``size``; the flag says whether every line fits the width."""
    title_px = round(size * TITLE_SCALE)
    title_lines = wrap(title, lambda s: measure(title_px, True, s), width) if title else []
    body_lines = wrap(body, lambda s: measure(size, False, s), width) if body else []
    height = len(title_lines) * step(title_px) + len(body_lines) * step(size)
    if title_lines and body_lines:
        height += round(size * TITLE_GAP_RATIO)
    fits_width = all(measure(title_px, True, ln) <= width for ln in title_lines) and all(
        measure(size, False, ln) <= width for ln in body_lines
    )
    block = TextBlock(title_px, size, tuple(title_lines), tuple(body_lines), height)
    return block, fits_width


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
    """The largest size at which title and body fit the box; below ``min_px`` it truncates instead."""
    title, body = nfc(title).strip(), nfc(body).strip()
    floor = max(1, min(min_px, height))
    ceiling = max(floor, max_px if max_px is not None else min(height // 5, width // 10))
    low, high = floor, ceiling
    best: TextBlock | None = None
    while low <= high:  # the height needed grows with the size, so bisect
        mid = (low + high) // 2
        block, fits_width = _block(title, body, mid, width, measure, step)
        if fits_width and block.height <= height:
            best, low = block, mid + 1
        else:
            high = mid - 1
    if best is not None:
        return best
    return _truncated(title, body, floor, width, height, measure, step)


def _truncated(
    title: str, body: str, size: int, width: int, height: int, measure: MeasureAt, step: LineStep
) -> TextBlock:
    block, _ = _block(title, body, size, width, measure, step)
    title_step, body_step = step(block.title_px), step(size)
    title_lines = list(block.title_lines[: max(1, height // title_step)]) if block.title_lines else []
    used = len(title_lines) * title_step + (round(size * TITLE_GAP_RATIO) if title_lines else 0)
    room = max(0, (height - used) // body_step)
    body_lines = list(block.body_lines[:room])
    if len(body_lines) < len(block.body_lines) and body_lines:
        body_lines[-1] = truncate_line(body_lines[-1], lambda s: measure(size, False, s), width)
    elif len(title_lines) < len(block.title_lines):
        title_lines[-1] = truncate_line(title_lines[-1], lambda s: measure(block.title_px, True, s), width)
    used_height = used + len(body_lines) * body_step
    return TextBlock(block.title_px, size, tuple(title_lines), tuple(body_lines), used_height, True)


def fit_line(
    text: str, width: int, height: int, measure: MeasureAt, step: LineStep, min_px: int
) -> int | None:
    """The largest size at which ``text`` fits on one line of the box, or None below ``min_px``."""
    low, high, best = min_px, max(min_px, height), None
    while low <= high:
        mid = (low + high) // 2
        if measure(mid, False, text) <= width and step(mid) <= height:
            best, low = mid, mid + 1
        else:
            high = mid - 1
    return best
