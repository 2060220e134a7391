"""The one font the player ships: Noto Sans (SIL OFL 1.1), from the ``fontpkg_noto_sans`` package.

Noto Sans covers all 134 Vietnamese letters and its ascent leaves room for stacked capitals
(Ẫ Ỗ Ẩ Ữ), which SDL_ttf would otherwise clip at the top of the line. Rendering goes through
``pygame.font`` (SDL_ttf + HarfBuzz); ``pygame.freetype`` misplaces combining marks.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fontpkg_noto_sans
import pygame

FONT_PATH: Path = Path(fontpkg_noto_sans.ROOT) / "files" / "NotoSans[wdth,wght].ttf"
LICENSE_PATH: Path = Path(fontpkg_noto_sans.ROOT) / "LICENSE"
MIN_FONT_PX = 8
MAX_FONT_PX = 400


def font(size_px: int, bold: bool = False) -> pygame.font.Font:
    """A cached font object; the size is clamped so absurd regions never ask SDL_ttf for 0 px."""
    if not pygame.font.get_init():  # fonts opened before a pygame.quit() are dead: reopen them
        _load.cache_clear()
        pygame.font.init()
    return _load(max(MIN_FONT_PX, min(MAX_FONT_PX, int(size_px))), bold)


@lru_cache(maxsize=128)
def _load(size_px: int, bold: bool) -> pygame.font.Font:
    loaded = pygame.font.Font(FONT_PATH, size_px)
    loaded.bold = bold  # synthetic emboldening: SDL_ttf cannot select a variable-font instance
    return loaded


def line_step(size_px: int) -> int:
    """Distance between baselines: the font's full height, so stacked marks never touch the line above."""
    chosen = font(size_px)
    return max(chosen.get_linesize(), chosen.get_height())
