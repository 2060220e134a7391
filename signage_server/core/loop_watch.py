"""A watch on the server's event loop: every request, push and heartbeat of every board goes through
it, so a second in which it runs nothing is a second in which 10,000 boards get no answer (the
soak's connection resets came with such stalls).

The loop stamps a clock every ``TICK_S``. A watcher thread looks at the stamp: when it is older than
``STALL_S`` it logs, once per stall, a warning with the stack the loop's thread is running at that
moment (what holds it, or where it waits for the interpreter lock); when the loop runs again, it logs
how long the stall lasted. ``LoopWatch.worst_s`` keeps the longest lag seen, for the operator's
status page and the soak.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
import traceback

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
                    log.warning("the event loop ran nothing for %.1f s", lag)
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
            frame = sys._current_frames().get(self._loop_thread)
            stack = "".join(traceback.format_stack(frame)[-12:]) if frame is not None else "(no frame)\n"
            log.warning("the event loop has run nothing for %.1f s; its thread is at:\n%s", held, stack)
