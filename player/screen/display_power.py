"""Display power and the LED sending card's brightness: the operating system's side of the power
schedule, on a worker thread of its own so the frame loop never waits for a command.

The compositor decides (black screen while the schedule says off, a software dim below 100 %);
``PowerFollower`` (the frame loop's hook) hands each change to ``DisplayPower``, whose thread runs
the backends that exist on this PC, each with a timeout:

* ``xset``: DPMS ``xset dpms force off|on`` on an X11 desktop (``DISPLAY`` set);
* ``wlr-randr``: ``wlr-randr --output NAME --off|--on`` on a wlroots Wayland desktop
  (``WAYLAND_DISPLAY`` set; the first output unless the config names one);
* ``windows``: the monitor power message (``SC_MONITORPOWER``) through ``user32`` with ctypes;
* ``cec``: ``cec-client -s -d 1`` fed ``standby 0`` / ``on 0`` (HDMI-CEC TVs and panels).

A backend whose program or desktop is missing is skipped (said once in the log); one that fails is
logged once per state, never retried in a loop. The brightness hook is a command template from the
player's own config file (``core/config.py``), never from the manifest: a server cannot make a
board run a command.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..core.config import DisplayConfig
from ..core.screen_status import ScreenStatus

log = logging.getLogger(__name__)
COMMAND_TIMEOUT_S = 10.0

# argv, bytes for stdin (or None), timeout -> (exit status 0, stdout)
Runner = Callable[[Sequence[str], bytes | None, float], tuple[bool, str]]
Which = Callable[[str], str | None]


def run_command(argv: Sequence[str], stdin: bytes | None, timeout_s: float) -> tuple[bool, str]:
    """Run ``argv`` (no shell) with a timeout; (succeeded, stdout). Never raises."""
    try:
        done = subprocess.run(  # argv from the player's own config or fixed here; no shell
            list(argv), input=stdin, capture_output=True, timeout=timeout_s, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("%s failed: %s", argv[0], exc)
        return False, ""
    return done.returncode == 0, done.stdout.decode("utf-8", "replace")


class Backend(Protocol):
    """One way of powering the display down and up."""

    @property
    def name(self) -> str: ...

    def available(self) -> bool: ...

    def set_power(self, on: bool) -> bool: ...


@dataclass
class CommandBackend:
    """A program that turns the display off and on, if it is installed and its desktop is there."""

    name: str
    program: str
    off: Sequence[str]
    on: Sequence[str]
    env_var: str | None = None  # the desktop it needs (DISPLAY, WAYLAND_DISPLAY)
    stdin_off: bytes | None = None
    stdin_on: bytes | None = None
    runner: Runner = run_command
    which: Which = shutil.which
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    timeout_s: float = COMMAND_TIMEOUT_S

    def available(self) -> bool:
        desktop = self.env_var is None or bool(self.env.get(self.env_var))
        return desktop and self.which(self.program) is not None

    def set_power(self, on: bool) -> bool:
        argv = [self.program, *(self.on if on else self.off)]
        return self.runner(argv, self.stdin_on if on else self.stdin_off, self.timeout_s)[0]


@dataclass
class WlrRandrBackend(CommandBackend):
    """``wlr-randr``: needs an output name; the first one it lists unless the config names one."""

    output: str | None = None

    def set_power(self, on: bool) -> bool:
        if self.output is None:
            ok, listing = self.runner([self.program], None, self.timeout_s)
            names = [line.split()[0] for line in listing.splitlines() if line and not line[0].isspace()]
            if not ok or not names:
                return False
            self.output = names[0]
        return self.runner([self.program, "--output", self.output, "--on" if on else "--off"], None,
                           self.timeout_s)[0]


class WindowsBackend:
    """The monitor power message broadcast through user32 (ctypes), on Windows only."""

    name = "windows"
    HWND_BROADCAST, WM_SYSCOMMAND, SC_MONITORPOWER, SMTO_ABORTIFHUNG = 0xFFFF, 0x0112, 0xF170, 0x0002

    def available(self) -> bool:
        return sys.platform == "win32"

    def set_power(self, on: bool) -> bool:  # pragma: no cover - Windows only
        import ctypes

        user32 = ctypes.windll.user32  # type: ignore[attr-defined,unused-ignore]
        result = ctypes.c_size_t()
        sent = user32.SendMessageTimeoutW(self.HWND_BROADCAST, self.WM_SYSCOMMAND, self.SC_MONITORPOWER,
                                          -1 if on else 2, self.SMTO_ABORTIFHUNG, 2000, ctypes.byref(result))
        if on:  # recent Windows wakes the monitor on input rather than on the message
            user32.mouse_event(0x0001, 0, 0, 0, 0)
        return bool(sent)


def backends_for(config: DisplayConfig, runner: Runner = run_command, which: Which = shutil.which,
                 env: Mapping[str, str] | None = None) -> list[Backend]:
    """The backends the config names ("auto": every kind; the missing ones are skipped later)."""
    environ = os.environ if env is None else env
    common = {"runner": runner, "which": which, "env": environ}
    known: dict[str, Backend] = {
        "xset": CommandBackend("xset", "xset", ["dpms", "force", "off"], ["dpms", "force", "on"],
                               env_var="DISPLAY", **common),  # type: ignore[arg-type]
        "wlr-randr": WlrRandrBackend("wlr-randr", "wlr-randr", [], [], env_var="WAYLAND_DISPLAY",
                                     output=config.wayland_output, **common),  # type: ignore[arg-type]
        "windows": WindowsBackend(),
        "cec": CommandBackend("cec", "cec-client", ["-s", "-d", "1"], ["-s", "-d", "1"],
                              stdin_off=b"standby 0\n", stdin_on=b"on 0\n", **common),  # type: ignore[arg-type]
    }
    names = list(known) if "auto" in config.power else config.power
    return [known[n] for n in names if n in known]


def brightness_argv(template: Sequence[str], percent: int) -> list[str]:
    """The config's command with ``{percent}`` (0..100) and ``{level}`` (0..255) filled in."""
    level = str(round(percent * 255 / 100))
    return [part.replace("{percent}", str(percent)).replace("{level}", level) for part in template]


class DisplayPower:
    """Applies the latest wanted (on, brightness) on its own thread; ``want`` returns at once."""

    def __init__(self, backends: Sequence[Backend], brightness_command: Sequence[str] = (),
                 runner: Runner = run_command, timeout_s: float = COMMAND_TIMEOUT_S) -> None:
        self.backends = list(backends)
        self.brightness_command = list(brightness_command)
        self.runner, self.timeout_s = runner, timeout_s
        self._usable: list[Backend] | None = None
        self._wanted: tuple[bool, int] | None = None
        self._applied: tuple[bool, int] | None = None
        self._applied_power: bool | None = None
        self._applied_brightness: int | None = None
        self._failed: set[tuple[str, object]] = set()
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="signage-display-power", daemon=True)
        self._thread.start()

    def want(self, on: bool, brightness: int) -> None:
        with self._cond:
            self._wanted = (on, brightness)
            self._cond.notify()

    def close(self, timeout_s: float = 2.0) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and self._wanted in (None, self._applied):
                    self._cond.wait()
                if self._wanted in (None, self._applied):
                    return  # closed, nothing left to apply (the last wish is applied before closing)
                wanted = self._wanted
            assert wanted is not None
            try:
                self.apply(*wanted)
            except Exception:  # thread boundary: display power must never end the player
                log.exception("display power failed")
            self._applied = wanted

    def usable(self) -> list[Backend]:
        if self._usable is None:
            self._usable = [b for b in self.backends if b.available()]
            skipped = [b.name for b in self.backends if b not in self._usable]
            if skipped:
                log.info("display power: not on this PC: %s", ", ".join(skipped))
            if not self._usable and self.backends:
                log.info("display power: no way to power the display down here; off is a black screen")
        return self._usable

    def apply(self, on: bool, brightness: int) -> None:
        """Bring the display to (on, brightness) now, on the calling thread (the worker's)."""
        if on != self._applied_power:
            for backend in self.usable():
                if backend.set_power(on):
                    self._failed.discard((backend.name, not on))
                elif (backend.name, on) not in self._failed:
                    self._failed.add((backend.name, on))
                    log.warning("display power: %s could not turn the display %s", backend.name,
                                "on" if on else "off")
            self._applied_power = on
        if on and self.brightness_command and brightness != self._applied_brightness:
            ok, _ = self.runner(brightness_argv(self.brightness_command, brightness), None, self.timeout_s)
            if not ok and ("brightness", brightness) not in self._failed:
                self._failed.add(("brightness", brightness))
                log.warning("brightness command failed (%s %%): %s", brightness, self.brightness_command[0])
            self._applied_brightness = brightness


class PowerFollower:
    """The frame loop's hook: the compositor's screen state to the heartbeat and, on a change, to
    ``DisplayPower`` (which returns at once)."""

    def __init__(self, power: DisplayPower | None, status: ScreenStatus) -> None:
        self.power, self.status = power, status
        self._last: tuple[bool, int] | None = None

    def __call__(self, screen_on: bool, brightness: int) -> None:
        state = (screen_on, brightness)
        if state == self._last:
            return
        self._last = state
        self.status.set(screen_on, brightness)
        if self.power is not None:
            self.power.want(screen_on, brightness)
