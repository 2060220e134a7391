"""A frozen frame loop must not leave a board frozen: the loop beats, someone watches.

- Under systemd (``Type=notify``, ``WatchdogSec=``; see ``player/service.py``) the beats are
  forwarded as ``WATCHDOG=1`` datagrams on ``$NOTIFY_SOCKET`` (``READY=1`` after the first frame), so
  systemd restarts a player that stops beating. The protocol is one datagram per message on a Unix
  socket (sd_notify(3)); it is written here rather than pulled in as a dependency because it is those
  few lines and must work without libsystemd (Windows, containers).
- Everywhere, a thread checks the beats too: after ``limit_s`` without one it logs and ends the
  process with ``EXIT_FROZEN`` so the service manager (systemd ``Restart=always``, the Windows task's
  restart-on-failure) starts a fresh one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

FROZEN_AFTER_S = 30.0
EXIT_FROZEN = 70  # EX_SOFTWARE: the service manager restarts the player


class SdNotify:
    """sd_notify(3) without libsystemd; does nothing when the process was not started by systemd."""

    def __init__(self, address: str | None) -> None:
        self._address: str | None = None
        self._socket: socket.socket | None = None
        if address and (address.startswith("/") or address.startswith("@")):
            self._address = "\0" + address[1:] if address.startswith("@") else address
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    @classmethod
    def from_env(cls) -> SdNotify:
        return cls(os.environ.get("NOTIFY_SOCKET"))

    @property
    def active(self) -> bool:
        return self._socket is not None

    def send(self, message: str) -> None:
        if self._socket is None or self._address is None:
            return
        try:
            self._socket.sendto(message.encode(), self._address)
        except OSError as exc:  # systemd gone or restarting: the local watchdog still guards the loop
            log.debug("sd_notify %s failed: %s", message, exc)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


class FrameWatchdog:
    """``beat()`` from the frame loop (cheap: a clock read; a datagram at most every ``limit_s`` / 4)."""

    def __init__(
        self,
        notify: SdNotify,
        limit_s: float = FROZEN_AFTER_S,
        on_frozen: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.notify = notify
        self.limit_s = limit_s
        self.clock = clock
        self.on_frozen = on_frozen or _exit_frozen
        self._last = clock()
        self._sent = float("-inf")
        self._ready = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        now = self.clock()
        self._last = now
        if not self._ready:
            self._ready = True
            self.notify.send("READY=1\nSTATUS=showing the programme")
        if now - self._sent >= self.limit_s / 4:
            self._sent = now
            self.notify.send("WATCHDOG=1")

    def start(self) -> None:
        self._last = self.clock()
        self._thread = threading.Thread(target=self._watch, name="signage-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.notify.send("STOPPING=1")
        self.notify.close()

    def _watch(self) -> None:
        while not self._stop.wait(min(1.0, self.limit_s / 4)):
            silent = self.clock() - self._last
            if silent >= self.limit_s:
                self.on_frozen(silent)
                return


def _exit_frozen(silent_s: float) -> None:
    log.critical("no frame for %.0f s: the frame loop is frozen; exiting so the service restarts the player",
                 silent_s)
    logging.shutdown()
    os._exit(EXIT_FROZEN)
