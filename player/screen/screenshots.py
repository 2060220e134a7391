"""Screenshots of what is really on screen, periodic and on demand, without stalling the frame loop.

The main thread only copies the display surface's pixel buffer (one memcpy: about 1 ms at
1920x1080, where ``Surface.copy`` or ``image.tobytes`` cost 13-15 ms) right after
``display.update``, so the copy is what the board shows. A worker thread turns those bytes into a
JPEG with Pillow (the raw mode follows the surface's channel masks, no conversion pass) and
uploads it; the server makes the thumbnail. PNG is avoided: 190-670 ms at 1080p.

A capture is skipped while the previous one is still being encoded, so a slow link never piles up
copies; on-demand requests wait for the next frame and are answered by one capture each batch.
"""

from __future__ import annotations

import io
import logging
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pygame
from PIL import Image

log = logging.getLogger(__name__)
SCREENSHOT_INTERVAL = timedelta(minutes=5)
JPEG_QUALITY = 80

Upload = Callable[[bytes, "str | None", datetime], None]


@dataclass(frozen=True)
class RawCapture:
    pixels: bytes
    size: tuple[int, int]
    pitch: int
    raw_mode: str  # Pillow raw mode of the bytes ("BGRX", "RGB", ...)
    taken_at: datetime
    request_ids: tuple[str, ...]  # empty for a periodic capture


def raw_mode(surface: pygame.Surface) -> str | None:
    """The Pillow raw mode matching the surface's memory layout, or None if it has none."""
    size = surface.get_bytesize()
    if size not in (3, 4):
        return None
    slots = ["X"] * size
    for channel, mask in zip("RGB", surface.get_masks()[:3], strict=True):
        if mask == 0:
            return None
        shift = (mask & -mask).bit_length() - 1
        if shift % 8 or mask >> shift != 0xFF:
            return None
        index = shift // 8 if sys.byteorder == "little" else size - 1 - shift // 8
        slots[index] = channel
    mode = "".join(slots)
    return mode if mode in ("RGB", "BGR", "RGBX", "BGRX", "XRGB", "XBGR") else None


def grab(surface: pygame.Surface, taken_at: datetime, request_ids: tuple[str, ...] = ()) -> RawCapture:
    """Main thread: copy the pixels (fast path: the raw buffer; otherwise ``tobytes``)."""
    mode = raw_mode(surface)
    if mode is not None:
        try:
            pixels = surface.get_buffer().raw
            return RawCapture(pixels, surface.get_size(), surface.get_pitch(), mode, taken_at, request_ids)
        except pygame.error:  # a surface without a plain pixel buffer: the slower, general copy
            pass
    return RawCapture(
        pygame.image.tobytes(surface, "RGB"), surface.get_size(), surface.get_width() * 3, "RGB",
        taken_at, request_ids,
    )


def encode_jpeg(capture: RawCapture, quality: int = JPEG_QUALITY) -> bytes:
    image = Image.frombuffer("RGB", capture.size, capture.pixels, "raw", capture.raw_mode, capture.pitch, 1)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


class CaptureWorker:
    """One thread that handles captures one at a time, off the frame loop; ``busy`` while it does,
    so the main thread skips a copy instead of queueing it. A failure is logged once until a
    capture succeeds again (a full disk or a dead link must not flood the log or end the show)."""

    def __init__(self, handle: Callable[[RawCapture], None], name: str, failure: str,
                 recovery: str | None = None) -> None:
        self._handle, self._failure, self._recovery = handle, failure, recovery
        self._work: queue.SimpleQueue[RawCapture | None] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._failed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def submit(self, capture: RawCapture) -> None:
        self._idle.clear()
        self._work.put(capture)

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        return self._idle.wait(timeout_s)

    def close(self) -> None:
        self._work.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while (capture := self._work.get()) is not None:
            try:
                self._handle(capture)
                if self._failed and self._recovery:
                    log.info(self._recovery)
                self._failed = False
            except Exception as exc:  # loop boundary: the next capture retries
                if not self._failed:
                    log.warning("%s: %s", self._failure, exc)
                self._failed = True
            finally:
                self._idle.set()


class ScreenshotTaker:
    """``after_frame`` on the main thread; ``request`` from any thread; uploads on its own thread."""

    def __init__(self, upload: Upload, interval: timedelta = SCREENSHOT_INTERVAL) -> None:
        self.upload = upload
        self.interval = interval
        self._lock = threading.Lock()
        self._requests: list[str] = []
        self._next_due: datetime | None = None
        self._worker = CaptureWorker(self._upload, "signage-screenshots", "screenshot not uploaded",
                                     "screenshots uploaded again")

    def request(self, request_id: str) -> None:
        with self._lock:
            self._requests.append(request_id)

    def after_frame(self, screen: pygame.Surface, now: datetime) -> bool:
        """Copy the screen if a capture is due and the worker is free; True when it did."""
        if self._next_due is None:
            self._next_due = now  # the first frame drawn is captured: the server sees the board at once
        with self._lock:
            requested = bool(self._requests)
        if (not requested and now < self._next_due) or self._worker.busy:
            return False
        with self._lock:
            request_ids, self._requests = tuple(self._requests), []
        self._worker.submit(grab(screen, now, request_ids))
        if not request_ids:
            self._next_due = now + self.interval
        return True

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        return self._worker.wait_idle(timeout_s)

    def close(self) -> None:
        self._worker.close()

    def _upload(self, capture: RawCapture) -> None:
        jpeg = encode_jpeg(capture)
        for request_id in capture.request_ids or (None,):
            self.upload(jpeg, request_id, capture.taken_at)
