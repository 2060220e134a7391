"""The display-power module with fake commands: each backend found or skipped, commands run with a
timeout on the worker thread, the brightness hook from the player's own config."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Sequence

import pytest

from player.core.config import ConfigError, DisplayConfig, load_config
from player.screen.display_power import DisplayPower, backends_for, brightness_argv, run_command


class FakeCommands:
    """Records each command; ``fail`` names programs that exit non-zero."""

    def __init__(self, fail: Sequence[str] = (), listing: str = "") -> None:
        self.calls: list[tuple[list[str], bytes | None]] = []
        self.fail, self.listing = set(fail), listing
        self.gate: threading.Event | None = None

    def __call__(self, argv: Sequence[str], stdin: bytes | None, timeout_s: float) -> tuple[bool, str]:
        assert timeout_s > 0
        if self.gate is not None:
            self.gate.wait(5)
        self.calls.append((list(argv), stdin))
        return argv[0] not in self.fail, self.listing


X11 = {"DISPLAY": ":0"}


def _xset(commands: FakeCommands) -> DisplayPower:
    backends = backends_for(DisplayConfig(power=["xset"]), commands, _which("xset"), X11)
    return DisplayPower(backends, runner=commands)


def _which(*installed: str):
    return lambda program: f"/usr/bin/{program}" if program in installed else None


def test_xset_and_cec_where_installed_and_the_desktop_is_there() -> None:
    commands = FakeCommands()
    backends = backends_for(DisplayConfig(), commands, _which("xset", "cec-client", "wlr-randr"), X11)
    power = DisplayPower(backends, runner=commands)
    assert [b.name for b in power.usable()] == ["xset", "cec"]  # no Wayland desktop, not Windows
    power.apply(False, 100)
    power.apply(True, 100)
    assert commands.calls == [
        (["xset", "dpms", "force", "off"], None),
        (["cec-client", "-s", "-d", "1"], b"standby 0\n"),
        (["xset", "dpms", "force", "on"], None),
        (["cec-client", "-s", "-d", "1"], b"on 0\n"),
    ]


def test_nothing_installed_is_skipped_cleanly(caplog) -> None:
    commands = FakeCommands()
    power = DisplayPower(backends_for(DisplayConfig(), commands, _which(), {}), runner=commands)
    with caplog.at_level(logging.INFO):
        power.apply(False, 100)
    assert commands.calls == [] and "off is a black screen" in caplog.text


def test_wlr_randr_finds_its_first_output() -> None:
    commands = FakeCommands(listing='HDMI-A-1 "Samsung"\n  Enabled: yes\nDP-1 "Other"\n')
    config = DisplayConfig(power=["wlr-randr"])
    wayland = {"WAYLAND_DISPLAY": "wayland-0"}
    power = DisplayPower(backends_for(config, commands, _which("wlr-randr"), wayland), runner=commands)
    power.apply(False, 100)
    assert commands.calls[-1] == (["wlr-randr", "--output", "HDMI-A-1", "--off"], None)


def test_a_failing_backend_is_logged_once_per_state(caplog) -> None:
    commands = FakeCommands(fail=["xset"])
    power = _xset(commands)
    for on in (False, True, False, True):
        power.apply(on, 100)
    assert caplog.text.count("could not turn the display off") == 1
    assert caplog.text.count("could not turn the display on") == 1


def test_the_brightness_command_comes_from_the_config_and_runs_on_change_only() -> None:
    commands = FakeCommands()
    power = DisplayPower([], brightness_command=["/opt/card", "--percent", "{percent}", "--raw={level}"],
                         runner=commands)
    power.apply(True, 30)
    power.apply(True, 30)
    power.apply(False, 30)  # off: nothing to dim
    power.apply(True, 100)
    assert [c[0] for c in commands.calls] == [["/opt/card", "--percent", "30", "--raw=76"],
                                              ["/opt/card", "--percent", "100", "--raw=255"]]
    assert brightness_argv(["x", "{percent}%"], 55) == ["x", "55%"]


def test_want_returns_at_once_and_the_worker_applies_the_latest() -> None:
    commands = FakeCommands()
    commands.gate = threading.Event()  # the first command hangs until released
    power = _xset(commands)
    power.start()
    try:
        power.want(False, 100)
        power.want(True, 100)  # returns although the worker is stuck in a command
        power.want(False, 100)
        commands.gate.set()
    finally:
        power.close(timeout_s=5)
    assert commands.calls[-1][0] == ["xset", "dpms", "force", "off"]
    assert len(commands.calls) <= 2  # the stale "on" in between was never run


def test_run_command_times_out_and_never_raises() -> None:
    assert run_command([sys.executable, "-c", "import time; time.sleep(30)"], None, 0.3) == (False, "")
    assert run_command(["/nonexistent/program"], None, 1) == (False, "")
    assert run_command([sys.executable, "-c", "print('ok')"], None, 10) == (True, "ok\n")


def test_config_file(tmp_path) -> None:
    path = tmp_path / "player.toml"
    assert load_config(path) == DisplayConfig()
    path.write_text('[display]\npower = ["cec"]\n[brightness]\ncommand = ["/opt/card", "{percent}"]\n')
    assert load_config(path) == DisplayConfig(power=["cec"], brightness_command=["/opt/card", "{percent}"])
    for bad in ('[display]\npower = ["rm -rf"]\n', '[brightness]\ncommand = "sh -c x"\n', "not toml ["):
        path.write_text(bad)
        with pytest.raises(ConfigError):
            load_config(path)
