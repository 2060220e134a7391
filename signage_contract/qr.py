"""A QR code item (``QrItem``) on a board: the code a URL makes, where it and its caption go in a
region, and how many pixels each module gets there.

Both sides apply these rules: the server refuses an address that is not http(s) or too long for
``MAX_VERSION``, and refuses to approve a schedule that would put the code in a region of a board
where a module gets fewer than ``MIN_MODULE_PX`` pixels (a phone camera cannot resolve it on an LED
board's pixel pitch); the player draws with the same layout, so what the server checked is what is
drawn. The code is made with ``segno`` (pure Python) from the URL the manifest carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import segno

ERROR_LEVEL = "m"  # 15 % of the code may be unreadable (a dead LED, glare) and it still scans
MAX_VERSION = 10  # 57 modules: at MIN_MODULE_PX with its quiet zone it fits 195 px of a small LED board
MIN_MODULE_PX = 3  # a phone resolves 3 LED pixels per module at reading distance; 1-2 px blur together
QUIET_ZONE_MODULES = 4  # the light border ISO/IEC 18004 requires around the code
MAX_CAPTION_CHARS = 80  # one or two lines under the code on a 300 px commune board
WIDE_RATIO = 1.4  # a region this much wider than tall puts the caption beside the code, else below it
CAPTION_SHARE = 0.22  # of the region's height, for a caption below the code
SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Box:
    """A rectangle inside a region, relative to the region's top-left corner (pixels)."""

    x: int
    y: int
    w: int
    h: int


def url_fault(url: str) -> str | None:
    """Why ``url`` cannot be a board's QR code ("not_http", "too_long"), or None when it can."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname or any(c.isspace() for c in url):
        return "not_http"
    if version_of(url) is None:
        return "too_long"
    return None


@lru_cache(maxsize=64)
def symbol(url: str) -> segno.QRCode:
    """The QR code of ``url`` (error level at least ``ERROR_LEVEL``); segno's DataOverflowError
    (a ValueError) for an address no QR version holds."""
    return segno.make_qr(url, error=ERROR_LEVEL)


def version_of(url: str) -> int | None:
    """The QR version ``url`` needs, or None above ``MAX_VERSION``."""
    try:
        version = symbol(url).version
    except ValueError:
        return None
    return version if isinstance(version, int) and version <= MAX_VERSION else None


@lru_cache(maxsize=1)
def max_url_chars() -> int:
    """The longest plain-ASCII address ``MAX_VERSION`` holds (fewer with accented letters)."""
    low, high = 1, 2953  # version 40's byte capacity
    while low < high:
        mid = (low + high + 1) // 2
        if version_of("https://" + "a" * (mid - 8)) is not None:
            low = mid
        else:
            high = mid - 1
    return low


def side_modules(url: str) -> int:
    """Modules across the code with its quiet zone on both sides."""
    width, _ = symbol(url).symbol_size(scale=1, border=QUIET_ZONE_MODULES)
    return int(width)


def layout(width: int, height: int, captioned: bool) -> tuple[Box, Box | None]:
    """The code's box and the caption's (None without a caption) in a ``width`` x ``height`` region:
    the caption beside the code in a wide region, below it otherwise."""
    if not captioned:
        return Box(0, 0, width, height), None
    if width >= height * WIDE_RATIO:
        return Box(0, 0, height, height), Box(height, 0, width - height, height)
    band = max(1, round(height * CAPTION_SHARE))
    return Box(0, 0, width, height - band), Box(0, height - band, width, band)


def module_px(url: str, width: int, height: int, captioned: bool) -> int:
    """Whole pixels per module of ``url``'s code drawn in a ``width`` x ``height`` region."""
    box, _ = layout(width, height, captioned)
    return max(0, min(box.w, box.h) // side_modules(url))


def needed_px(url: str) -> int:
    """The shorter side of the code's box that gives every module ``MIN_MODULE_PX``."""
    return side_modules(url) * MIN_MODULE_PX
