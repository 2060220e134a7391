"""The player installs alone: ``pip install signage[player]`` into a fresh virtual environment gets a
board that runs, without the server's dependencies.

The build inputs are copied to a temporary directory first (the ``signage_server/layouts`` symlink
followed, as a wheel build sees it), so the worktree is never touched and nothing on its path leaks
into the fresh environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPOSITORY
from tests.support.player_factories import NOW, manifest

ROOT = REPOSITORY
BUILD_INPUTS = (
    "pyproject.toml", "README.md", "LICENSE", "player", "signage_contract", "signage_server", "layouts"
)
SERVER_ONLY = ("fastapi", "sqlmodel", "alembic", "psycopg", "redis")
INSTALL_TIMEOUT_S = 240
TEXT_BG = (0, 51, 102)

# Run inside the fresh environment: import every player module, then prove none pulled in the server.
IMPORT_ALL = """
import importlib, json, pkgutil, sys
import player
names = [m.name for m in pkgutil.walk_packages(player.__path__, "player.") if m.name != "player.__main__"]
for name in names:
    importlib.import_module(name)
from player.screen.kinds import registry
print(json.dumps({"modules": names, "kinds": sorted(k.__name__ for k in registry()),
                  "server_loaded": sorted(m for m in sys.modules if m.split(".")[0] == "signage_server")}))
"""
PIXEL = """
import sys, pygame
image = pygame.image.load(sys.argv[1])
print(image.get_size(), tuple(image.get_at((int(sys.argv[2]), int(sys.argv[3]))))[:3])
"""


def _run(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def player_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with ``signage[player]`` installed from a copy of the sources."""
    base = tmp_path_factory.mktemp("install")
    source = base / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in BUILD_INPUTS:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, symlinks=False, ignore=ignore)
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=base)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = [str(python), "-m", "pip", "install", "--quiet", f"{source}[player]"]
    _run(install, cwd=base, timeout=INSTALL_TIMEOUT_S)
    return python


def test_the_server_dependencies_are_not_installed(player_python: Path, tmp_path: Path) -> None:
    probe = "import importlib.util, json; print(json.dumps([m for m in %r if importlib.util.find_spec(m)]))"
    found = json.loads(_run([str(player_python), "-c", probe % (SERVER_ONLY,)], cwd=tmp_path).stdout)
    assert found == []


def test_every_player_module_imports_without_the_server(player_python: Path, tmp_path: Path) -> None:
    report = json.loads(_run([str(player_python), "-c", IMPORT_ALL], cwd=tmp_path).stdout)
    assert {"player.app", "player.net.channel", "player.screen.kinds.ticker"} <= set(report["modules"])
    assert report["kinds"] == ["ClockItem", "ImageItem", "PdfItem", "QrItem", "TextItem", "TickerItem",
                               "VideoItem"]
    assert report["server_loaded"] == []


def test_the_command_line_answers_help(player_python: Path, tmp_path: Path) -> None:
    assert "signage-player" in _run([str(player_python), "-m", "player", "--help"], cwd=tmp_path).stdout


def test_the_installed_player_renders_a_text_slide_headless(player_python: Path, tmp_path: Path) -> None:
    slide = manifest([{"kind": "text", "id": "t1", "title": "Thông báo", "body": "Lịch tiếp công dân"}])
    (tmp_path / "manifest.json").write_text(slide.model_dump_json(), encoding="utf-8")
    out = tmp_path / "frame.png"
    _run(
        [str(player_python), "-m", "player", "render", "manifest.json", "--at", NOW.isoformat(),
         "--size", "384x192", "-o", str(out)],
        cwd=tmp_path,
    )
    pixel = _run([str(player_python), "-c", PIXEL, str(out), "2", "2"], cwd=tmp_path).stdout.strip()
    assert pixel == f"(384, 192) {TEXT_BG}"
