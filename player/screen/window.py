"""The board's window: opened at the geometry its manifest names (the board's capture rectangle,
else its resolution) unless the command line fixes one, and re-opened when the manifest's changes.

Every call here runs on the main thread (pygame's display is not thread-safe).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import pygame

from signage_contract import Manifest

log = logging.getLogger(__name__)
HEADLESS_SIZE = (1920, 1080)  # when neither the command line nor a manifest names a size
WINDOW_SIZE = (1280, 720)
Geometry = tuple[int, int, int | None, int | None]  # W, H and the optional desktop X, Y


def board_geometry(manifest: Manifest | None) -> Geometry | None:
    """The window the manifest asks for: its capture rectangle, else its whole resolution."""
    if manifest is None:
        return None
    if manifest.capture is not None:
        return manifest.capture.w, manifest.capture.h, manifest.capture.x, manifest.capture.y
    if manifest.resolution is not None:
        return manifest.resolution[0], manifest.resolution[1], 0, 0
    return None


def open_display(*, headless: bool, geometry: Geometry | None, fullscreen: bool) -> pygame.Surface:
    """The board's window: borderless at an exact desktop rectangle (what an LED sending card
    captures), full screen, or headless (SDL dummy driver)."""
    flags = 0
    size = HEADLESS_SIZE if headless else WINDOW_SIZE
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    if geometry:
        width, height, x, y = geometry
        size = (width, height)
        if x is not None and y is not None:
            os.environ["SDL_VIDEO_WINDOW_POS"] = f"{x},{y}"
        flags |= pygame.NOFRAME
    if fullscreen:
        flags, size = pygame.FULLSCREEN, (0, 0)
    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode(size, flags)
    pygame.display.set_caption("signage-player")
    if fullscreen or geometry:
        pygame.mouse.set_visible(False)
    return screen


@dataclass
class BoardWindow:
    """``fixed``: the ``--geometry`` of the command line, which always wins (as ``--fullscreen``)."""

    headless: bool
    fullscreen: bool
    fixed: Geometry | None
    current: Geometry | None = None

    def open(self, manifest: Manifest | None) -> pygame.Surface:
        self.current = self.fixed or (None if self.fullscreen else board_geometry(manifest))
        return open_display(headless=self.headless, geometry=self.current, fullscreen=self.fullscreen)

    def follow(self, manifest: Manifest | None) -> pygame.Surface | None:
        """A new window when the manifest names another geometry than the open one, else None."""
        wanted = board_geometry(manifest)
        if self.fixed is not None or self.fullscreen or wanted is None or wanted == self.current:
            return None
        log.info("the board's geometry is now %dx%d+%s+%s: re-opening the window", *wanted)
        pygame.display.quit()  # a new window: SDL places it at SDL_VIDEO_WINDOW_POS only when created
        return self.open(manifest)
