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

Fixing the threshold also stops glibc from raising its trim threshold with it (to twice the mmap
threshold), which would leave it at 128 KiB: every few hundred KiB freed at the top of a heap
would be handed back and faulted in again at the next allocation. Rendering 12 lines of text took
2.1 ms instead of 0.8 (``bench_player``'s pygame figures). So the trim threshold is set to twice
the mmap threshold, as glibc would.

Where the C library is not glibc (musl, macOS) there is no ``mallopt`` and nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)
M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1024 * 1024  # blocks of this size or more are mapped on their own
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # free space kept at the top of a heap before it is handed back


def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold at ``MMAP_THRESHOLD`` and its trim threshold at
    ``TRIM_THRESHOLD`` (call once, early); False where the C library has no ``mallopt`` or refused
    a value."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    for parameter, value in ((M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD)):
        if mallopt(parameter, value) != 1:
            log.info("the C library refused mallopt(%d, %d)", parameter, value)
            return False
    return True
