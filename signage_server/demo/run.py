"""``make demo``: the server on SQLite with demo data, and a player paired to a demo board.

Starts ``signage-server`` and ``signage-player`` as separate processes (the player never shares
the server's code or database: it pairs and syncs over HTTP like any board), claims the player's
pairing code through the API, and prints where to look. Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import httpx
from sqlmodel import Session, col, select

from signage_server.content.layout_sync import sync_builtin_layouts
from signage_server.content.media_store import MediaStore
from signage_server.core.private_files import create_private_file, make_private_dir
from signage_server.db import make_engine
from signage_server.demo.data import DemoSite, seed_demo
from signage_server.devices.auth import credential_for_token
from signage_server.migrate import upgrade
from signage_server.models import PairingTicket
from signage_server.settings import Settings
from signage_server.units.service import seed_if_empty

START_TIMEOUT_S = 60.0
T = TypeVar("T")


def prepare(settings: Settings) -> DemoSite:
    make_private_dir(settings.data_dir)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            seed_if_empty(session)
        sync_builtin_layouts(engine)
        store = MediaStore(settings.media_dir, settings.max_upload_bytes, settings.max_image_pixels)
        with Session(engine) as session:
            return seed_demo(session, store)
    finally:
        engine.dispose()


def _wait_until(check: object, what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what}: the process exited with code {process.returncode}")
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)  # another process's progress: nothing to await but its effects
    raise SystemExit(f"{what}: not ready after {START_TIMEOUT_S:.0f} s")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def _query(settings: Settings, read: Callable[[Session], T]) -> T:
    engine = make_engine(settings.resolved_database_url)
    try:
        with Session(engine) as session:
            return read(session)
    finally:
        engine.dispose()


def player_is_paired(settings: Settings, state_dir: Path) -> bool:
    """Whether the player's stored token is one this database knows and has not revoked (a data
    directory made afresh leaves a player state behind whose token means nothing here)."""
    try:
        token = json.loads((state_dir / "credential.json").read_text(encoding="utf-8"))["token"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return _query(settings, lambda session: credential_for_token(session, str(token)) is not None)


def _pending_code(settings: Settings, state_dir: Path) -> str | None:
    """The code on the player's screen: the newest unclaimed ticket of its hardware id."""
    try:
        hardware_id = (state_dir / "hardware-id").read_text(encoding="utf-8").strip()
    except OSError:
        return None  # the player writes it before it asks for a code

    def newest(session: Session) -> str | None:
        ticket = session.exec(
            select(PairingTicket)
            .where(PairingTicket.hardware_id == hardware_id, col(PairingTicket.claimed_board_id).is_(None))
            .order_by(col(PairingTicket.created_at).desc())
        ).first()
        return ticket.code if ticket else None

    return _query(settings, newest)


def pair_player(
    url: str,
    settings: Settings,
    board_id: int,
    password: str,
    state_dir: Path,
    player: subprocess.Popen[bytes],
) -> None:
    codes: list[str] = []

    def shown() -> bool:
        code = _pending_code(settings, state_dir)
        if code:
            codes.append(code)
        return bool(code)

    _wait_until(shown, "player pairing code", player)
    token = httpx.post(f"{url}/api/v1/auth/token", data={"username": "admin", "password": password}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    claim = httpx.post(f"{url}/api/v1/boards/{board_id}/pairing", json={"code": codes[-1]}, headers=headers)
    claim.raise_for_status()
    print(f"Paired the player (code {codes[-1]}) to board {board_id}.", flush=True)


def has_display() -> bool:
    """Windows and macOS always have one; elsewhere X11 or Wayland must be announced."""
    if os.name == "nt" or sys.platform == "darwin":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signage-demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("demo-data"))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--headless", action="store_true", help="no player window even where a display exists"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # from the start: a stop must never orphan the children
    settings = Settings(data_dir=args.data_dir)
    site = prepare(settings)
    credentials = args.data_dir / "demo-users.txt"
    if site.users:
        credentials.unlink(missing_ok=True)
        create_private_file(credentials)  # passwords: 0600 before they are written
        credentials.write_text("".join(f"{u.username} {u.password} {u.role.value}\n" for u in site.users))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        run(args, settings, site.lcd_board_id, credentials, processes)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second stop must not cut the clean-up short
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
    return 0


def run(
    args: argparse.Namespace,
    settings: Settings,
    board_id: int,
    credentials: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    """Start the server, then the player; pair it unless the server already knows its token."""
    url = f"http://127.0.0.1:{args.port}"
    server_command = ["-m", "signage_server.cli", "--data-dir", str(args.data_dir), "--port", str(args.port)]
    server = subprocess.Popen([sys.executable, *server_command])
    processes.append(server)
    _wait_until(lambda: _healthy(url), "server", server)
    headless = args.headless or not has_display()
    state_dir = args.data_dir / "player"
    env = dict(os.environ)
    if not headless and env.get("SDL_VIDEODRIVER") == "dummy":
        del env["SDL_VIDEODRIVER"]  # the Makefile exports it for tests; the demo window must show
    player = subprocess.Popen(_player_command(url, state_dir, headless), env=env)
    processes.append(player)
    if not player_is_paired(settings, state_dir):
        password = credentials.read_text(encoding="utf-8").split()[1]
        pair_player(url, settings, board_id, password, state_dir, player)
    _banner(url, credentials, state_dir, headless)
    server.wait()


def _player_command(url: str, state_dir: Path, headless: bool) -> list[str]:
    command = [sys.executable, "-m", "player", "--server", url, "--state-dir", str(state_dir)]
    return [*command, "--headless"] if headless else command


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _banner(url: str, credentials: Path, state_dir: Path, headless: bool) -> None:
    frame = state_dir / "frame.png"
    print(
        "\n"
        f"  Signage demo is running.\n"
        f"  Control panel:      {url}/panel  (log in as a demo user)\n"
        f"  API documentation:  {url}/docs\n"
        f"  Demo users:         {credentials}  (username password role)\n"
        f"  Player:             {'headless' if headless else 'window'}; latest frame: {frame.resolve()}\n"
        f"  Any instant:        signage-player render {state_dir / 'manifest.json'} \\\n"
        f"                        --media-dir {state_dir / 'media'} \\\n"
        "                        --at 2026-11-23T19:30 --size 1920x1080 -o frame.png\n"
        "  Stop with Ctrl-C.\n",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
