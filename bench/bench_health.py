"""Heartbeat ingestion by one server instance (a real uvicorn process, SQLite in its data dir).

Load comes from separate processes over loopback: each keep-alive connection posts heartbeats for
its own set of paired boards, one after another, for a fixed duration. Beside it, in the same run,
a trivial FastAPI POST endpoint on the same server stack gives the raw baseline. Target: >= 2,000
heartbeats/s (10,000 boards at 30 s need 333/s).

``BENCH_QUICK=1`` shrinks the fleet and the durations.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session

from signage_contract import device as wire
from signage_server.db import make_engine
from signage_server.devices.auth import hash_token, new_token
from signage_server.migrate import upgrade
from signage_server.models import AdminUnit, Board, BoardUnitHistory, DeviceCredential, UnitLevel

from .bench_server import _free_port, _serve
from .loadgen import _read_response

QUICK = os.environ.get("BENCH_QUICK") == "1"
BOARDS = 1_000 if QUICK else 10_000
LOAD_SECONDS = 2.0 if QUICK else 5.0
PROCESSES = 4
CONNECTIONS_PER_PROCESS = 16

TRIVIAL_APP = """
from typing import Any
from fastapi import FastAPI
app = FastAPI()
@app.post("/beat")
def beat(body: dict[str, Any]) -> dict[str, str]:
    return {"status": "ok"}
"""


def _populate(data_dir: Path) -> list[str]:
    """Boards with device credentials (inserted directly: pairing each one is not the point)."""
    engine = make_engine(f"sqlite:///{data_dir / 'signage.db'}")
    upgrade(engine)
    tokens = [new_token() for _ in range(BOARDS)]
    with Session(engine) as session:
        province = AdminUnit(code="51", level=UnitLevel.PROVINCE, name="Tỉnh Quảng Ngãi",
                             valid_from=date(2025, 7, 1))
        session.add(province)
        session.flush()
        assert province.id is not None
        boards = [Board(name=f"Bảng {i}", unit_id=province.id) for i in range(BOARDS)]
        session.add_all(boards)
        session.flush()
        now = datetime.now(UTC)
        for board, token in zip(boards, tokens, strict=True):
            assert board.id is not None
            session.add(BoardUnitHistory(board_id=board.id, unit_id=province.id, valid_from=now))
            session.add(DeviceCredential(board_id=board.id, token_hash=hash_token(token), hardware_id="b"))
        session.commit()
    engine.dispose()
    return tokens


def _post(path: str, host: str, body: bytes, token: str | None) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive",
             "Content-Type: application/json", f"Content-Length: {len(body)}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _connection(port: int, requests: list[bytes], deadline: float, statuses: dict[int, int]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    count = 0
    try:
        while time.perf_counter() < deadline:
            writer.write(requests[count % len(requests)])
            status = await _read_response(reader)
            statuses[status] = statuses.get(status, 0) + 1
            count += 1
    finally:
        writer.close()
    return count


async def _worker_async(port: int, per_connection: list[list[bytes]], seconds: float
                        ) -> tuple[int, float, dict[int, int]]:
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    deadline = started + seconds
    counts = await asyncio.gather(*(_connection(port, reqs, deadline, statuses) for reqs in per_connection))
    return sum(counts), time.perf_counter() - started, statuses


def _worker(args: tuple[int, list[list[bytes]], float]) -> tuple[int, float, dict[int, int]]:
    return asyncio.run(_worker_async(*args))


def _load(port: int, path: str, tokens: list[str | None], seconds: float) -> tuple[float, dict[int, int]]:
    """Requests per second over PROCESSES x CONNECTIONS_PER_PROCESS connections; the tokens are
    dealt out to the connections, each cycling through its own."""
    host = f"127.0.0.1:{port}"
    connections = PROCESSES * CONNECTIONS_PER_PROCESS
    beat = wire.Heartbeat(sent_at=datetime.now(UTC), software_version="bench", uptime_s=1,
                          regions={"main": "bulletin:1"}, screen_state="on")
    body = json.dumps(beat.model_dump(mode="json")).encode()
    requests = [[_post(path, host, body, t) for t in tokens[c::connections]] for c in range(connections)]
    args = [(port, requests[p::PROCESSES], seconds) for p in range(PROCESSES)]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        results = pool.map(_worker, args)
    statuses: dict[int, int] = {}
    for _n, _s, part in results:
        for status, n in part.items():
            statuses[status] = statuses.get(status, 0) + n
    return sum(n for n, _s, _p in results) / max(s for _n, s, _p in results), statuses


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        tokens = _populate(data_dir)
        print(f"{BOARDS} paired boards prepared in {time.perf_counter() - started:.1f} s")
        env = {**os.environ, "SIGNAGE_DATA_DIR": str(data_dir), "SIGNAGE_LOG_LEVEL": "warning",
               "SIGNAGE_SEED_UNITS": "false"}
        port = _free_port()
        server = _serve([sys.executable, "-m", "signage_server.cli", "--port", str(port)], env, port)
        try:
            beats, statuses = _load(port, wire.DEVICE_HEARTBEAT, list(tokens), LOAD_SECONDS)
        finally:
            server.terminate()
            server.wait()
        (data_dir / "trivial_app.py").write_text(TRIVIAL_APP)
        port = _free_port()
        trivial = _serve([sys.executable, "-m", "uvicorn", "trivial_app:app", "--port", str(port),
                          "--log-level", "warning"], {**env, "PYTHONPATH": str(data_dir)}, port)
        try:
            connections = PROCESSES * CONNECTIONS_PER_PROCESS
            baseline, base_statuses = _load(port, "/beat", [None] * connections, LOAD_SECONDS)
        finally:
            trivial.terminate()
            trivial.wait()
    print(f"heartbeats ingested: {beats:,.0f}/s (statuses {statuses})  [target >= 2,000/s]")
    print(f"trivial FastAPI POST endpoint, same server stack: {baseline:,.0f}/s (statuses {base_statuses})")
    print(f"ratio heartbeat / trivial POST: {beats / baseline:.2f}")


if __name__ == "__main__":
    main()
