"""The systemd units that docs/deploy.md tells a province to install are valid as written:
``systemd-analyze verify`` accepts them (with the program path pointing at this installation)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPOSITORY

UNIT_NAMES = ("signage-server@8001.service", "signage-backup.service", "signage-backup.timer")


def _units() -> list[str]:
    text = (REPOSITORY / "docs" / "deploy.md").read_text(encoding="utf-8")
    return re.findall(r"```ini\n(.*?)```", text, re.S)


def test_the_documented_units_pass_systemd_analyze(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    program = Path(sys.executable).with_name("signage-server")
    assert program.exists(), "the console script is installed with the package"
    units = _units()
    assert len(units) == len(UNIT_NAMES)
    paths = []
    for name, unit in zip(UNIT_NAMES, units, strict=True):
        path = tmp_path / name
        path.write_text(unit.replace("/opt/signage/venv/bin/signage-server", str(program)), encoding="utf-8")
        paths.append(str(path))
    checked = subprocess.run(["systemd-analyze", "verify", *paths], capture_output=True, text=True,
                             timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "Unknown" not in checked.stderr and "bad" not in checked.stderr, checked.stderr


def test_the_backup_unit_runs_the_documented_command() -> None:
    service = _units()[1]
    assert "signage-server --data-dir /var/lib/signage backup /var/backups/signage/" in service
    assert "UMask=0077" in service
