"""Real processes for end-to-end tests: ``signage-server`` on a loopback port over a temporary SQLite
database, a headless ``signage-player``, and the API calls an editor and an operator would make.

The player's only observable output is ``frame.png`` (written atomically), so waits poll it, or
the database, against a deadline: that is waiting on another process, not sleeping in its place.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path

import httpx
import pygame
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from signage_server.core.auth import issue_token
from signage_server.db import make_engine
from signage_server.migrate import upgrade
from signage_server.models import AdminUnit, PairingTicket, Role, TokenKind, UnitLevel, User
from signage_server.settings import Settings
from tests.support.paths import REPOSITORY

ROOT = REPOSITORY
WAIT_S = 90.0
POLL_S = 0.2
Colour = tuple[int, int, int]


def wait_until(check: Callable[[], object], what: str, alive: Sequence[subprocess.Popen[bytes]] = (),
               timeout_s: float = WAIT_S, log: Path | None = None) -> object:
    """Poll ``check`` (another process's effect) until it returns something truthy, or fail."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for process in alive:
            if process.poll() is not None:
                detail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log else ""
                raise AssertionError(f"waiting for {what}: {process.args} exited\n{detail}")
        result = check()
        if result:
            return result
        time.sleep(POLL_S)
    detail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Site:
    """A data directory whose database holds a province, a commune, an admin and an approver (the
    four-eyes rule: the one who submits cannot approve), each with a token."""

    data_dir: Path
    commune_id: int
    headers: dict[str, str]
    approver_headers: dict[str, str]
    engine: Engine
    log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)

    @classmethod
    def create(cls, root: Path) -> Site:
        data_dir = root / "data"
        data_dir.mkdir(parents=True)
        engine = make_engine(Settings(data_dir=data_dir).resolved_database_url)
        upgrade(engine)
        with Session(engine) as session:
            province = AdminUnit(code="51", level=UnitLevel.PROVINCE, name="Tỉnh Quảng Ngãi",
                                 valid_from=date(2025, 7, 1))
            session.add(province)
            session.flush()
            commune = AdminUnit(code="21001", level=UnitLevel.COMMUNE, name="Xã Tịnh Khê",
                                parent_id=province.id, valid_from=date(2025, 7, 1))
            admin = User(username="quantri", role=Role.ADMIN, unit_id=province.id or 0, password_hash="!")
            approver = User(username="pheduyet", role=Role.APPROVER, unit_id=province.id or 0,
                            password_hash="!")
            session.add_all([commune, admin, approver])
            session.commit()
            token, _row = issue_token(session, admin, TokenKind.API, "e2e", None)
            second, _row = issue_token(session, approver, TokenKind.API, "e2e", None)
            assert commune.id is not None
            return cls(data_dir, commune.id, {"Authorization": f"Bearer {token}"},
                       {"Authorization": f"Bearer {second}"}, engine, root / "e2e.log")

    def start_server(self, port: int) -> subprocess.Popen[bytes]:
        env = {**os.environ, "SIGNAGE_SEED_UNITS": "false", "SIGNAGE_LOG_LEVEL": "warning"}
        command = [sys.executable, "-m", "signage_server.cli", "--data-dir", str(self.data_dir),
                   "--port", str(port)]
        with self.log.open("ab") as log:
            server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(server)
        wait_until(lambda: _healthy(port), "the server to answer /healthz", [server], log=self.log)
        return server

    def start_player(self, port: int, state_dir: Path) -> subprocess.Popen[bytes]:
        """Poll interval 300 s: within a test, only the WebSocket nudge can bring a change."""
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "player", "--server", f"http://127.0.0.1:{port}", "--headless",
                   "--geometry", "320x180", "--state-dir", str(state_dir), "--poll-interval", "300"]
        with self.log.open("ab") as log:
            player = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(player)
        return player

    def api(self, port: int) -> Api:
        client = Api(port, self.headers, self.approver_headers)
        self.apis.append(client)
        return client

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        for api in self.apis:
            api.client.close()
            api.approver.close()
        self.engine.dispose()

    def pending_code(self, state_dir: Path) -> str | None:
        """The code the player shows: its newest unclaimed pairing ticket."""
        hardware = state_dir / "hardware-id"
        if not hardware.is_file():
            return None
        with Session(self.engine) as session:
            ticket = session.exec(
                select(PairingTicket)
                .where(PairingTicket.hardware_id == hardware.read_text(encoding="utf-8").strip(),
                       col(PairingTicket.claimed_board_id).is_(None))
                .order_by(col(PairingTicket.created_at).desc())
            ).first()
            return ticket.code if ticket else None


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class Api:
    """The calls of the panel, as an admin (who edits, submits and pairs) and an approver."""

    def __init__(self, port: int, headers: dict[str, str], approver_headers: dict[str, str]) -> None:
        base = f"http://127.0.0.1:{port}/api/v1"
        self.client = httpx.Client(base_url=base, headers=headers, timeout=30)
        self.approver = httpx.Client(base_url=base, headers=approver_headers, timeout=30)

    def call(self, method: str, path: str, expected: int = 200, **kwargs: object) -> dict:
        response = self.client.request(method, path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else {}

    def publish(self, kind: str, object_id: int) -> None:
        """Put a draft on air; for content already on air, approve the edit waiting beside it."""
        row = self.call("GET", f"/{kind}/{object_id}")
        if row.get("pending_submission_id"):
            decided = self.approver.post(f"/submissions/{row['pending_submission_id']}/decision",
                                         json={"state": "approved"})
            assert decided.status_code == 200, f"{kind} {object_id} edit: {decided.text}"
            return
        self.call("POST", f"/{kind}/{object_id}/state", json={"state": "submitted"})
        for state in ("approved", "published"):
            response = self.approver.post(f"/{kind}/{object_id}/state", json={"state": state})
            assert response.status_code == 200, f"{kind} {object_id} -> {state}: {response.text}"

    def board(self, unit_id: int, name: str) -> int:
        body = {"name": name, "unit_id": unit_id, "width": 320, "height": 180}
        return int(self.call("POST", "/boards", 201, json=body)["id"])

    def claim(self, board_id: int, code: str) -> None:
        self.call("POST", f"/boards/{board_id}/pairing", json={"code": code})

    def bulletin(self, title: str, body: str) -> int:
        bulletin_id = int(self.call("POST", "/bulletins", 201, json={"title": title, "body": body})["id"])
        self.publish("bulletins", bulletin_id)
        return bulletin_id

    def image(self, colour: Colour, title: str) -> int:
        buffer = BytesIO()
        Image.new("RGB", (64, 36), colour).save(buffer, "PNG")
        files = {"file": (f"{title}.png", buffer.getvalue(), "image/png")}
        media_id = int(self.call("POST", "/media", 201, files=files, data={"title": title})["id"])
        self.publish("media", media_id)
        return media_id

    def playlist(self, name: str, items: list[dict]) -> tuple[int, list[int]]:
        playlist_id = int(self.call("POST", "/playlists", 201, json={"name": name})["id"])
        answer: dict = {}
        for item in items:
            answer = self.call("POST", f"/playlists/{playlist_id}/items", 201, json=item)
        self.publish("playlists", playlist_id)
        return playlist_id, [int(i["id"]) for i in answer["items"]]

    def schedule(self, name: str, playlist_id: int, board_id: int, **window: object) -> int:
        body = {"name": name, "layout_id": "fullscreen", "regions": {"main": playlist_id},
                "target_kind": "board", "target_board_id": board_id, **window}
        schedule_id = int(self.call("POST", "/schedules", 201, json=body)["id"])
        self.publish("schedules", schedule_id)
        return schedule_id


def colours(frame: pygame.Surface) -> Counter[Colour]:
    data = pygame.image.tobytes(frame, "RGB")
    return Counter(zip(data[0::3], data[1::3], data[2::3], strict=True))


def read_frame(path: Path) -> pygame.Surface | None:
    try:
        return pygame.image.load(path)
    except (FileNotFoundError, pygame.error):
        return None


def corner(frame: pygame.Surface) -> Colour:
    r, g, b, *_ = frame.get_at((2, 2))
    return (r, g, b)


def wait_for_frame(path: Path, check: Callable[[pygame.Surface], bool], what: str,
                   alive: Sequence[subprocess.Popen[bytes]], log: Path) -> pygame.Surface:
    def shown() -> pygame.Surface | None:
        frame = read_frame(path)
        return frame if frame is not None and check(frame) else None

    result = wait_until(shown, f"a frame showing {what}", alive, log=log)
    assert isinstance(result, pygame.Surface)
    return result
