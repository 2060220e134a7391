"""A watch on the server's event loop: every request, push and heartbeat of every board goes through
it, so a second by which it falls behind (blocked, starved of the interpreter lock, or too busy) is a
second in which 10,000 boards wait (the soak's connection resets came with such stalls).

The loop stamps a clock every ``TICK_S``. A watcher thread looks at the stamp: when it is older than
``STALL_S`` it logs, once per stall, a warning with the stack the loop's thread is running at that
moment (what holds it, or where it waits for the interpreter lock) and the innermost calls of every
other thread (which of them hold the interpreter); when the loop runs again, it logs how long the
stall lasted. ``LoopWatch.worst_s`` keeps the longest lag seen.

The interpreter's cyclic garbage collector is one known cause: a full pass walks every tracked
object while holding the interpreter lock, and 10,000 board connections are a lot of objects. The
watch times every collection (``gc.callbacks``); one that takes ``SLOW_GC_S`` or more is logged by
the watcher thread (not from inside the collector) with its generation, its length and what it
freed, so a stall's log says whether the collector caused it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import logging
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

TICK_S = 0.1  # how often the loop stamps its clock
STALL_S = 1.0  # a stamp older than this is a stall worth a warning
SLOW_GC_S = 0.2  # a garbage collection this long is logged


@dataclass(frozen=True)
class Collection:
    generation: int
    seconds: float
    collected: int


class LoopWatch:
    def __init__(self, stall_s: float = STALL_S, tick_s: float = TICK_S,
                 slow_gc_s: float = SLOW_GC_S) -> None:
        self._stall_s = stall_s
        self._tick_s = tick_s
        self._slow_gc_s = slow_gc_s
        self._gc_started = 0.0
        self._slow: collections.deque[Collection] = collections.deque(maxlen=100)  # not yet logged
        self.slow_collections = 0  # logged since start
        self.worst_collection: Collection | None = None
        self._stamp = time.monotonic()
        self._loop_thread = 0
        self._stop = threading.Event()
        self._reported = False  # this stall's stack was logged
        self._stalls = 0
        self.ticks = 0
        self.worst_s = 0.0  # the longest lag seen

    @property
    def stalls(self) -> int:
        """Stalls longer than ``stall_s`` since start."""
        return self._stalls

    async def run(self) -> None:
        """Stamp the clock until cancelled; start the watcher thread for as long as this runs."""
        self._loop_thread = threading.get_ident()
        self._stamp = time.monotonic()
        watcher = threading.Thread(target=self._watch, name="loop-watch", daemon=True)
        watcher.start()
        gc.callbacks.append(self._on_collection)
        try:
            while True:
                await asyncio.sleep(self._tick_s)
                now = time.monotonic()
                lag = now - self._stamp - self._tick_s
                self._stamp = now
                self.ticks += 1
                self.worst_s = max(self.worst_s, lag)
                if lag >= self._stall_s:
                    self._stalls += 1
                    self._reported = False
                    log.warning("the event loop fell %.1f s behind", lag)
        finally:
            with contextlib.suppress(ValueError):
                gc.callbacks.remove(self._on_collection)
            self._stop.set()
            with contextlib.suppress(RuntimeError):
                await asyncio.to_thread(watcher.join, 5)

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        """Inside the collector, in whichever thread it runs: only time it and note a slow one."""
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        seconds = time.perf_counter() - self._gc_started
        if seconds >= self._slow_gc_s:
            self._slow.append(Collection(info["generation"], seconds, info["collected"]))

    def _log_collections(self) -> None:
        while self._slow:
            slow = self._slow.popleft()
            self.slow_collections += 1
            if self.worst_collection is None or slow.seconds > self.worst_collection.seconds:
                self.worst_collection = slow
            log.warning("a garbage collection of generation %d took %.2f s (it freed %d objects)",
                        slow.generation, slow.seconds, slow.collected)

    def _watch(self) -> None:
        while not self._stop.wait(self._stall_s / 4):
            self._log_collections()
            held = time.monotonic() - self._stamp
            if held < self._stall_s or self._reported:
                continue
            self._reported = True
            frames = sys._current_frames()
            loop_frame = frames.pop(self._loop_thread, None)
            calls = traceback.format_stack(loop_frame)[-12:] if loop_frame is not None else ["(none)\n"]
            stack = "".join(calls)
            frames.pop(threading.get_ident(), None)
            names = {thread.ident: thread.name for thread in threading.enumerate()}
            others = "".join(f"  {names.get(ident, ident)}: {_innermost(frame)}\n"
                             for ident, frame in frames.items())
            log.warning("the event loop has been behind for %.1f s; its thread is at:\n%s"
                        "and the other threads (innermost call last) at:\n%s", held, stack, others)
        self._log_collections()


def _innermost(frame: FrameType, depth: int = 4) -> str:
    """A thread's last ``depth`` calls on one line: which are busy, which wait, and where."""
    calls = traceback.extract_stack(frame)[-depth:]
    return " > ".join(f"{Path(call.filename).name}:{call.lineno} {call.name}" for call in calls)
