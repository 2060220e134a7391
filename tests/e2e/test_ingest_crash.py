"""kill -9 of a real server process while a board uploads proof of play: after a restart and a
re-send of everything, every record is stored exactly once (nothing lost, nothing duplicated)."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select

from signage_contract import device as wire
from signage_server.db import make_engine
from signage_server.devices.auth import issue_credential
from signage_server.migrate import upgrade
from signage_server.models import AdminUnit, Board, BoardUnitHistory, PlayLog, UnitLevel
from tests.support.net import free_port

pytestmark = pytest.mark.slow
BATCHES, PER_BATCH = 40, 250
T0 = datetime(2026, 3, 7, tzinfo=UTC)


def _prepare(data_dir: Path) -> str:
    engine = make_engine(f"sqlite:///{data_dir / 'signage.db'}")
    upgrade(engine)
    with Session(engine) as s:
        province = AdminUnit(code="51", level=UnitLevel.PROVINCE, name="Tỉnh Quảng Ngãi",
                             valid_from=date(2025, 7, 1))
        s.add(province)
        s.flush()
        board = Board(name="Bảng tin", unit_id=province.id)
        s.add(board)
        s.flush()
        s.add(BoardUnitHistory(board_id=board.id, unit_id=province.id, valid_from=T0 - timedelta(days=30)))
        s.commit()
        _credential, token = issue_credential(s, board.id, "mini-pc")
    engine.dispose()
    return token


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIGNAGE_SEED_UNITS": "false", "SIGNAGE_LOG_LEVEL": "warning"}
    log = data_dir.parent / "server.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "signage_server.cli", "--data-dir", str(data_dir),
                                 "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # another process: nothing to await but its port
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")) from None
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError("server did not start")


def _batches() -> list[list[dict]]:
    records = [
        {"id": uuid.uuid4().hex, "region_id": "main", "item_id": f"bulletin:{i % 7}", "reason": "scheduled",
         "started_at": (T0 + timedelta(seconds=10 * i)).isoformat(),
         "ended_at": (T0 + timedelta(seconds=10 * i + 10)).isoformat()}
        for i in range(BATCHES * PER_BATCH)
    ]
    return [records[i:i + PER_BATCH] for i in range(0, len(records), PER_BATCH)]


def test_kill_9_during_ingestion_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    token = _prepare(data_dir)
    headers = {"Authorization": f"Bearer {token}"}
    batches = _batches()
    port = free_port()
    server = _start(data_dir, port)
    acknowledged: list[int] = []
    enough = threading.Event()

    def post_until_the_server_dies() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10) as client:
            for batch in batches:
                try:
                    reply = client.post(wire.DEVICE_PLAYS, json={"records": batch})
                except httpx.TransportError:
                    break
                acknowledged.append(wire.PlayBatchReply.model_validate(reply.json()).accepted)
                if len(acknowledged) == 5:
                    enough.set()
        enough.set()

    poster = threading.Thread(target=post_until_the_server_dies)
    poster.start()
    assert enough.wait(60)
    os.kill(server.pid, signal.SIGKILL)  # while the poster is sending the next batches
    server.wait()
    poster.join()
    assert 5 <= len(acknowledged) < BATCHES, "the server should die mid-way"

    server = _start(data_dir, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
            replies = [
                wire.PlayBatchReply.model_validate(client.post(wire.DEVICE_PLAYS, json={"records": b}).json())
                for b in batches
            ]
    finally:
        server.terminate()
        server.wait()
    engine = make_engine(f"sqlite:///{data_dir / 'signage.db'}")
    with Session(engine) as s:
        stored = s.exec(select(func.count()).select_from(PlayLog)).one()
        distinct = s.exec(select(func.count(func.distinct(PlayLog.record_id)))).one()
    engine.dispose()
    assert stored == distinct == BATCHES * PER_BATCH
    assert sum(r.duplicates for r in replies) >= sum(acknowledged)  # acknowledged ones were kept
    assert sum(r.accepted for r in replies) + sum(r.duplicates for r in replies) == BATCHES * PER_BATCH
