"""The server's garbage-collector settings after start-up."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from signage_server.core.heap import YOUNG_THRESHOLD, settle_heap


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
