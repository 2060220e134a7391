"""How the C heap hands memory back: large blocks go straight back to the system when freed.

glibc serves a request of at least its mmap threshold (128 KiB at start) with a mapping of its own,
unmapped on free. But the threshold is dynamic: each time such a block is freed, glibc raises the
threshold to its size (up to 32 MiB), so the next ones of that size come from the heap instead, and
what the heap frees it keeps. A board decodes pictures of several MB (a 1080p picture is 6 MB as
Pillow's RGB, 8 MB as a surface) in worker threads, one per image shown: after the first few, each
was carved from a thread's heap, and the freed pages stayed resident. Measured with
``bench_player``'s 200 cached 1080p images shown once each: RSS 153 MB, of which 51 MB were free
pages one ``malloc_trim`` handed back.

Setting the threshold once (``MMAP_THRESHOLD``) turns the adjustment off: every block of a MiB or
more is its own mapping and leaves the process when freed. The same 200 images: 103 MB. A block that
large is a picture or a frame buffer, allocated a few times per item shown, so the page faults of a
fresh mapping cost nothing measurable (``bench_player``'s frame and CPU figures). FFmpeg's decoders
keep their frame buffers in pools, so a playing clip does not map and unmap per frame.

Where the C library is not glibc (musl, macOS) there is no ``mallopt`` and nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
MMAP_THRESHOLD = 1024 * 1024  # blocks of this size or more are mapped on their own


def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold at ``MMAP_THRESHOLD`` (call once, early); False where the C library
    has no ``mallopt`` or refused the value."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    if mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) != 1:
        log.info("the C library refused an mmap threshold of %d bytes", MMAP_THRESHOLD)
        return False
    return True
