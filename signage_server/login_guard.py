"""Login rate limiting: after ``max_failures`` failed logins within ``window_s`` for one user name
or from one address, further attempts answer 429 with ``Retry-After`` until the oldest failure
leaves the window.

The counts live in this process. Several server instances behind a load balancer each keep their
own, so an attacker gets ``max_failures`` tries per instance; put one instance in front of logins
(or a shared limiter at the proxy) where that matters.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_S = 300.0


class LoginGuard:
    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()  # sync routes run in a thread pool

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, *keys: str) -> int | None:
        """Seconds to wait if any key is blocked; None when the attempt may proceed."""
        now = self._clock()
        with self._lock:
            waits = [
                times[0] + self.window_s - now
                for times in (self._recent(k, now) for k in keys)
                if len(times) >= self.max_failures
            ]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username_key: str) -> None:
        """A correct password clears its user name's count (not the address's)."""
        with self._lock:
            self._failures.pop(username_key, None)


def keys_for(username: str, ip: str) -> tuple[str, str]:
    return f"user:{username}", f"ip:{ip}"
