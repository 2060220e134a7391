"""A real server process for browser tests: a data directory seeded through the database (units,
users, boards), then ``python -m signage_server.cli`` on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from sqlmodel import Session, col, select

from signage_server.core.auth import hash_password
from signage_server.db import make_engine
from signage_server.migrate import upgrade
from signage_server.models import AdminUnit, Board, BoardUnitHistory, PairingTicket, Role, UnitLevel, User
from signage_server.settings import Settings
from tests.support.net import free_port
from tests.support.paths import REPOSITORY

ROOT = REPOSITORY
PASSWORD = "mật khẩu thử nghiệm"
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Site:
    url: str
    data_dir: Path
    commune_id: int
    commune_name: str
    board_id: int
    board_size: tuple[int, int]


def seed(data_dir: Path) -> tuple[int, int]:
    """Province > commune with one 384x192 LED board; an editor and an approver at the commune."""
    settings = Settings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            province = AdminUnit(code="51", level=UnitLevel.PROVINCE, name="Tỉnh Quảng Ngãi",
                                 valid_from=date(2025, 7, 1))
            session.add(province)
            session.flush()
            commune = AdminUnit(code="21568", level=UnitLevel.COMMUNE, name="Xã Tịnh Khê", division_type="xã",
                                parent_id=province.id, valid_from=date(2025, 7, 1))
            session.add(commune)
            session.flush()
            assert commune.id is not None
            hashed = hash_password(PASSWORD)
            for name, role, full in (("bientap", Role.EDITOR, "Trần Văn Biên"),
                                     ("pheduyet", Role.APPROVER, "Lê Thị Duyệt"),
                                     ("vanhanh", Role.OPERATOR, "Phạm Vận Hành")):
                session.add(User(username=name, full_name=full, role=role, unit_id=commune.id,
                                 password_hash=hashed))
            board = Board(name="Bảng LED Ủy ban xã Tịnh Khê", unit_id=commune.id, width=384, height=192,
                          tags=["led", "ủy-ban"], address="Thôn Khê Tân")
            session.add(board)
            session.flush()
            assert board.id is not None
            session.add(BoardUnitHistory(board_id=board.id, unit_id=commune.id, valid_from=board.created_at))
            session.commit()
            return commune.id, board.id
    finally:
        engine.dispose()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def running_site(data_dir: Path, log_path: Path) -> Iterator[Site]:
    commune_id, board_id = seed(data_dir)
    port = free_port()
    env = {**os.environ, "SIGNAGE_SEED_UNITS": "false", "SDL_VIDEODRIVER": "dummy",
           "SIGNAGE_LOG_LEVEL": "warning"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "signage_server.cli", "--data-dir", str(data_dir), "--host", "127.0.0.1",
             "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start; see {log_path}")
                time.sleep(0.1)  # another process starting: nothing to await but its answer
            yield Site(url, data_dir, commune_id, "Xã Tịnh Khê", board_id, (384, 192))
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def pending_pairing_code(data_dir: Path) -> str | None:
    """The code an unpaired player shows on its screen (what an operator reads off the board)."""
    engine = make_engine(Settings(data_dir=data_dir).resolved_database_url)
    try:
        with Session(engine) as session:
            ticket = session.exec(
                select(PairingTicket).where(col(PairingTicket.claimed_board_id).is_(None))
                .order_by(col(PairingTicket.created_at).desc())
            ).first()
            return None if ticket is None else ticket.code
    finally:
        engine.dispose()


@contextlib.contextmanager
def headless_player(site: Site, state_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m player --headless`` at the board's size; it writes each frame to state_dir/frame.png."""
    state_dir.mkdir(parents=True, exist_ok=True)
    width, height = site.board_size
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    with (state_dir.parent / "player.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "player", "--server", site.url, "--headless",
             "--geometry", f"{width}x{height}", "--state-dir", str(state_dir), "--poll-interval", "300"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
