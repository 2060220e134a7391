"""How many pages an emergency text takes on the smallest board it targets, so the operator is told
("hiển thị thành 3 trang trên bảng 384x192") before confirming.

The count comes from the layout and the font the boards use (``signage_contract.text_layout`` and
``signage_contract.fonts``), so it is what the board's emergency screen will cycle through.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from signage_contract.text_layout import emergency_pages


@dataclass(frozen=True)
class PageCount:
    pages: int
    width: int
    height: int


def smallest_screen(screens: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    """The board with the fewest pixels (a tie: the narrower), where a text takes the most pages."""
    return min(screens, key=lambda s: (s[0] * s[1], min(s)), default=None)


def count_pages(title: str, body: str, screen: tuple[int, int]) -> PageCount:
    """The pages of the emergency screen for ``title`` and ``body`` on a ``screen``-sized board."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from signage_contract import fonts  # pygame: imported when first measuring, not with the server

    def measure(size_px: int, bold: bool, text: str) -> int:
        return fonts.measuring(size_px, bold).size(text)[0]

    with fonts.MEASURING:
        laid_out = emergency_pages(title, body, screen[0], screen[1], measure, fonts.line_step)
    return PageCount(len(laid_out.pages), screen[0], screen[1])


def pages_on_smallest(title: str, body: str, screens: Iterable[tuple[int, int]]) -> PageCount | None:
    screen = smallest_screen(screens)
    return None if screen is None else count_pages(title, body, screen)
