"""A watch on the server's event loop: every request, push and heartbeat of every board goes through
it, so a second by which it falls behind (blocked, starved of the interpreter lock, or too busy) is a
second in which 10,000 boards wait (the soak's connection resets came with such stalls).

The loop stamps a clock every ``TICK_S``. A watcher thread looks at the stamp: when it is older than
``STALL_S`` it logs, once per stall, a warning with the stack the loop's thread is running at that
moment (what holds it, or where it waits for the interpreter lock) and the innermost calls of every
other thread (which of them hold the interpreter); when the loop runs again, it logs how long the
stall lasted. ``LoopWatch.worst_s`` keeps the longest lag seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
import traceback
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

TICK_S = 0.1  # how often the loop stamps its clock
STALL_S = 1.0  # a stamp older than this is a stall worth a warning


class LoopWatch:
    def __init__(self, stall_s: float = STALL_S, tick_s: float = TICK_S) -> None:
        self._stall_s = stall_s
        self._tick_s = tick_s
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
            self._stop.set()
            with contextlib.suppress(RuntimeError):
                await asyncio.to_thread(watcher.join, 5)

    def _watch(self) -> None:
        while not self._stop.wait(self._stall_s / 4):
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


def _innermost(frame: FrameType, depth: int = 4) -> str:
    """A thread's last ``depth`` calls on one line: which are busy, which wait, and where."""
    calls = traceback.extract_stack(frame)[-depth:]
    return " > ".join(f"{Path(call.filename).name}:{call.lineno} {call.name}" for call in calls)
