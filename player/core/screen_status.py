"""The screen's power state as the frame loop last applied it, read by the heartbeat thread."""

from __future__ import annotations

import threading

from signage_contract.power import FULL_BRIGHTNESS


class ScreenStatus:
    """(on, brightness) behind a lock; ``known`` stays False until the frame loop sets it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = (True, FULL_BRIGHTNESS)
        self.known = False

    def set(self, on: bool, brightness: int) -> None:
        with self._lock:
            self._state, self.known = (on, brightness), True

    def get(self) -> tuple[bool, int]:
        with self._lock:
            return self._state
