"""The server's garbage-collector settings after start-up."""

from __future__ import annotations

import gc
import platform
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from signage_server.core.heap import YOUNG_THRESHOLD, release_free_memory, settle_heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_settle_heap_freezes_what_start_up_built_and_spaces_young_collections() -> None:
    alive = {"built": "at start-up"}
    settle_heap()
    assert gc.get_freeze_count() > 0
    assert not any(alive is found for found in gc.get_objects())  # frozen: no pass walks it again
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_memory_freed_after_a_burst_in_a_worker_thread_goes_back_to_the_system() -> None:
    """A burst (composing a province) builds and frees a hundred MiB in a worker thread; glibc keeps
    it in that thread's arena until it is trimmed. 1 block in 100 stays alive, as a cache entry
    would, so that the arena cannot shrink from its top alone."""
    kept: list[bytes] = []

    def burst() -> None:
        blocks = [bytes(2000) + bytes([i % 256]) for i in range(50_000)]  # ~100 MB, malloc'd
        kept.extend(blocks[::100])

    worker = threading.Thread(target=burst)
    worker.start()
    worker.join()
    before = _rss()
    assert release_free_memory() is True
    assert _rss() < before - 50_000_000
    assert len(kept) == 500


def _rss() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) * 1024
