"""The one font of the boards: Noto Sans (SIL OFL 1.1), from the ``fontpkg_noto_sans`` package.

Shared by the player (drawing) and the server (counting the pages a text takes on a board), so both
measure with the same code and font; it needs pygame and the font package (the ``player`` extra,
which the ``server`` extra includes), and is imported only by code that measures text.

Noto Sans covers all 134 Vietnamese letters and its ascent leaves room for stacked capitals
(Ẫ Ỗ Ẩ Ữ), which SDL_ttf would otherwise clip at the top of the line. Rendering goes through
``pygame.font`` (SDL_ttf + HarfBuzz); ``pygame.freetype`` misplaces combining marks.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import fontpkg_noto_sans
import pygame

FONT_PATH: Path = Path(fontpkg_noto_sans.ROOT) / "files" / "NotoSans[wdth,wght].ttf"
LICENSE_PATH: Path = Path(fontpkg_noto_sans.ROOT) / "LICENSE"
MIN_FONT_PX = 8
MAX_FONT_PX = 400
_opened: set[tuple[int, bool]] = set()
# pygame's font objects are shared and resized in place: a process measuring from several threads
# (the server) measures one text at a time under this lock; the player measures on its main thread.
MEASURING = threading.Lock()
_probe: pygame.font.Font | None = None  # opened with the cache: dead once the font module was quit


def _clamp(size_px: int) -> int:
    return max(MIN_FONT_PX, min(MAX_FONT_PX, int(size_px)))


def _ensure_init() -> None:
    """Open the font module if needed, and drop every cached font from an earlier lifetime of it.

    A ``pygame.quit()`` (or ``pygame.font.quit()``) kills every font object opened before it, and a
    later ``init`` does not revive them ("Invalid font (font module quit since font created)"); the
    module being open again says nothing about the cached objects, so a probe opened in the same
    lifetime as the cache is asked instead.
    """
    global _probe
    if not pygame.font.get_init():
        pygame.font.init()
    if _probe is not None:
        try:
            _probe.get_height()
            return
        except pygame.error:  # the font module was quit (and perhaps re-opened) since the cache filled
            pass
    _load.cache_clear()
    _resizable.cache_clear()
    _opened.clear()
    _probe = pygame.font.Font(FONT_PATH, MIN_FONT_PX)


def font(size_px: int, bold: bool = False) -> pygame.font.Font:
    """A cached font object; the size is clamped so absurd regions never ask SDL_ttf for 0 px."""
    _ensure_init()
    key = (_clamp(size_px), bold)
    _opened.add(key)
    return _load(*key)


def measuring(size_px: int, bold: bool = False) -> pygame.font.Font:
    """A font to measure with (main thread only): the size's own object when it is open, else one
    object per style resized in place. SDL_ttf builds a shaping face per object on first use (about
    40 ms for this variable font), so an auto-fit trying ten new sizes on fresh objects cost 0.4 s
    (an emergency text arriving at a size never drawn); resizing keeps the face, same widths."""
    _ensure_init()
    key = (_clamp(size_px), bold)
    if key in _opened:
        return _load(*key)
    chosen = _resizable(bold)
    if chosen.point_size != key[0]:
        chosen.point_size = key[0]
    return chosen


@lru_cache(maxsize=2)
def _resizable(bold: bool) -> pygame.font.Font:
    loaded = pygame.font.Font(FONT_PATH, 32)
    loaded.bold = bold
    return loaded


@lru_cache(maxsize=128)
def _load(size_px: int, bold: bool) -> pygame.font.Font:
    loaded = pygame.font.Font(FONT_PATH, size_px)
    loaded.bold = bold  # synthetic emboldening: SDL_ttf cannot select a variable-font instance
    return loaded


def line_step(size_px: int) -> int:
    """Distance between baselines: the font's full height, so stacked marks never touch the line above."""
    chosen = measuring(size_px)
    return max(chosen.get_linesize(), chosen.get_height())
