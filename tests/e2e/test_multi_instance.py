"""Two real server processes sharing PostgreSQL and Redis, each with its own data directory
(``SIGNAGE_SHARED_STORE=database``): an override posted and confirmed on instance A reaches a board
whose WebSocket is connected to instance B; B's unchanged polls, answered from memory, follow a
change and a revocation made on A, and a restart; an image uploaded on A is served by B, and a
screenshot requested on A from a board connected to B arrives on A.

Needs ``SIGNAGE_TEST_POSTGRES_URL`` and ``SIGNAGE_TEST_REDIS_URL``; skipped, saying so, without them.
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select
from websockets.sync.client import ClientConnection, connect

from signage_contract import device as wire
from signage_server.core.auth import hash_password, issue_token
from signage_server.devices.auth import issue_credential
from signage_server.models import AdminUnit, Board, Role, TokenKind, UnitLevel, User
from tests.support.net import free_port
from tests.support.overrides import OVERRIDES, body

POSTGRES = os.environ.get("SIGNAGE_TEST_POSTGRES_URL")
REDIS = os.environ.get("SIGNAGE_TEST_REDIS_URL")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(not (POSTGRES and REDIS),
                       reason="two-instance test needs SIGNAGE_TEST_POSTGRES_URL and SIGNAGE_TEST_REDIS_URL"),
]
START_TIMEOUT_S = 60.0
RECEIVE_TIMEOUT_S = 10.0


@pytest.fixture
def fresh_database() -> Iterator[str]:
    assert POSTGRES is not None
    name = f"signage_multi_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(POSTGRES), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _start(env: dict[str, str], data_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "signage_server.cli", "--port", str(port)],
                            env={**env, "SIGNAGE_DATA_DIR": str(data_dir)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "exited") from None
            time.sleep(0.05)  # polling for a port to open: nothing to await across processes
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.fixture
def two_instances(tmp_path: Path, fresh_database: str) -> Iterator[tuple[int, int]]:
    assert REDIS is not None
    env = {**os.environ, "SIGNAGE_DATABASE_URL": fresh_database, "SIGNAGE_REDIS_URL": REDIS,
           "SIGNAGE_SIGNING_KEY_FILE": str(tmp_path / "signing.key"), "SIGNAGE_SEED_UNITS": "false",
           "SIGNAGE_LOG_LEVEL": "warning", "SIGNAGE_SHARED_STORE": "database"}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        first, port_a = _start(env, tmp_path / "a")  # A migrates the database; then B starts
        procs.append(first)
        second, port_b = _start(env, tmp_path / "b")
        procs.append(second)
        yield port_a, port_b
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.close()


def _arrange(url: str) -> tuple[dict[str, str], str]:
    """A commune, a board, its device token, and an operator's API headers."""
    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        unit = AdminUnit(code="51001", level=UnitLevel.COMMUNE, name="Xã Bình Sơn",
                         valid_from=date(2025, 7, 1))
        session.add(unit)
        session.flush()
        assert unit.id is not None
        board = Board(name="Bảng tin UBND xã", unit_id=unit.id)
        operator = User(username="operator", role=Role.OPERATOR, unit_id=unit.id,
                        password_hash=hash_password("correct horse battery"))
        session.add_all([board, operator])
        session.commit()
        assert board.id is not None
        api_token, _row = issue_token(session, operator, TokenKind.API, "test", None)
        _credential, device_token = issue_credential(session, board.id, "mini-pc")
    engine.dispose()
    return {"Authorization": f"Bearer {api_token}"}, device_token


def test_an_override_confirmed_on_one_instance_reaches_a_board_on_the_other(two_instances,
                                                                           fresh_database) -> None:
    port_a, port_b = two_instances
    operator, device_token = _arrange(fresh_database)
    socket_url = f"ws://127.0.0.1:{port_b}{wire.DEVICE_SOCKET}"
    with connect(socket_url, additional_headers={"Authorization": f"Bearer {device_token}"}) as ws:
        ws.send(wire.Hello(manifest_version=None).model_dump_json())
        assert wire.Nudge.model_validate_json(ws.recv(timeout=RECEIVE_TIMEOUT_S))  # B is talking
        with httpx.Client(base_url=f"http://127.0.0.1:{port_a}", headers=operator) as api:
            created = api.post(OVERRIDES, json=body())
            assert created.status_code == 201, created.text
            assert api.post(f"{OVERRIDES}/{created.json()['id']}/confirm").status_code == 200
        while True:  # nudges from B's recomposition may come first
            message = ws.recv(timeout=RECEIVE_TIMEOUT_S)
            if '"type":"override"' in message:
                break
    push = wire.OverridePush.model_validate_json(message)
    assert push.override.id == str(created.json()["id"])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=30)
    if proc.stderr is not None:
        proc.stderr.close()


def _poll(port: int, device_token: str, etag: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {device_token}"} | ({"If-None-Match": etag} if etag else {})
    return httpx.get(f"http://127.0.0.1:{port}{wire.DEVICE_MANIFEST}", headers=headers, timeout=10)


def _next_nudge(ws: ClientConnection) -> wire.Nudge:
    while True:  # the override's own push may come first
        message = ws.recv(timeout=RECEIVE_TIMEOUT_S)
        if '"type":"nudge"' in message:
            return wire.Nudge.model_validate_json(message)


def test_polls_answered_from_memory_follow_changes_made_on_the_other_instance(
    tmp_path: Path, fresh_database: str
) -> None:
    """B answers 304 from memory; a change of content and a revocation made on A reach B's answers;
    a restarted B answers from the database first."""
    assert REDIS is not None
    env = {**os.environ, "SIGNAGE_DATABASE_URL": fresh_database, "SIGNAGE_REDIS_URL": REDIS,
           "SIGNAGE_SIGNING_KEY_FILE": str(tmp_path / "signing.key"), "SIGNAGE_SEED_UNITS": "false",
           "SIGNAGE_LOG_LEVEL": "warning"}
    first, port_a = _start(env, tmp_path / "a")
    second, port_b = _start(env, tmp_path / "b")
    try:
        operator, device_token = _arrange(fresh_database)
        before = _poll(port_b, device_token).headers["ETag"]
        assert _poll(port_b, device_token, before).status_code == 304  # B keeps it in memory now
        socket_url = f"ws://127.0.0.1:{port_b}{wire.DEVICE_SOCKET}"
        with connect(socket_url, additional_headers={"Authorization": f"Bearer {device_token}"}) as ws:
            ws.send(wire.Hello(manifest_version=before.strip('"')).model_dump_json())
            with httpx.Client(base_url=f"http://127.0.0.1:{port_a}", headers=operator) as api:
                created = api.post(OVERRIDES, json=body())  # the override enters the manifest
                assert created.status_code == 201, created.text
                assert api.post(f"{OVERRIDES}/{created.json()['id']}/confirm").status_code == 200
            # B relays A's nudge only after the invalidation published before it.
            nudge = _next_nudge(ws)
        changed = _poll(port_b, device_token, before)
        assert changed.status_code == 200 and changed.headers["ETag"] == f'"{nudge.version}"'
        after = changed.headers["ETag"]
        assert _poll(port_b, device_token, after).status_code == 304

        _stop(second)
        second, port_b = _start(env, tmp_path / "b")  # a restart starts with an empty memory
        assert _poll(port_b, device_token, before).status_code == 200
        assert _poll(port_b, device_token, after).status_code == 304

        board_id = _board_id(fresh_database)
        with httpx.Client(base_url=f"http://127.0.0.1:{port_a}", headers=operator) as api:
            assert api.delete(f"/api/v1/boards/{board_id}/devices").status_code == 204
        deadline = time.monotonic() + RECEIVE_TIMEOUT_S
        status = _poll(port_b, device_token, after).status_code
        while status == 304 and time.monotonic() < deadline:  # the invalidation is on its way
            status = _poll(port_b, device_token, after).status_code
        assert status == 401
    finally:
        _stop(first)
        _stop(second)


def _board_id(url: str) -> int:
    """The one board of ``_arrange``."""
    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        board_id = session.exec(select(Board.id)).one()
    engine.dispose()
    assert board_id is not None
    return board_id


def _jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 90), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def _editor(url: str) -> dict[str, str]:
    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        unit = session.exec(select(AdminUnit)).one()
        editor = User(username="editor", role=Role.EDITOR, unit_id=unit.id or 0,
                      password_hash=hash_password("correct horse battery"))
        session.add(editor)
        session.commit()
        token, _row = issue_token(session, editor, TokenKind.API, "test", None)
    engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def test_files_stored_by_one_instance_are_served_by_the_other(two_instances, fresh_database,
                                                              tmp_path) -> None:
    port_a, port_b = two_instances
    operator, device_token = _arrange(fresh_database)
    editor, board_id = _editor(fresh_database), _board_id(fresh_database)
    a = httpx.Client(base_url=f"http://127.0.0.1:{port_a}", timeout=30)
    b = httpx.Client(base_url=f"http://127.0.0.1:{port_b}", timeout=30)
    with a, b:
        uploaded = a.post("/api/v1/media", headers=editor,
                          files={"file": ("lễ hội.jpg", _jpeg("teal"), "image/jpeg")})
        assert uploaded.status_code == 201, uploaded.text
        media = uploaded.json()
        assert not list((tmp_path / "b").rglob(media["sha256"]))  # only A has it on disk
        served = b.get(f"/api/v1/media/{media['id']}/content", headers=editor)
        assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == media["sha256"]
        assert b.get(f"/api/v1/media/{media['id']}/thumbnail", headers=editor).status_code == 200

        socket_url = f"ws://127.0.0.1:{port_b}{wire.DEVICE_SOCKET}"
        with connect(socket_url, additional_headers={"Authorization": f"Bearer {device_token}"}) as ws:
            ws.send(wire.Hello(manifest_version=None).model_dump_json())
            requested = a.post(f"/api/v1/boards/{board_id}/screenshot-request", headers=operator)
            assert requested.status_code == 202, requested.text
            while True:  # a nudge may come first
                message = ws.recv(timeout=RECEIVE_TIMEOUT_S)
                if '"type":"screenshot"' in message:
                    break
            request_id = wire.ScreenshotRequest.model_validate_json(message).request_id
            shot = _jpeg("navy")
            sent = b.post(wire.DEVICE_SCREENSHOTS, headers={"Authorization": f"Bearer {device_token}"},
                          files={"image": ("s.jpg", shot, "image/jpeg")}, data={"request_id": request_id})
            assert sent.status_code in (200, 201), sent.text
        latest = a.get(f"/api/v1/boards/{board_id}/screenshots/latest", headers=operator)
        assert latest.status_code == 200, latest.text
        image = a.get(f"/api/v1/boards/{board_id}/screenshots/{latest.json()['id']}/image", headers=operator)
        assert image.status_code == 200 and image.content == shot
