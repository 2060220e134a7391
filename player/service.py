"""``signage-player install-service``: the player started at boot and restarted when it stops.

- **Linux (systemd)**: a unit running the player as an unprivileged user, ``Type=notify`` with
  ``WatchdogSec=30`` fed by the frame loop (``core/watchdog.py``): a player that stops drawing is
  restarted, as is one that exits (``Restart=always``). The unit runs the
  launcher (``player/launcher.py``), which runs the player release in force as its child (so the
  notifications come from the child: ``NotifyAccess=all``) and rolls a failed update back. Run as
  root it writes
  ``/etc/systemd/system/signage-player.service`` for ``--user`` (the account of the board's desktop
  session, never root) with its ``DISPLAY``; run as that user it writes a user unit under
  ``~/.config/systemd/user`` (``loginctl enable-linger USER`` starts it at boot without a login).
- **Windows**: a scheduled task started at the user's logon, full screen, restarted on failure
  (``schtasks /Create /XML``).

``--dry-run`` prints what would be written and run, and writes nothing. The command line the
service runs is the one given here (``--server``, ``--state-dir``, ``--geometry`` or
``--fullscreen``), so the board starts into its capture rectangle.
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

UNIT_NAME = "signage-player.service"
TASK_NAME = "Signage Player"
WATCHDOG_S = 30
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"


class ServiceError(Exception):
    """The service cannot be installed as asked; the message says why. Nothing was written."""


@dataclass(frozen=True)
class Plan:
    """What ``install`` writes (``path``: ``text``) and then runs."""

    path: Path
    text: str
    commands: list[list[str]]


def player_command(*, server: str, state_dir: Path, geometry: str | None, fullscreen: bool,
                   python: str | None = None) -> list[str]:
    # the launcher (player/launcher.py) starts the release in force and rolls a failed update back
    command = [python or sys.executable, "-m", "player.launcher", "--server", server,
               "--state-dir", str(state_dir)]
    if geometry:
        command += ["--geometry", geometry]
    elif fullscreen:
        command.append("--fullscreen")
    return command


def _systemd_word(word: str) -> str:
    """One argument of ExecStart=, quoted when systemd would split or expand it."""
    if word and not any(c in word for c in ' \t"\'\\$%;'):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$").replace("%", "%%") + '"'


def systemd_unit(command: list[str], *, system_user: str | None, state_dir: Path, display: str | None) -> str:
    """The unit text. ``system_user``: a system unit running as that user; None: a user unit."""
    lines = ["[Unit]", "Description=Signage player (bulletin board)",
             "Wants=network-online.target", "After=network-online.target"]
    if system_user:
        lines[-1] += " graphical.target"
    lines += ["StartLimitIntervalSec=0", "", "[Service]", "Type=notify", "NotifyAccess=all",
              f"ExecStart={' '.join(_systemd_word(w) for w in command)}",
              "Restart=always", "RestartSec=5", f"WatchdogSec={WATCHDOG_S}", "TimeoutStartSec=120"]
    if system_user:
        lines += [f"User={system_user}", "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict",
                  f"ReadWritePaths={_systemd_word(str(state_dir))}"]
    if display:
        lines.append(f"Environment=DISPLAY={display}")
    lines += ["", "[Install]", f"WantedBy={'graphical.target' if system_user else 'default.target'}", ""]
    return "\n".join(lines)


def windows_task(command: list[str], *, user: str | None) -> str:
    """Task Scheduler XML: at logon, with the user's desktop, restarted every minute on failure."""
    program, arguments = command[0], command[1:]
    pythonw = Path(program).with_name("pythonw.exe")
    if Path(program).name.lower() == "python.exe" and pythonw.exists():
        program = str(pythonw)  # no console window over the board
    quoted = " ".join(f'"{a}"' if (" " in a or not a) else a for a in arguments)
    user_element = f"<UserId>{escape(user)}</UserId>" if user else ""
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="{TASK_NS}">
  <RegistrationInfo>
    <Description>Signage player (bulletin board), full screen at logon</Description>
  </RegistrationInfo>
  <Triggers><LogonTrigger><Enabled>true</Enabled>{user_element}</LogonTrigger></Triggers>
  <Principals>
    <Principal id="Author">{user_element}<LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel></Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec><Command>{escape(program)}</Command><Arguments>{escape(quoted)}</Arguments></Exec>
  </Actions>
</Task>
"""


def plan(*, platform: str, command: list[str], state_dir: Path, user: str | None, display: str | None,
         is_root: bool, home: Path) -> Plan:
    if platform == "windows":
        path = state_dir / "signage-player-task.xml"
        return Plan(path, windows_task(command, user=user),
                    [["schtasks", "/Create", "/TN", TASK_NAME, "/XML", str(path), "/F"]])
    if is_root:
        if not user or user == "root":
            raise ServiceError("as root, name the unprivileged account of the board's desktop with --user "
                               "(the player never runs as root)")
        path = Path("/etc/systemd/system") / UNIT_NAME
        unit = systemd_unit(command, system_user=user, state_dir=state_dir, display=display or ":0")
        return Plan(path, unit, [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", UNIT_NAME]])
    path = home / ".config" / "systemd" / "user" / UNIT_NAME
    unit = systemd_unit(command, system_user=None, state_dir=state_dir, display=display)
    return Plan(path, unit, [["systemctl", "--user", "daemon-reload"],
                             ["systemctl", "--user", "enable", "--now", UNIT_NAME]])


def install(the_plan: Plan, *, enable: bool = True, state_dir: Path | None = None,
            owner: str | None = None) -> None:
    """Write the unit or task (and, for a system unit, the state directory owned by ``owner``: the
    unit may write only there), then run its commands."""
    if state_dir is not None and owner is not None:
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.chown(state_dir, user=owner, group=None)
    the_plan.path.parent.mkdir(parents=True, exist_ok=True)
    data = the_plan.text.encode("utf-16") if the_plan.path.suffix == ".xml" else the_plan.text.encode()
    the_plan.path.write_bytes(data)
    os.chmod(the_plan.path, 0o644)
    if not enable:
        return
    for command in the_plan.commands:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            raise ServiceError(f"{' '.join(command)} failed: {(done.stderr or done.stdout).strip()}")


def install_service_command(*, server: str | None, state_dir: Path, geometry: str | None, fullscreen: bool,
                            user: str | None, display: str | None, platform: str, dry_run: bool,
                            enable: bool) -> int:
    if not server:
        print("--server URL is required: the service runs the player against it", file=sys.stderr)
        return 2
    chosen = platform if platform != "auto" else ("windows" if os.name == "nt" else "linux")
    if chosen == "windows" and not fullscreen and not geometry:
        fullscreen = True  # a board at logon fills its screen
    command = player_command(server=server, state_dir=state_dir.resolve(), geometry=geometry,
                             fullscreen=fullscreen)
    is_root = os.name != "nt" and os.geteuid() == 0
    try:
        the_plan = plan(platform=chosen, command=command, state_dir=state_dir.resolve(),
                        user=user if (user or is_root or chosen == "windows") else getpass.getuser(),
                        display=display, is_root=is_root, home=Path.home())
        if dry_run:
            print(f"# would write {the_plan.path}:\n{the_plan.text}")
            for step in the_plan.commands:
                print(f"# would run: {' '.join(step)}")
            return 0
        if (chosen == "windows") != (os.name == "nt"):
            raise ServiceError(f"a {chosen} service can only be installed on {chosen} (--dry-run prints it)")
        install(the_plan, enable=enable, state_dir=state_dir.resolve(),
                owner=user if is_root and chosen == "linux" else None)
    except (ServiceError, OSError, subprocess.SubprocessError) as exc:
        print(f"cannot install the service: {exc}", file=sys.stderr)
        return 2
    print(f"installed {the_plan.path}" + ("" if enable else " (not enabled: --no-enable)"), file=sys.stderr)
    return 0
