"""The last presented frame, kept on disk so a restarted board shows it at once instead of black.

After a restart the first picture takes a moment to decode (about 2 s for a large JPEG on a
Celeron); the compositor keeps what is on screen until a new layer can be drawn whole, so the
frame restored here stays up until then. The main thread only copies the pixels (screenshots.py's
``grab``, about 1 ms); a worker thread encodes the JPEG and writes it atomically. A frame is kept at
most every ``KEEP_INTERVAL_S`` and only when the content changed: flash storage wears.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

import pygame
from PIL import Image

from signage_contract.files import atomic_write

from .compositor import Compositor
from .screenshots import CaptureWorker, RawCapture, encode_jpeg, grab

log = logging.getLogger(__name__)
LAST_FRAME_NAME = "last-frame.jpg"
KEEP_INTERVAL_S = 30.0
JPEG_QUALITY = 85


def restore_last_frame(screen: pygame.Surface, path: Path) -> bool:
    """Put the kept frame on screen and present it; False when there is none of this size."""
    try:
        with Image.open(path) as image:
            if image.size != screen.get_size():
                return False  # another geometry: a stretched old frame would look broken
            rgb = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return False  # none yet, or torn by a power cut: the compositor draws at once instead
    screen.blit(pygame.image.frombytes(rgb.tobytes(), rgb.size, "RGB"), (0, 0))
    pygame.display.flip()
    return True


class LastFrameKeeper:
    """``after_frame`` on the main thread: copies the screen when its content changed; a worker
    thread writes the JPEG."""

    def __init__(self, path: Path, interval_s: float = KEEP_INTERVAL_S) -> None:
        self.path = path
        self.interval_s = interval_s
        self._kept_state: tuple[object, ...] | None = None
        self._kept_at = -interval_s
        self._worker = CaptureWorker(self._keep, "signage-last-frame",
                                     f"cannot keep the last frame in {path}")

    def __call__(self, compositor: Compositor, now: datetime) -> None:
        if not compositor.mode or compositor.mode == ("off",):
            return  # nothing drawn yet (a restored frame is already on disk), or the screen is off
        state = (compositor.mode, tuple(s.key for s in compositor.shown.values()))
        due = time.monotonic() - self._kept_at >= self.interval_s
        if state == self._kept_state or not due or self._worker.busy:
            return
        self._kept_state, self._kept_at = state, time.monotonic()
        try:
            capture = grab(compositor.screen, now)
        except pygame.error as exc:  # loop boundary: keeping a frame must never end the show
            log.warning("cannot copy the frame to keep: %s", exc)
            return
        self._worker.submit(capture)

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        return self._worker.wait_idle(timeout_s)

    def close(self) -> None:
        self._worker.close()

    def _keep(self, capture: RawCapture) -> None:
        atomic_write(self.path, encode_jpeg(capture, JPEG_QUALITY))
