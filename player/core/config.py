"""The player's own config file (TOML): what this PC may do to its display, set on the board's PC
only, never by the server (the manifest carries schedules, never commands).

    # <state-dir>/player.toml, or --config PATH
    [display]
    power = ["auto"]          # or some of "xset", "wlr-randr", "windows", "cec"; [] never touches it
    wayland_output = "HDMI-A-1"  # for wlr-randr (default: its first output)

    [brightness]
    # the LED sending card's brightness, run when the schedule's level changes; {percent} is 1..100,
    # {level} 0..255. No command: the output is dimmed in software only.
    command = ["/opt/novastar/set-brightness", "--percent", "{percent}"]

    [usb]
    # where a drive with a bundle for a board without a link mounts (glob); unset: no watch
    bundles = "/media/*/*/signage-bundle*.tar"
    [care]
    allow_reboot = false      # true: the panel may reboot this PC (decided here, never by the server)
    reboot_command = ["systemctl", "reboot"]   # default: systemctl reboot; shutdown /r /t 0 on Windows
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_NAME = "player.toml"
POWER_BACKENDS = frozenset({"auto", "xset", "wlr-randr", "windows", "cec"})


class ConfigError(ValueError):
    """The config file is unreadable or says something the player does not understand."""


@dataclass(frozen=True)
class DisplayConfig:
    power: list[str] = field(default_factory=lambda: ["auto"])
    wayland_output: str | None = None
    brightness_command: list[str] = field(default_factory=list)
    allow_reboot: bool = False
    reboot_command: list[str] = field(default_factory=list)


def load_usb_bundles(path: Path) -> str | None:
    """The glob of USB bundles to watch for (``[usb] bundles``), None when unset."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    usb = data.get("usb", {})
    pattern = usb.get("bundles") if isinstance(usb, dict) else None
    if pattern is not None and (not isinstance(pattern, str) or not pattern.strip()):
        raise ConfigError("usb.bundles must be a glob such as /media/*/*/signage-bundle*.tar")
    return pattern


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return list(value)


def load_config(path: Path) -> DisplayConfig:
    """The display part of the player's config; a missing file gives the defaults."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DisplayConfig()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    display = data.get("display", {})
    brightness = data.get("brightness", {})
    care = data.get("care", {})
    if not isinstance(display, dict) or not isinstance(brightness, dict) or not isinstance(care, dict):
        raise ConfigError("[display], [brightness] and [care] must be tables")
    allow_reboot = care.get("allow_reboot", False)
    if not isinstance(allow_reboot, bool):
        raise ConfigError("care.allow_reboot must be true or false")
    reboot_command = _strings(care.get("reboot_command", []), "care.reboot_command")
    power = _strings(display.get("power", ["auto"]), "display.power")
    unknown = set(power) - POWER_BACKENDS
    if unknown:
        raise ConfigError(f"display.power: unknown {sorted(unknown)}; known: {sorted(POWER_BACKENDS)}")
    output = display.get("wayland_output")
    if output is not None and not isinstance(output, str):
        raise ConfigError("display.wayland_output must be a string")
    command = _strings(brightness.get("command", []), "brightness.command")
    return DisplayConfig(power=power, wayland_output=output, brightness_command=command,
                         allow_reboot=allow_reboot, reboot_command=reboot_command)
