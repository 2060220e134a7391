"""Emergency override fan-out: from the API accepting the confirmation to each board receiving the push.

A fleet of simulated boards (async ``websockets`` clients spread over several processes, each
paired as a distinct board with a credential made by ``issue_credential``) connects over loopback
to a real server process (``python -m signage_server.cli``: uvicorn, websockets-sansio, no
per-message deflate). The operator's confirmation is timed from just before the POST; each client
stamps the arrival of the ``OverridePush`` with ``time.time()`` (one machine, one clock shared by
every process) and acknowledges it, as a player does. Beside it, in the same run, a raw
``websockets`` server broadcasts the same message to the same number of client sockets when a
trigger arrives, timed the same way.

Prints p50/p99/max at 1,000 / 5,000 / 10,000 boards (``BENCH_QUICK=1``: 1,000), and the ratio of
the server's p99 to the raw broadcast's. Targets at 10,000: p99 <= 1 s and <= 2x raw.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from signage_contract import device as wire
from signage_server.core.auth import hash_password, issue_token
from signage_server.core.bus import LocalBus
from signage_server.core.keys import load_or_create_signing_key
from signage_server.db import make_engine
from signage_server.devices.auth import issue_credential
from signage_server.manifest.composer import Composer
from signage_server.migrate import upgrade
from signage_server.models import AdminUnit, Board, Role, TokenKind, UnitLevel, User

from .bench_server import _free_port, _serve

QUICK = os.environ.get("BENCH_QUICK") == "1"
SIZES = (1_000,) if QUICK else (1_000, 5_000, 10_000)
PROCESSES = 4
CONNECT_CONCURRENCY = 64
RECEIVE_TIMEOUT_S = 60.0
MARK = '"type":"override"'
OVERRIDES = f"{wire.API_PREFIX}/overrides"


def _raise_nofile() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@dataclass(frozen=True)
class Fleet:
    uri: str
    boards: list[tuple[str, str | None]]  # (bearer token or "", manifest version)


def _fleet_worker(fleet: Fleet, ready: Any, results: Any, close: Any) -> None:
    _raise_nofile()
    asyncio.run(_fleet(fleet, ready, results, close))
    os._exit(0)  # sockets close with the process: a graceful close of thousands proves nothing


async def _fleet(fleet: Fleet, ready: Any, results: Any, close: Any) -> None:
    from websockets.asyncio.client import connect

    received: list[float] = []
    everyone = asyncio.Event()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def board(token: str, version: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with gate:
            ws = await connect(fleet.uri, additional_headers=headers, compression=None,
                               open_timeout=300, ping_interval=None)
            await ws.send(wire.Hello(manifest_version=version).model_dump_json())
        connected.append(ws)
        async for message in ws:
            if isinstance(message, str) and MARK in message:
                received.append(time.time())
                override_id = json.loads(message)["override"]["id"]
                ack = {"type": "override_ack", "override_id": override_id, "stage": "received",
                       "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                await ws.send(json.dumps(ack))
                if len(received) == len(fleet.boards):
                    everyone.set()

    connected: list[Any] = []
    tasks = [asyncio.create_task(board(token, version)) for token, version in fleet.boards]
    while len(connected) < len(fleet.boards):
        await asyncio.sleep(0.05)  # connection set-up: not part of any figure
        failed = [t for t in tasks if t.done() and t.exception() is not None]
        if failed:
            raise RuntimeError(f"client failed: {failed[0].exception()!r}")
    ready.put(len(connected))
    with contextlib.suppress(TimeoutError):  # report what arrived; the figures say how many
        await asyncio.wait_for(everyone.wait(), RECEIVE_TIMEOUT_S)
    results.put(received)
    results.close()
    results.join_thread()
    await asyncio.get_running_loop().run_in_executor(None, close.wait)


def _run_fleet(
    uri: str, boards: list[tuple[str, str | None]], trigger: Any
) -> tuple[list[float], float, Any]:
    """Connect the fleet, call ``trigger()`` (returns the wall-clock start), gather arrival times."""
    ctx = multiprocessing.get_context("spawn")
    ready, results, close = ctx.Queue(), ctx.Queue(), ctx.Event()
    shares = [boards[i::PROCESSES] for i in range(PROCESSES)]
    procs = [ctx.Process(target=_fleet_worker, args=(Fleet(uri, share), ready, results, close))
             for share in shares if share]
    for proc in procs:
        proc.start()
    try:
        connected = sum(ready.get(timeout=600) for _ in procs)
        assert connected == len(boards), f"{connected} of {len(boards)} connected"
        started, extra = trigger()
        arrivals = [t for _ in procs for t in results.get(timeout=RECEIVE_TIMEOUT_S + 60)]
    finally:
        close.set()
        for proc in procs:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.kill()
    return [t - started for t in arrivals], started, extra


def _figures(latencies: list[float], expected: int) -> str:
    if len(latencies) < 2:
        return f"received {len(latencies)} of {expected}"
    p99 = statistics.quantiles(latencies, n=100)[98]
    return (f"p50 {statistics.median(latencies) * 1e3:.0f} ms, p99 {p99 * 1e3:.0f} ms, "
            f"max {max(latencies) * 1e3:.0f} ms, received {len(latencies)} of {expected}")


def _p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 2 else float("inf")


# --- the raw baseline: a bare websockets server broadcasting to every connected socket -------------


def _raw_server(port: int, ready: Any) -> None:
    _raise_nofile()
    logging.getLogger("websockets").setLevel(logging.CRITICAL)  # clients leave by exiting

    async def main() -> None:
        from websockets.asyncio.server import ServerConnection, broadcast, serve
        from websockets.exceptions import ConnectionClosed

        boards: set[ServerConnection] = set()

        async def handler(ws: ServerConnection) -> None:
            if ws.request is not None and ws.request.path == "/trigger":
                async for message in ws:
                    broadcast(boards, message)
                return
            boards.add(ws)
            try:
                async for _message in ws:
                    pass  # hello and acks: read and dropped
            except ConnectionClosed:
                pass
            finally:
                boards.discard(ws)

        async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None):
            ready.set()
            await asyncio.Future()

    asyncio.run(main())


def _raw_trigger(port: int, payload: str) -> Any:
    from websockets.sync.client import connect

    def trigger() -> tuple[float, None]:
        with connect(f"ws://127.0.0.1:{port}/trigger", compression=None) as ws:
            started = time.time()
            ws.send(payload)
        return started, None

    return trigger


# --- the signage server ----------------------------------------------------------------------------


def _prepare(data_dir: Path, count: int) -> tuple[dict[str, str], list[tuple[str, str | None]], list[int]]:
    """A province, communes, ``count`` boards each paired (a credential each), manifests composed."""
    engine = make_engine(f"sqlite:///{data_dir / 'signage.db'}")
    upgrade(engine)
    with Session(engine) as session:
        province = AdminUnit(code="51", level=UnitLevel.PROVINCE, name="Tỉnh Quảng Ngãi",
                             valid_from=date(2025, 7, 1))
        session.add(province)
        session.flush()
        communes = [AdminUnit(code=f"2{i:04d}", level=UnitLevel.COMMUNE, name=f"Xã {i}",
                              parent_id=province.id, valid_from=date(2025, 7, 1)) for i in range(50)]
        session.add_all(communes)
        session.flush()
        boards = [Board(name=f"Bảng {i}", unit_id=communes[i % len(communes)].id or 0) for i in range(count)]
        operator = User(username="operator", role=Role.OPERATOR, unit_id=province.id or 0,
                        password_hash=hash_password("correct horse battery"))
        session.add_all([*boards, operator])
        session.commit()
        api_token, _row = issue_token(session, operator, TokenKind.API, "bench", None)
        ids = [b.id for b in boards if b.id is not None]
    tokens = [_pair(engine, board_id) for board_id in ids]
    composer = Composer(engine, load_or_create_signing_key(data_dir / "signing.key"), LocalBus(), 60)
    with Session(engine) as session:
        composer.recompose(session, None)
        versions = {board_id: composer.current_version(session, board_id)[0] for board_id in ids}
    engine.dispose()
    return ({"Authorization": f"Bearer {api_token}"},
            [(token, versions[board_id]) for token, board_id in zip(tokens, ids, strict=True)], ids)


def _pair(engine: Any, board_id: int) -> str:
    # A session per board: one session committing 10,000 times would expire every object it holds
    # on each commit.
    with Session(engine) as session:
        return issue_credential(session, board_id, f"sim-{board_id}")[1]


def _server_trigger(api: httpx.Client, board_ids: list[int]) -> Any:
    def trigger() -> tuple[float, tuple[int, float]]:
        created = api.post(OVERRIDES, json={
            "title": "Bão số 13: khẩn cấp sơ tán", "body": "Người dân vùng ven biển di chuyển ngay.",
            "risk_level": 5, "target": {"board_ids": board_ids},
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))})
        created.raise_for_status()
        override_id = int(created.json()["id"])
        started = time.time()
        api.post(f"{OVERRIDES}/{override_id}/confirm").raise_for_status()
        return started, (override_id, time.time() - started)

    return trigger


def main() -> None:
    _raise_nofile()
    largest = max(SIZES)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        began = time.perf_counter()
        operator, boards, board_ids = _prepare(data_dir, largest)
        print(f"{largest} boards paired and composed in {time.perf_counter() - began:.0f} s "
              f"(clients in {PROCESSES} processes; times are time.time() on one machine)")
        ctx = multiprocessing.get_context("spawn")
        raw_ready, raw_port = ctx.Event(), _free_port()
        raw = ctx.Process(target=_raw_server, args=(raw_port, raw_ready), daemon=True)
        raw.start()
        raw_ready.wait(30)
        port = _free_port()
        env = {**os.environ, "SIGNAGE_DATA_DIR": str(data_dir), "SIGNAGE_LOG_LEVEL": "warning",
               "SIGNAGE_SEED_UNITS": "false"}
        server = _serve([sys.executable, "-m", "signage_server.cli", "--port", str(port)], env, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=operator, timeout=120) as api:
                for size in SIZES:
                    _one_size(size, api, port, raw_port, boards[:size], board_ids[:size])
        finally:
            server.terminate()
            server.wait()
            raw.kill()


def _one_size(size: int, api: httpx.Client, port: int, raw_port: int,
              boards: list[tuple[str, str | None]], board_ids: list[int]) -> None:
    sample = wire.OverridePush.model_validate_json(json.dumps({"override": {
        "id": "1", "title": "Bão số 13: khẩn cấp sơ tán", "body": "Người dân vùng ven biển di chuyển ngay.",
        "risk_level": 5, "starts_at": "2026-11-23T07:00:00Z", "expires_at": "2026-11-23T08:00:00Z",
        "issued_at": "2026-11-23T07:00:00Z"}})).model_dump_json()
    raw, _started, _ = _run_fleet(f"ws://127.0.0.1:{raw_port}/board", [("", None)] * size,
                                  _raw_trigger(raw_port, sample))
    ours, started, (override_id, answered) = _run_fleet(
        f"ws://127.0.0.1:{port}{wire.DEVICE_SOCKET}", boards, _server_trigger(api, board_ids))
    api.post(f"{OVERRIDES}/{override_id}/cancel").raise_for_status()
    print(f"{size:>6} boards  server: {_figures(ours, size)}; confirm answered in {answered * 1e3:.0f} ms"
          f" (started at {started:.3f})")
    print(f"{size:>6} boards  raw websockets broadcast: {_figures(raw, size)}")
    target = "  [targets at 10,000: p99 <= 1 s and <= 2x raw]" if size == 10_000 else ""
    print(f"{size:>6} boards  ratio p99 server / raw: {_p99(ours) / _p99(raw):.2f}{target}", flush=True)


if __name__ == "__main__":
    main()
