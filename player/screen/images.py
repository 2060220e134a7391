"""Image decoding off the frame path: Pillow decodes and scales in a worker thread; the frame loop
only turns finished pixels into a display-format surface, once per image and size.

A corrupt or unverifiable file is remembered as bad so the timeline skips it instead of showing a
hole.
"""

from __future__ import annotations

import io
import logging
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pygame
from PIL import Image, ImageEnhance, ImageFilter, ImageOps, UnidentifiedImageError

from signage_contract import Fit, Letterbox

from ..core.cache import MediaCache

log = logging.getLogger(__name__)
MAX_PENDING = 4  # decoded ahead but not yet shown
MAX_SURFACES = 4  # what is on screen and what comes next; 200 cached files must not become 200 frames
MAX_PIXELS = 64_000_000  # refuse decompression bombs (bigger than 8K x 8K), checked before decoding
# "cover" crops at most this share of the picture's width or height; a picture of another shape
# (a 16:9 poster on a portrait panel) is contained whole instead: a poster's words are at its edges.
MAX_COVER_CROP = 0.12
BLUR_SCALE = 16  # the blurred fill is computed this many times smaller: cheap, and as smooth
BLUR_RADIUS_PX = 2.0  # at that small scale
BLUR_BRIGHTNESS = 0.55  # dimmed, so the picture itself stands out


@dataclass(frozen=True)
class ImageKey:
    sha256: str
    width: int
    height: int
    fit: Fit
    background: tuple[int, int, int]
    letterbox: Letterbox = Letterbox.BLUR


@dataclass(frozen=True)
class Decoded:
    size: tuple[int, int]
    rgb: bytes


def scaled_size(source: tuple[int, int], box: tuple[int, int], fit: Fit) -> tuple[int, int]:
    """Size that keeps the aspect ratio and fits inside (contain) or fills (cover) the box."""
    scale_w, scale_h = box[0] / source[0], box[1] / source[1]
    scale = max(scale_w, scale_h) if fit == Fit.COVER else min(scale_w, scale_h)
    return max(1, round(source[0] * scale)), max(1, round(source[1] * scale))


def effective_fit(source: tuple[int, int], box: tuple[int, int], fit: Fit) -> Fit:
    """``fit``, except that cover becomes contain when it would crop more than ``MAX_COVER_CROP``
    of the picture: a poster on a board of another shape is shown whole, never cut."""
    if fit != Fit.COVER:
        return fit
    covered = scaled_size(source, box, Fit.COVER)
    crop = max(1 - box[0] / covered[0], 1 - box[1] / covered[1])
    return Fit.COVER if crop <= MAX_COVER_CROP else Fit.CONTAIN


def blurred_fill(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """The picture itself, covering the box, blurred and dimmed: the bands beside a contained
    picture take its colours instead of black."""
    small_box = (max(1, box[0] // BLUR_SCALE), max(1, box[1] // BLUR_SCALE))
    small = image.resize(scaled_size(image.size, small_box, Fit.COVER), Image.Resampling.BILINEAR)
    left, top = (small.width - small_box[0]) // 2, (small.height - small_box[1]) // 2
    small = small.crop((left, top, left + small_box[0], top + small_box[1]))
    small = small.filter(ImageFilter.GaussianBlur(BLUR_RADIUS_PX))
    small = ImageEnhance.Brightness(small).enhance(BLUR_BRIGHTNESS)
    return small.resize(box, Image.Resampling.BICUBIC)


def decode(data: bytes, key: ImageKey) -> Decoded:
    """Decode, orient, flatten transparency onto the background, scale and crop (a sliver at most)
    to the box; a contained picture comes over its letterbox fill, the size of the box."""
    with Image.open(io.BytesIO(data)) as opened:
        # Our own limit, read from the header: Pillow's global one belongs to the whole process.
        if opened.width * opened.height > MAX_PIXELS:
            raise Image.DecompressionBombError(f"{opened.width}x{opened.height} exceeds {MAX_PIXELS} pixels")
        opened.draft("RGB", (key.width, key.height))  # JPEG: decode at reduced scale when possible
        image = ImageOps.exif_transpose(opened)
        image.load()
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, key.background)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    image = image.convert("RGB")
    box = (key.width, key.height)
    fit = effective_fit(image.size, box, key.fit)
    target = scaled_size(image.size, box, fit)
    scaled = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if fit == Fit.COVER:
        left, top = (target[0] - key.width) // 2, (target[1] - key.height) // 2
        scaled = scaled.crop((left, top, left + key.width, top + key.height))
    elif target != box:
        if key.letterbox == Letterbox.BLUR:
            fill = blurred_fill(image, box)
        else:
            fill = Image.new("RGB", box, key.background)
        fill.paste(scaled, ((box[0] - target[0]) // 2, (box[1] - target[1]) // 2))
        scaled = fill
    return Decoded(scaled.size, scaled.tobytes())


class ImageStore:
    """Decoded images by key; ``get`` never waits unless the store is synchronous (``render`` command)."""

    def __init__(self, media: MediaCache, synchronous: bool = False) -> None:
        self.media = media
        self.synchronous = synchronous
        self._pool = None if synchronous else ThreadPoolExecutor(1, thread_name_prefix="signage-decode")
        self._pending: dict[ImageKey, Future[Decoded | None]] = {}
        self._surfaces: OrderedDict[ImageKey, pygame.Surface] = OrderedDict()
        self.bad: set[str] = set()
        self.failures = 0  # bumps when a file proves missing, damaged or undecodable: re-resolve

    def _load(self, key: ImageKey) -> Decoded | None:
        data = self.media.read_verified(key.sha256)
        if data is None:  # deleted as damaged: the timeline now skips it until it is fetched again
            self.failures += 1
            return None
        try:
            return decode(data, key)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
            log.warning("image %s cannot be decoded (%s); skipped", key.sha256[:12], exc)
            self.bad.add(key.sha256)
            self.failures += 1
            return None

    def request(self, key: ImageKey) -> None:
        """Start decoding ``key`` in the background unless it is ready or on its way."""
        if key in self._surfaces or key in self._pending or key.sha256 in self.bad:
            return
        self._drop_unclaimed()
        if self._pool is None:
            done: Future[Decoded | None] = Future()
            done.set_result(self._load(key))
            self._pending[key] = done
        else:
            self._pending[key] = self._pool.submit(self._load, key)

    def get(self, key: ImageKey) -> pygame.Surface | None:
        """The surface if decoded (converting it once, on this thread), else None."""
        if key in self._surfaces:
            self._surfaces.move_to_end(key)
            return self._surfaces[key]
        self.request(key)
        future = self._pending.get(key)
        if future is None or not future.done():
            return None
        del self._pending[key]
        decoded = future.result()
        if decoded is None:
            return None
        surface = pygame.image.frombytes(decoded.rgb, decoded.size, "RGB")
        if pygame.display.get_init() and pygame.display.get_surface() is not None:
            surface = surface.convert()  # once: blits in the display format cost nothing extra
        self._surfaces[key] = surface
        while len(self._surfaces) > MAX_SURFACES:
            self._surfaces.popitem(last=False)
        return surface

    def make_room(self, keep: int) -> None:
        """Keep only the ``keep`` most recently drawn pictures, and forget the finished decodes
        nobody has drawn yet (6 MB each at 1080p; one is decoded again when it comes next): a clip's
        decoded frames take their place (screen/kinds/video.py), one memory budget for both."""
        while len(self._surfaces) > max(0, keep):
            self._surfaces.popitem(last=False)
        for key in [k for k, future in self._pending.items() if future.done()]:
            del self._pending[key]

    def _drop_unclaimed(self) -> None:
        """Forget the oldest finished decodes nobody displayed (the schedule changed meanwhile), so
        prepared-ahead pictures cannot pile up over days of play."""
        for key in [k for k, f in self._pending.items() if f.done()][
            : max(0, len(self._pending) - MAX_PENDING)
        ]:
            del self._pending[key]

    def pending(self) -> bool:
        return bool(self._pending)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
