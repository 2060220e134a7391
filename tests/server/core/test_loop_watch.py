"""The loop watch: a stalled event loop is reported with what its thread was running."""

import asyncio
import gc
import logging
import time

from signage_server.core.loop_watch import LoopWatch


def _hold_the_loop(seconds: float) -> None:
    time.sleep(seconds)  # the stall under test: a blocking call on the loop's thread


async def _stall_once(watch: LoopWatch, seconds: float) -> None:
    watching = asyncio.create_task(watch.run())
    await asyncio.sleep(0)  # the watch starts: its thread runs and it stamps the clock
    _hold_the_loop(seconds)
    for _ in range(3):  # three ticks after the stall: it has measured it
        ticked = watch.ticks
        while watch.ticks == ticked:
            await asyncio.sleep(0.01)
    watching.cancel()
    await asyncio.gather(watching, return_exceptions=True)


def test_a_stall_is_logged_once_with_the_stack_that_held_the_loop_and_then_its_length(caplog) -> None:
    watch = LoopWatch(stall_s=0.2, tick_s=0.02)
    with caplog.at_level(logging.WARNING, logger="signage_server.core.loop_watch"):
        asyncio.run(_stall_once(watch, 0.6))
    messages = [r.getMessage() for r in caplog.records]
    during = [m for m in messages if "has been behind" in m]
    after = [m for m in messages if "fell" in m]
    assert len(during) == 1 and "_hold_the_loop" in during[0]
    assert "the other threads" in during[0] and "MainThread" not in during[0].split("other threads")[1]
    assert len(after) == 1
    assert watch.stalls == 1 and 0.5 <= watch.worst_s < 2.0


def test_a_loop_that_keeps_running_is_not_reported(caplog) -> None:
    watch = LoopWatch(stall_s=1.0, tick_s=0.02)
    with caplog.at_level(logging.WARNING, logger="signage_server.core.loop_watch"):
        asyncio.run(_stall_once(watch, 0.0))
    assert not caplog.records and watch.stalls == 0 and watch.worst_s < 1.0


async def _collect_while_watched(watch: LoopWatch, generation: int) -> None:
    watching = asyncio.create_task(watch.run())
    await asyncio.sleep(0)
    gc.collect(generation)
    await asyncio.to_thread(time.sleep, 0.1)  # the watcher thread looks every quarter of stall_s
    watching.cancel()
    await asyncio.gather(watching, return_exceptions=True)


def test_a_slow_garbage_collection_is_logged_with_its_generation_and_length(caplog) -> None:
    watch = LoopWatch(stall_s=0.2, tick_s=0.02, slow_gc_s=0.0)  # every collection counts as slow
    with caplog.at_level(logging.WARNING, logger="signage_server.core.loop_watch"):
        asyncio.run(_collect_while_watched(watch, 2))
    logged = [r.getMessage() for r in caplog.records if "garbage collection" in r.getMessage()]
    assert any(m.startswith("a garbage collection of generation 2 took ") for m in logged)
    assert watch.slow_collections == len(logged) and watch.worst_collection is not None
    assert _on_collection_removed(watch)


def test_a_quick_garbage_collection_is_not_logged(caplog) -> None:
    watch = LoopWatch(stall_s=0.2, tick_s=0.02, slow_gc_s=30.0)
    with caplog.at_level(logging.WARNING, logger="signage_server.core.loop_watch"):
        asyncio.run(_collect_while_watched(watch, 0))
    assert not caplog.records and watch.slow_collections == 0


def _on_collection_removed(watch: LoopWatch) -> bool:
    """The watch leaves the collector's callbacks as it found them once it stops."""
    return all(getattr(callback, "__self__", None) is not watch for callback in gc.callbacks)
