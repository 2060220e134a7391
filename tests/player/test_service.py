"""``signage-player install-service``: the systemd unit (checked by systemd-analyze where it is
installed) and the Windows logon task, at the file level; refusals say why and write nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from player.cli import main
from player.service import TASK_NS, ServiceError, install, plan, player_command, systemd_unit, windows_task

SERVER = "https://bangtin.example.gov.vn"


def _command(state_dir: Path, geometry: str | None = "384x192+0+0") -> list[str]:
    return player_command(server=SERVER, state_dir=state_dir, geometry=geometry, fullscreen=geometry is None)


@pytest.mark.parametrize("system_user", ["nobody", None])
def test_the_unit_restarts_a_stopped_or_frozen_player_and_passes_systemd_analyze(tmp_path, system_user):
    state = tmp_path / "state dir with 100% space"
    unit = systemd_unit(_command(state), system_user=system_user, state_dir=state, display=":0")
    for line in ("Type=notify", "NotifyAccess=all", "Restart=always", "WatchdogSec=30",
                 "Environment=DISPLAY=:0"):
        assert line in unit.splitlines()
    assert '"' + str(state).replace("%", "%%") + '"' in unit  # quoted, % escaped for systemd
    assert "--geometry 384x192+0+0" in unit
    assert " -m player.launcher " in unit  # the launcher starts the release in force and rolls back
    assert ("User=nobody" in unit) == (system_user is not None)
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    path = tmp_path / "signage-player.service"
    path.write_text(unit)
    checked = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True,
                             timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "Unknown" not in checked.stderr, checked.stderr


def test_the_windows_task_starts_full_screen_at_logon_and_restarts_on_failure(tmp_path) -> None:
    command = player_command(server=f"{SERVER}/?a=1&b=2", state_dir=Path(r"C:\Bang tin\state"),
                             geometry=None, fullscreen=True, python=r"C:\Python311\python.exe")
    task = ET.fromstring(windows_task(command, user="BANGTIN\\xa").replace('encoding="UTF-16"', ""))
    ns = {"t": TASK_NS}
    assert task.find("t:Triggers/t:LogonTrigger/t:UserId", ns).text == "BANGTIN\\xa"
    assert task.find("t:Settings/t:RestartOnFailure/t:Count", ns).text == "999"
    assert task.find("t:Settings/t:ExecutionTimeLimit", ns).text == "PT0S"
    assert task.find("t:Principals/t:Principal/t:RunLevel", ns).text == "LeastPrivilege"
    assert task.find("t:Actions/t:Exec/t:Command", ns).text == r"C:\Python311\python.exe"
    arguments = task.find("t:Actions/t:Exec/t:Arguments", ns).text
    assert arguments.endswith("--fullscreen") and f"{SERVER}/?a=1&b=2" in arguments
    assert '"C:\\Bang tin\\state"' in arguments


def test_root_must_name_an_unprivileged_account(tmp_path) -> None:
    for user in (None, "root"):
        with pytest.raises(ServiceError, match="--user"):
            plan(platform="linux", command=_command(tmp_path), state_dir=tmp_path, user=user, display=None,
                 is_root=True, home=tmp_path)
    system = plan(platform="linux", command=_command(tmp_path), state_dir=tmp_path, user="bang",
                  display=None, is_root=True, home=tmp_path)
    assert system.path == Path("/etc/systemd/system/signage-player.service")
    assert ["systemctl", "enable", "--now", "signage-player.service"] in system.commands


def test_a_user_unit_is_written_under_the_users_home(tmp_path) -> None:
    user_plan = plan(platform="linux", command=_command(tmp_path), state_dir=tmp_path, user="bang",
                     display=None, is_root=False, home=tmp_path)
    install(user_plan, enable=False)
    written = tmp_path / ".config" / "systemd" / "user" / "signage-player.service"
    assert written.read_text() == user_plan.text and "WantedBy=default.target" in user_plan.text
    windows = plan(platform="windows", command=_command(tmp_path, None), state_dir=tmp_path, user=None,
                   display=None, is_root=False, home=tmp_path)
    install(windows, enable=False)
    assert windows.path.read_bytes().startswith(b"\xff\xfe")  # UTF-16, as the XML declares


def test_dry_run_prints_and_writes_nothing(tmp_path, capsys) -> None:
    state = tmp_path / "state"
    args = ["--server", SERVER, "--geometry", "384x192+1920+0", "--state-dir", str(state), "install-service"]
    assert main([*args, "--dry-run", "--platform", "linux", "--user", "bang"]) == 0
    out = capsys.readouterr().out
    assert "--geometry 384x192+1920+0" in out and "would run: systemctl" in out
    assert sys.executable in out
    assert main([*args, "--dry-run", "--platform", "windows"]) == 0
    assert "<LogonTrigger>" in capsys.readouterr().out
    assert not state.exists()
    assert main(["install-service", "--dry-run"]) == 2
    assert "--server URL is required" in capsys.readouterr().err
    assert main([*args, "--platform", "windows", "--no-enable"]) == 2
    assert "only be installed on windows" in capsys.readouterr().err
