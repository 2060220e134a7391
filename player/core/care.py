"""Remote care on the player's side: its bounded log file, what the heartbeat says about the PC, and
the care commands from the socket (restart, reboot, log level, log fetch).

The log file lives in the state directory (``player.log`` plus ``LOG_BACKUPS`` rotated files of at
most ``LOG_MAX_BYTES`` each), so a board never fills its disk with logs. Bearer tokens are masked
before a line is written, so neither the file nor a fetched tail carries the board's credential.
A reboot happens only where the player's own config file says ``allow_reboot = true``; the server
can ask, never decide.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import re
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from signage_contract.device import LOG_LINE_MAX_CHARS, CareCommand, LogsRequest

log = logging.getLogger(__name__)
LOG_NAME = "player.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 2
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
EXIT_RESTART = 75  # EX_TEMPFAIL: the service manager (Restart=always, the Windows task) starts it again
THERMAL_ROOT = Path("/sys/class/thermal")
_SECRET = re.compile(r"(?i)(bearer\s+|token[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/=-]+")


def mask_secrets(text: str) -> str:
    return _SECRET.sub(lambda m: m.group(1) + "***", text)


class SecretMaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def install_log_file(root: Path, *, max_bytes: int = LOG_MAX_BYTES,
                     backups: int = LOG_BACKUPS) -> logging.Handler:
    """Send every log record of the process to the bounded rotating file in ``root``."""
    handler = logging.handlers.RotatingFileHandler(root / LOG_NAME, maxBytes=max_bytes,
                                                   backupCount=backups, encoding="utf-8")
    handler.setFormatter(SecretMaskingFormatter(LOG_FORMAT))
    logging.getLogger().addHandler(handler)
    return handler


def tail_lines(root: Path, count: int) -> list[str]:
    """The last ``count`` lines of the log (older rotated files first), each cut to the wire bound."""
    files = [root / f"{LOG_NAME}.{i}" for i in range(LOG_BACKUPS, 0, -1)] + [root / LOG_NAME]
    last: deque[str] = deque(maxlen=count)
    for path in files:
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    last.append(mask_secrets(line.rstrip("\n"))[:LOG_LINE_MAX_CHARS])
        except OSError:  # not there (yet), or rotated away meanwhile
            continue
    return list(last)


def current_level() -> str:
    return logging.getLevelName(logging.getLogger().getEffectiveLevel())


def set_level(level: str) -> None:
    logging.getLogger().setLevel(level)


def os_name() -> str:
    return f"{platform.system()} {platform.release()} ({platform.machine()})".strip()[:128]


def temperature_c(root: Path = THERMAL_ROOT) -> float | None:
    """The hottest thermal zone in degrees Celsius; None where the system has none (Windows, VMs)."""
    values: list[float] = []
    for zone in sorted(root.glob("thermal_zone*")) if root.is_dir() else ():
        try:
            values.append(int((zone / "temp").read_text().strip()) / 1000)
        except (OSError, ValueError):
            continue
    return round(max(values), 1) if values else None


def default_reboot_command() -> list[str]:
    if platform.system() == "Windows":
        return ["shutdown", "/r", "/t", "0"]
    return ["systemctl", "reboot"]


def _run(command: Sequence[str]) -> None:
    subprocess.run(list(command), check=True, timeout=60, capture_output=True)


class CareDesk:
    """What the socket's care messages do. ``restart`` stops the player cleanly with
    ``EXIT_RESTART``; ``upload_logs`` sends the tail (on its own thread: the socket never waits)."""

    def __init__(
        self,
        *,
        log_root: Path,
        restart: Callable[[int], None],
        upload_logs: Callable[[str, list[str]], None],
        allow_reboot: bool = False,
        reboot_command: Sequence[str] = (),
        run: Callable[[Sequence[str]], None] = _run,
    ) -> None:
        self.log_root = log_root
        self.restart = restart
        self.upload_logs = upload_logs
        self.allow_reboot = allow_reboot
        self.reboot_command = list(reboot_command) or default_reboot_command()
        self.run = run

    def handle(self, message: CareCommand | LogsRequest, *, wait: bool = False) -> None:
        if isinstance(message, LogsRequest):
            worker = threading.Thread(target=self._send_logs, args=(message,), name="signage-logs",
                                      daemon=True)
            worker.start()
            if wait:
                worker.join()
            return
        match message.action:
            case "restart":
                log.warning("restart asked by the server: the player exits for its service to start it again")
                self.restart(EXIT_RESTART)
            case "reboot":
                if not self.allow_reboot:
                    log.warning("remote reboot refused: this board's player.toml does not set "
                                "[care] allow_reboot = true")
                    return
                log.warning("reboot asked by the server: rebooting the PC")
                try:
                    self.run(self.reboot_command)
                except (OSError, subprocess.SubprocessError) as exc:
                    log.error("reboot failed: %s", exc)
            case "log_level":
                if message.level is not None:
                    set_level(message.level)
                    log.warning("log level set to %s by the server", message.level)

    def _send_logs(self, message: LogsRequest) -> None:
        try:
            self.upload_logs(message.request_id, tail_lines(self.log_root, message.lines))
        except Exception as exc:  # thread boundary: the next request tries again
            log.warning("log upload failed: %s", exc)


def exit_now(code: int) -> None:  # pragma: no cover - the last resort when no clean stop is wired
    logging.shutdown()
    os._exit(code)
