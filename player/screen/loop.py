"""The frame loop (main thread): events, compose, present only the dirty rectangles, then sleep.

A static slide costs a timeline lookup and a sleep that any update from the network thread ends at
once; a moving ticker is paced at ``TICKER_FPS``. The latest frame can be saved for previews.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pygame

from ..core.shared import Shared
from .compositor import TICKER_FPS, Compositor, utc_now

log = logging.getLogger(__name__)
FRAME_SAVE_INTERVAL_S = 2.0


def save_frame(surface: pygame.Surface, path: Path) -> None:
    """Write the latest frame for previews and tests; atomic so readers never see half a PNG."""
    temp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    pygame.image.save(surface, str(temp))
    os.replace(temp, path)


class FrameSaver:
    """Saves the screen when its content changed (a moving ticker: every few seconds)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.last_saved = -FRAME_SAVE_INTERVAL_S
        self.saved_state: tuple[object, ...] | None = None
        self.failed = False

    def maybe_save(self, compositor: Compositor) -> None:
        state = (compositor.mode, tuple(s.key for s in compositor.shown.values()))
        due = time.monotonic() - self.last_saved >= FRAME_SAVE_INTERVAL_S
        if self.path is None or not due or (state == self.saved_state and not compositor.animating()):
            return
        if not compositor.on_screen:
            return  # nothing presented yet: a black frame.png would say the board is blank
        try:
            save_frame(compositor.display, self.path)  # as shown: dimmed, or black while off
        except (OSError, pygame.error) as exc:  # e.g. a reader holds the file open on Windows
            if not self.failed:
                log.warning("cannot save the frame to %s: %s", self.path, exc)
            self.failed = True
        self.last_saved, self.saved_state = time.monotonic(), state


def run_loop(
    compositor: Compositor,
    shared: Shared,
    stop: threading.Event,
    frame_path: Path | None = None,
    clock: Callable[[], datetime] = utc_now,
    max_seconds: float | None = None,
    after_frame: Callable[[Compositor, datetime], None] | None = None,
    override_shown: Callable[[str, datetime], None] | None = None,
    power: Callable[[bool, int], None] | None = None,
) -> None:
    """The main-thread loop: events, compose, present only the dirty rectangles, sleep (an update
    from the network thread ends the sleep at once).

    ``after_frame`` (health: play records, screenshots) sees each frame; ``override_shown`` hears of
    every presented frame that shows an override (it queues the "displayed" ack); ``power`` hears the
    screen's power state after each frame (screen/display_power.py). None of them blocks.
    """
    started = time.monotonic()
    pacer = pygame.time.Clock()
    saver = FrameSaver(frame_path)
    last_error = ""
    while not stop.is_set():
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
                stop.set()
        now = clock()
        try:
            dirty = compositor.update(shared.snapshot(), now)
        except Exception as exc:  # loop boundary: a bad item must not end the show; the last frame stays
            if repr(exc) != last_error:  # once, not sixty times a second
                log.exception("frame failed")
            last_error, dirty = repr(exc), []
        if dirty:
            pygame.display.update(dirty)
            shown = compositor.shown_override()
            if shown is not None and override_shown is not None:
                override_shown(shown, clock())
        if power is not None:
            power(compositor.screen_on, compositor.brightness)
        if after_frame is not None:
            after_frame(compositor, now)
        saver.maybe_save(compositor)
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            break
        if compositor.ticking(now):
            pacer.tick(TICKER_FPS)  # steady pacing keeps the ticker's pixel steps even
        else:
            shared.wait_changed(compositor.next_wake_s(now))
