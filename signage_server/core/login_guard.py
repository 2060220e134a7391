"""Login rate limiting: after ``max_failures`` failed logins within ``window_s`` for one user name,
or ``ADDRESS_FACTOR`` times as many from one address, further attempts answer 429 with
``Retry-After`` until the oldest failure leaves the window.

An address gets more tries than a name because a commune office's staff share one address (its
NAT, or the province's proxy): one clerk's typos must not lock every colleague out, while a
password sprayer from one address is still held to a handful of tries a minute.

Without Redis the counts live in this process: several server instances behind a load balancer
each keep their own, so an attacker gets ``max_failures`` tries per instance. With
``SIGNAGE_REDIS_URL`` set, ``RedisLoginGuard`` keeps them in Redis (a sorted set of failure times
per key), shared by every instance.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

MAX_FAILURES = 5
ADDRESS_FACTOR = 4  # the login guard lets an address fail 4 x max_failures times (see above)
WINDOW_S = 300.0
NOTED_PRUNE_AT = 10_000  # noted refusals kept before the lapsed ones are dropped
KEYS_PRUNE_AT = 10_000  # keys counted before those with no recent failure are dropped


class Guard(Protocol):
    def retry_after(self, *keys: str) -> int | None: ...
    def failed(self, *keys: str) -> None: ...
    def succeeded(self, username_key: str) -> None: ...
    def first_refusal(self, *keys: str) -> bool: ...


class LoginGuard:
    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic, address_factor: int = 1) -> None:
        self.max_failures = max_failures
        self.address_factor = address_factor
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._noted: dict[str, float] = {}  # blocked key -> when the refusal noted for it lapses
        self._lock = threading.Lock()  # sync routes run in a thread pool

    def _limit(self, key: str) -> int:
        """Failures that block ``key`` (``keys_for`` names addresses ``ip:...``)."""
        return self.max_failures * self.address_factor if key.startswith("ip:") else self.max_failures

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
                for key, times in ((k, self._recent(k, now)) for k in keys)
                if len(times) >= self._limit(key)
            ]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > KEYS_PRUNE_AT:  # addresses that never come back
                self._failures = {k: t for k, t in self._failures.items() if t[-1] > now - self.window_s}
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username_key: str) -> None:
        """A correct password clears its user name's count (not the address's)."""
        with self._lock:
            self._failures.pop(username_key, None)

    def first_refusal(self, *keys: str) -> bool:
        """True for the first refused attempt of a block (per blocked key), False for the rest: the
        audit trail records one refusal per block, so a flood of attempts writes no flood of rows."""
        now = self._clock()
        first = False
        with self._lock:
            if len(self._noted) > NOTED_PRUNE_AT:
                self._noted = {k: until for k, until in self._noted.items() if until > now}
            for key in keys:
                times = self._recent(key, now)
                if len(times) < self._limit(key) or self._noted.get(key, now) > now:
                    continue
                self._noted[key] = times[0] + self.window_s
                first = True
        return first


class RedisLoginGuard:
    """The same rule with the failure times in Redis (wall-clock seconds, shared by instances)."""

    def __init__(self, url: str, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 prefix: str = "signage:login:", address_factor: int = 1) -> None:
        from redis import Redis  # only when configured

        self._redis = Redis.from_url(url)
        self.max_failures = max_failures
        self.address_factor = address_factor
        self.window_s = window_s
        self._prefix = prefix

    def _limit(self, key: str) -> int:
        """Failures that block ``key`` (``keys_for`` names addresses ``ip:...``)."""
        return self.max_failures * self.address_factor if key.startswith("ip:") else self.max_failures

    def retry_after(self, *keys: str) -> int | None:
        now = time.time()
        waits = []
        for key in keys:
            name = self._prefix + key
            self._redis.zremrangebyscore(name, "-inf", now - self.window_s)
            times = self._redis.zrange(name, 0, -1, withscores=True)
            if len(times) >= self._limit(key):
                waits.append(float(times[0][1]) + self.window_s - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, *keys: str) -> None:
        now = time.time()
        pipe = self._redis.pipeline()
        for key in keys:
            name = self._prefix + key
            pipe.zadd(name, {f"{now}:{secrets.token_hex(4)}": now})
            pipe.expire(name, math.ceil(self.window_s))
        pipe.execute()

    def succeeded(self, username_key: str) -> None:
        self._redis.delete(self._prefix + username_key)

    def first_refusal(self, *keys: str) -> bool:
        """As ``LoginGuard.first_refusal``; the mark is a key set only if absent, expiring with the block."""
        now = time.time()
        first = False
        for key in keys:
            name = self._prefix + key
            times = self._redis.zrange(name, 0, -1, withscores=True)
            if len(times) < self._limit(key):
                continue
            lapses_in = max(1, math.ceil(float(times[0][1]) + self.window_s - now))
            if self._redis.set(f"{self._prefix}noted:{key}", 1, nx=True, ex=lapses_in):
                first = True
        return first


def make_login_guard(redis_url: str | None) -> Guard:
    if redis_url is None:
        return LoginGuard(address_factor=ADDRESS_FACTOR)
    return RedisLoginGuard(redis_url, address_factor=ADDRESS_FACTOR)


def make_rate_limit(redis_url: str | None, *, max_events: int, window_s: float, prefix: str) -> Guard:
    """The same counting for any other unauthenticated request: ``failed`` counts one, and
    ``retry_after`` answers once ``max_events`` were counted in ``window_s`` (pairing uses it)."""
    if redis_url is None:
        return LoginGuard(max_events, window_s)
    return RedisLoginGuard(redis_url, max_events, window_s, prefix=prefix)


def keys_for(username: str, ip: str) -> tuple[str, str]:
    return f"user:{username}", f"ip:{ip}"
