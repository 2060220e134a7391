"""``make demo``: the server on SQLite with demo data, and a player paired to a demo board.

Starts ``signage-server`` and ``signage-player`` as separate processes (the player never shares
the server's code or database: it pairs and syncs over HTTP like any board), claims the player's
pairing code through the API, and prints where to look. Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from sqlmodel import Session, col, select

from .db import make_engine
from .demo_data import DemoSite, seed_demo
from .media_store import MediaStore
from .migrate import upgrade
from .models import PairingTicket
from .settings import Settings
from .startup import sync_builtin_layouts
from .units import seed_if_empty

START_TIMEOUT_S = 60.0


def prepare(settings: Settings) -> DemoSite:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
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


def _pending_code(settings: Settings) -> str | None:
    engine = make_engine(settings.resolved_database_url)
    try:
        with Session(engine) as session:
            ticket = session.exec(
                select(PairingTicket)
                .where(col(PairingTicket.claimed_board_id).is_(None))
                .order_by(col(PairingTicket.created_at).desc())
            ).first()
            return ticket.code if ticket else None
    finally:
        engine.dispose()


def pair_player(
    url: str, settings: Settings, site: DemoSite, password: str, player: subprocess.Popen[bytes]
) -> None:
    codes: list[str] = []

    def shown() -> bool:
        code = _pending_code(settings)
        if code:
            codes.append(code)
        return bool(code)

    _wait_until(shown, "player pairing code", player)
    token = httpx.post(f"{url}/api/v1/auth/token", data={"username": "admin", "password": password}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    claim = httpx.post(
        f"{url}/api/v1/boards/{site.lcd_board_id}/pairing", json={"code": codes[-1]}, headers=headers
    )
    claim.raise_for_status()
    print(f"Paired the player (code {codes[-1]}) to board {site.lcd_board_id}.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signage-demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("demo-data"))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--headless", action="store_true", help="no player window even where a display exists"
    )
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir)
    site = prepare(settings)
    credentials = args.data_dir / "demo-users.txt"
    if site.users:
        credentials.write_text("".join(f"{u.username} {u.password} {u.role.value}\n" for u in site.users))
        credentials.chmod(0o600)
    url = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "SIGNAGE_DATA_DIR": str(args.data_dir)}
    server = subprocess.Popen([sys.executable, "-m", "signage_server.cli", "--port", str(args.port)], env=env)
    player: subprocess.Popen[bytes] | None = None
    try:
        _wait_until(lambda: _healthy(url), "server", server)
        headless = args.headless or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        state_dir = args.data_dir / "player"
        command = [sys.executable, "-m", "player", "--server", url, "--state-dir", str(state_dir)]
        player_env = {**os.environ, "SDL_VIDEODRIVER": "dummy"} if headless else dict(os.environ)
        player = subprocess.Popen([*command, *(["--headless"] if headless else [])], env=player_env)
        if not (state_dir / "credential.json").exists():
            password = credentials.read_text().split()[1]
            pair_player(url, settings, site, password, player)
        _banner(url, credentials, state_dir, headless)
        signal.signal(signal.SIGTERM, _interrupt)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in (player, server):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
    return 0


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _banner(url: str, credentials: Path, state_dir: Path, headless: bool) -> None:
    frame = state_dir / "frame.png"
    print(
        "\n"
        f"  Signage demo is running.\n"
        f"  API documentation:  {url}/docs\n"
        f"  Demo users:         {credentials}  (username password role)\n"
        f"  Player:             {'headless' if headless else 'window'}; latest frame: {frame.resolve()}\n"
        f"  Any instant:        signage-player render {state_dir / 'manifest.json'} \\\n"
        "                        --at 2026-11-23T19:30 --size 1920x1080 -o frame.png\n"
        "  Stop with Ctrl-C.\n",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
