"""The garbage collector's settings for a server process, applied once start-up is done.

CPython's cyclic collector runs a full (generation 2) pass whenever the objects promoted since the
last one reach a quarter of the long-lived heap, and a full pass walks every tracked object: the
modules, pydantic and SQLAlchemy schemas, the unit tree, the composition caches. Composing one board
under 200 schedules allocates some 13,000 container objects that are alive across many young
collections (the manifest being built), so they are promoted, and every few compositions one of
them paid for a full pass: measured in ``bench compose``, 16 full passes in 300 compositions took
1 s, and the p99 of a composition was 58 ms against a p50 of 6 ms; no cycle was ever collected.

Two settings, applied after start-up (``settle_heap``):

- ``gc.freeze()`` moves everything alive after start-up into the permanent generation, which no
  pass walks again: those objects live as long as the process anyway. Objects made later (caches,
  connections) are still collected as usual.
- A young-generation threshold of ``YOUNG_THRESHOLD`` allocations instead of 700: a composition
  then triggers at most one or two young passes, so far fewer of its short-lived objects survive
  into the older generations and the full passes they trigger become rare. The cost is at most
  that many young objects waiting for a pass (a few MiB).

And one call for after a burst: ``release_free_memory``. Composing every board of a province (an
emergency's confirmation, then its end) builds and frees some hundred MiB in a worker thread;
glibc keeps what was freed in that thread's arena, and the process's resident size grew by it
with each emergency (the soak, 10,000 boards: 666 -> 837 MiB in ten minutes, 68 MiB of it handed
back by one ``malloc_trim``). The composer calls it after a large batch.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable

YOUNG_THRESHOLD = 50_000  # allocations between young collections (CPython's default is 700)


def settle_heap() -> None:
    """Collect once, freeze what start-up built, and space out the young collections."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hand back this way
        return None
    return trim


def release_free_memory() -> bool:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``); False where the C
    library has no such call. Takes milliseconds; call it from a worker thread after a burst."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
