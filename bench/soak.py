"""``make soak``: a fleet of simulated boards against real server processes for a long run.

Outside ``make test`` and ``make bench`` (it runs for an hour by default). Two runs:

- **one instance**, ``SOAK_BOARDS`` boards (10,000) on the configured database: PostgreSQL when
  ``SOAK_POSTGRES_URL`` is set (a database that is emptied), SQLite otherwise;
- **two instances** sharing PostgreSQL and Redis (``SOAK_POSTGRES_URL``, ``SOAK_REDIS_URL``), half the
  boards on each (skipped, saying so, without them).

Each lasts ``SOAK_MINUTES`` (30). Every simulated board keeps a WebSocket open (hello with its
manifest version; acknowledges overrides as a player does; fetches its manifest when nudged), sends
a heartbeat every 30 s and polls its manifest every 60 s (the player's rates), in several client
processes. Over the run the controller makes 100 content changes through the API as an editor and
an approver would (an edit of an approved bulletin, then its approval), confirms 3 emergency
overrides to every board (the last at 5/6 of the run, "minute 25" of 30) and cancels each a minute
later, and every minute 1 % of the boards drop their socket and reconnect.

It prints a table per run: errors (0), lost acknowledgements (acks sent by boards but not stored as
receipts: 0), RSS growth of each server over the last 2/3 of the run (< 5 %), the last override's p99
beside a raw ``websockets`` broadcast to as many sockets in the same run, server CPU per 1,000
boards, and each server's own event-loop stalls of a second or more and garbage collections of
0.2 s or more (from its log, where ``core/loop_watch.py`` also wrote the stack each stall was
running). ``SOAK_RUNS=one`` or ``two``
runs only that one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from datetime import time as dtime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, func, select

from signage_contract import device as wire
from signage_server.content.layout_sync import sync_builtin_layouts
from signage_server.core.auth import hash_password, issue_token
from signage_server.core.bus import LocalBus
from signage_server.core.keys import load_or_create_signing_key
from signage_server.db import make_engine
from signage_server.manifest.composer import Composer
from signage_server.migrate import upgrade
from signage_server.models import (
    AdminUnit,
    Board,
    Bulletin,
    ContentState,
    ItemKind,
    OverrideReceipt,
    Playlist,
    PlaylistItem,
    Role,
    Schedule,
    ScheduleRegion,
    TargetKind,
    TokenKind,
    UnitLevel,
    User,
)

from .bench_emergency import _figures, _p99, _pair, _raise_nofile, _raw_server, _raw_trigger, _run_fleet
from .bench_server import _free_port, _serve, server_log

MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
BOARDS = int(os.environ.get("SOAK_BOARDS", "10000"))
RUNS = os.environ.get("SOAK_RUNS", "both")
POSTGRES_URL = os.environ.get("SOAK_POSTGRES_URL", "")
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "")
PROCESSES = 4
COMMUNES = 50
CHANGES = 100
OVERRIDE_AT = (1 / 6, 1 / 2, 5 / 6)  # minutes 5, 15 and 25 of 30
RECONNECT_SHARE = 0.01
HEARTBEAT_S = wire.HEARTBEAT_INTERVAL_S
POLL_S = 60.0
SAMPLE_S = 15.0
VALID = date(2025, 7, 1)


# --- the province ------------------------------------------------------------------------------------


@dataclass
class Province:
    editor: dict[str, str]
    approver: dict[str, str]
    operator: dict[str, str]
    boards: list[tuple[str, str | None]]  # (device token, manifest version)
    board_ids: list[int]
    bulletin_ids: list[int]


def _empty(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _prepare(url: str, data_dir: Path, count: int) -> Province:
    """A province of ``COMMUNES`` communes, each with its own bulletin on its boards; ``count``
    boards paired and composed; an editor, an approver and an operator with API tokens."""
    engine = make_engine(url)
    upgrade(engine)
    sync_builtin_layouts(engine)
    with Session(engine) as session:
        province = AdminUnit(code="51", level=UnitLevel.PROVINCE, name="Tỉnh Quảng Ngãi", valid_from=VALID)
        session.add(province)
        session.flush()
        assert province.id is not None
        communes = [AdminUnit(code=f"2{i:04d}", level=UnitLevel.COMMUNE, name=f"Xã {i}",
                              parent_id=province.id, valid_from=VALID) for i in range(COMMUNES)]
        session.add_all(communes)
        session.flush()
        session.add_all([Board(name=f"Bảng {i}", unit_id=communes[i % COMMUNES].id or 0)
                         for i in range(count)])
        bulletins = []
        for commune in communes:
            bulletin = Bulletin(unit_id=province.id, title=f"Thông báo {commune.name}",
                                body="Lịch tiếp công dân tuần này: sáng thứ Hai và thứ Năm.",
                                state=ContentState.PUBLISHED)
            playlist = Playlist(unit_id=province.id, name=f"Bản tin {commune.name}",
                                state=ContentState.PUBLISHED)
            session.add_all([bulletin, playlist])
            session.flush()
            session.add(PlaylistItem(playlist_id=playlist.id, position=0, kind=ItemKind.BULLETIN,
                                     bulletin_id=bulletin.id))
            schedule = Schedule(unit_id=province.id, name=f"Lịch {commune.name}",
                                layout_id="main_ticker_clock", target_kind=TargetKind.UNIT,
                                target_unit_id=commune.id, weekdays=[],
                                daily_start=dtime(0, 0), daily_end=dtime(0, 0), priority=0,
                                state=ContentState.PUBLISHED)
            session.add(schedule)
            session.flush()
            session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
            bulletins.append(bulletin.id or 0)
        people = {role: User(username=role.value, role=role, unit_id=province.id,
                             password_hash=hash_password("một mật khẩu dài cho thử tải"))
                  for role in (Role.EDITOR, Role.APPROVER, Role.OPERATOR)}
        session.add_all(people.values())
        session.commit()
        tokens_by_role = {role: issue_token(session, user, TokenKind.API, "soak", None)[0]
                          for role, user in people.items()}
        headers = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens_by_role.items()}
        ids = list(session.exec(select(Board.id).order_by(col(Board.id))).all())
    tokens = [_pair(engine, board_id) for board_id in ids if board_id is not None]
    composer = Composer(engine, load_or_create_signing_key(data_dir / "signing.key"), LocalBus(), 60)
    with Session(engine) as session:
        composer.recompose(session, None)
        versions = [composer.current_version(session, board_id)[0]
                    for board_id in ids if board_id is not None]
    engine.dispose()
    return Province(headers[Role.EDITOR], headers[Role.APPROVER], headers[Role.OPERATOR],
                    list(zip(tokens, versions, strict=True)), [i for i in ids if i is not None], bulletins)


# --- the fleet ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one client process saw."""

    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    # override id -> board index -> first arrival (a board that reconnects is sent it again: counted once)
    arrivals: dict[str, dict[int, float]] = field(default_factory=dict)
    acks: dict[str, set[int]] = field(default_factory=dict)  # override id -> board indexes that acked
    # request kind -> seconds from sending to the answer (or the error), to tell a slow server
    latency: dict[str, list[float]] = field(default_factory=dict)
    # how late this process's event loop woke from a 0.5 s sleep: a busy client, not the server
    lag: list[float] = field(default_factory=list)

    def took(self, what: str, since: float) -> None:
        self.latency.setdefault(what, []).append(time.monotonic() - since)

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


class NetworkError(Exception):
    """The connection failed or closed before a whole answer came."""


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]


class LeanHttp:
    """HTTP/1.1 keep-alive requests over asyncio streams, for the simulated fleet: with httpx the
    four client processes took ~1.5 of the machine's 2 cores at 10,000 boards and starved the server
    they measure. Answers must carry Content-Length (the server's do); a connection idle longer
    than the server keeps one (uvicorn: 5 s) is not reused."""

    IDLE_S = 4.0

    def __init__(self, base: str, size: int, timeout: float) -> None:
        host, port = base.removeprefix("http://").split(":")
        self._host, self._port, self._timeout = host, int(port), timeout
        self._idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(size)

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Answer:
        async with self._slots:
            try:
                return await asyncio.wait_for(self._exchange(method, path, headers, body), self._timeout)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                raise NetworkError(type(exc).__name__) from exc

    async def _exchange(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        reader, writer = await self._connection()
        try:
            head = [f"{method} {path} HTTP/1.1", f"Host: {self._host}:{self._port}",
                    f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            fields = (line.partition(":") for line in lines[1:] if line)
            found = {k.strip().lower(): v.strip() for k, _, v in fields}
            await reader.readexactly(int(found.get("content-length", "0")))
        except BaseException:
            writer.close()
            raise
        if found.get("connection", "").lower() == "close":
            writer.close()
        else:
            self._idle.append((time.monotonic(), reader, writer))
        return Answer(int(lines[0].split()[1]), found)

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self._idle:
            since, reader, writer = self._idle.pop()
            if time.monotonic() - since < self.IDLE_S and not reader.at_eof():
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self._host, self._port)

    async def aclose(self) -> None:
        for _since, _reader, writer in self._idle:
            writer.close()
        self._idle.clear()


@dataclass(frozen=True)
class Share:
    bases: list[str]  # http://127.0.0.1:PORT of each instance; board i uses bases[i % len]
    boards: list[tuple[int, str, str | None]]  # (index in the fleet, token, manifest version)
    seconds: float
    seed: int


def _client_worker(share: Share, ready: Any, results: Any) -> None:
    _raise_nofile()
    tally = asyncio.run(_client(share, ready))
    results.put(tally)
    results.close()
    results.join_thread()
    os._exit(0)  # thousands of sockets close with the process


async def _client(share: Share, ready: Any) -> Tally:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    tally = Tally()
    rng = random.Random(share.seed)
    end = time.monotonic() + share.seconds
    sockets: dict[int, Any] = {}
    connected = asyncio.Semaphore(64)
    clients = {base: LeanHttp(base, 48, 60) for base in share.bases}
    started = 0

    async def fetch(http: LeanHttp, token: str, version: list[str | None], why: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if version[0]:
            headers["If-None-Match"] = f'"{version[0]}"'
        since = time.monotonic()
        try:
            answer = await http.request("GET", wire.DEVICE_MANIFEST, headers)
        except NetworkError as exc:
            tally.took(why, since)
            tally.error(f"{why} ({exc})")
            return
        tally.took(why, since)
        if answer.status_code == 200:
            version[0] = answer.headers.get("etag", "").strip('"') or version[0]
            tally.count(f"{why} 200")
        elif answer.status_code == 304:
            tally.count(f"{why} 304")
        else:
            tally.error(f"{why} {answer.status_code}")

    deferred: set[int] = set()  # boards whose nudged fetch waits for its moment
    fetches: set[asyncio.Task[None]] = set()  # cancelled with the rest at the end

    async def nudged(index: int, http: LeanHttp, token: str, version: list[str | None],
                     delay: float) -> None:
        await asyncio.sleep(delay)
        deferred.discard(index)
        await fetch(http, token, version, "nudged fetch")

    async def board(index: int, token: str, version: list[str | None]) -> None:
        nonlocal started
        http = clients[share.bases[index % len(share.bases)]]
        base = share.bases[index % len(share.bases)]
        uri = base.replace("http://", "ws://") + wire.DEVICE_SOCKET
        headers = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < end:
            try:
                async with connected:
                    ws = await connect(uri, additional_headers=headers, compression=None, open_timeout=120,
                                       ping_interval=None)
                    await ws.send(wire.Hello(manifest_version=version[0]).model_dump_json())
                if index not in sockets:
                    started += 1
                sockets[index] = ws
                async for message in ws:
                    if not isinstance(message, str):
                        continue
                    parsed = json.loads(message)
                    kind = parsed.get("type")
                    if kind == "override":
                        override_id = parsed["override"]["id"]
                        tally.arrivals.setdefault(override_id, {}).setdefault(index, time.time())
                        ack = wire.OverrideAck(override_id=override_id, stage="received",
                                               at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
                        await ws.send(ack.model_dump_json())
                        tally.acks.setdefault(override_id, set()).add(index)
                    elif kind == "nudge":
                        tally.count("nudge")
                        if index not in deferred:  # as the player: one deferred fetch at a time
                            deferred.add(index)
                            within = min(float(parsed.get("within_s", 0)), wire.NUDGE_SPREAD_MAX_S)
                            later = asyncio.get_running_loop().create_task(
                                nudged(index, http, token, version, rng.uniform(0, within)))
                            fetches.add(later)
                            later.add_done_callback(fetches.discard)
                    tally.count(f"socket {kind}")
            except ConnectionClosed:
                pass
            except (OSError, InvalidStatus, TimeoutError) as exc:
                tally.error(f"socket {type(exc).__name__}")
                await asyncio.sleep(1 + rng.random())
            if time.monotonic() < end:
                tally.count("reconnect")

    async def heartbeats(index: int, token: str) -> None:
        http = clients[share.bases[index % len(share.bases)]]
        await asyncio.sleep(rng.uniform(0, HEARTBEAT_S))
        while time.monotonic() < end:
            beat = wire.Heartbeat(sent_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                  software_version="soak", uptime_s=1, screen_state="on")
            since = time.monotonic()
            try:
                answer = await http.request("POST", wire.DEVICE_HEARTBEAT,
                                            {"Authorization": f"Bearer {token}",
                                             "Content-Type": "application/json"},
                                            beat.model_dump_json().encode())
                if answer.status_code >= 300:
                    tally.error(f"heartbeat {answer.status_code}")
                else:
                    tally.count("heartbeat")
            except NetworkError as exc:
                tally.error(f"heartbeat ({exc})")
            tally.took("heartbeat", since)
            await asyncio.sleep(HEARTBEAT_S)

    async def polls(index: int, token: str, version: list[str | None]) -> None:
        http = clients[share.bases[index % len(share.bases)]]
        await asyncio.sleep(rng.uniform(0, POLL_S))
        while time.monotonic() < end:
            await fetch(http, token, version, "poll")
            await asyncio.sleep(POLL_S)

    async def churn() -> None:
        """Every minute 1 % of this process's boards drop their socket (they reconnect at once)."""
        while time.monotonic() < end:
            await asyncio.sleep(60)
            for index in rng.sample(sorted(sockets), max(1, round(len(sockets) * RECONNECT_SHARE))):
                with contextlib.suppress(Exception):
                    await sockets[index].close()

    async def watch_lag() -> None:
        """Samples the loop's lag; each minute prints what this process saw (a live view of a run)."""
        shown = time.monotonic()
        while time.monotonic() < end:
            before = time.monotonic()
            await asyncio.sleep(0.5)
            tally.lag.append(time.monotonic() - before - 0.5)
            if time.monotonic() - shown >= 60:
                shown = time.monotonic()
                print(f"  client {share.seed}: {_brief(tally)}", flush=True)

    versions = {i: [version] for i, _token, version in share.boards}  # what each board holds now
    tasks = [asyncio.create_task(board(i, token, versions[i])) for i, token, _v in share.boards]
    while started < len(share.boards):
        await asyncio.sleep(0.05)  # connection set-up is not part of the run
    ready.put(len(share.boards))
    tasks += [asyncio.create_task(heartbeats(i, token)) for i, token, _v in share.boards]
    tasks += [asyncio.create_task(polls(i, token, versions[i])) for i, token, _v in share.boards]
    tasks += [asyncio.create_task(churn()), asyncio.create_task(watch_lag())]
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    tasks += fetches
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for client in clients.values():
        await client.aclose()
    return tally


def _quantiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"p50 {at(0.5) * 1e3:.0f} ms, p99 {at(0.99) * 1e3:.0f} ms, max {ordered[-1] * 1e3:.0f} ms"


def _brief(tally: Tally) -> str:
    done = ", ".join(f"{k} {v}" for k, v in sorted(tally.counts.items()) if not k.startswith("socket"))
    latency = "; ".join(f"{k} {_quantiles(v[-2000:])}" for k, v in sorted(tally.latency.items()))
    return (f"{done}; errors {sum(tally.errors.values())} {tally.errors or ''}; "
            f"loop lag {_quantiles(tally.lag[-120:])}; {latency}")


# --- the controller ----------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float
    rss: list[int]  # bytes, per instance
    cpu: list[float]  # seconds, per instance


def _rss_cpu(pid: int) -> tuple[int, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return rss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _change(api: httpx.Client, province: Province, n: int) -> None:
    bulletin_id = province.bulletin_ids[n % len(province.bulletin_ids)]
    edited = api.patch(f"/api/v1/bulletins/{bulletin_id}", headers=province.editor,
                       json={"body": f"Lịch tiếp công dân tuần này (bản {n}): sáng thứ Hai và thứ Năm."})
    edited.raise_for_status()
    queue = api.get("/api/v1/submissions/queue", headers=province.approver)
    queue.raise_for_status()
    for submission in queue.json():
        api.post(f"/api/v1/submissions/{submission['id']}/decision", headers=province.approver,
                 json={"state": "approved"}).raise_for_status()


def _override(api: httpx.Client, province: Province, n: int) -> tuple[str, float]:
    created = api.post("/api/v1/overrides", headers=province.operator, json={
        "title": f"Bão số {n + 1}: khẩn cấp", "body": "Người dân vùng ven biển di chuyển đến nơi an toàn.",
        "risk_level": 4, "target": {"board_ids": province.board_ids},
        "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))})
    created.raise_for_status()
    override_id = str(created.json()["id"])
    started = time.time()
    api.post(f"/api/v1/overrides/{override_id}/confirm", headers=province.operator).raise_for_status()
    return override_id, started


def _run(label: str, url: str, redis: str | None, instances: int, count: int) -> None:
    seconds = MINUTES * 60
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        began = time.perf_counter()
        province = _prepare(url, data_dir, count)
        print(f"[{label}] {count} boards paired and composed in {time.perf_counter() - began:.0f} s; "
              f"{instances} instance(s), {MINUTES:g} min", flush=True)
        env = {**os.environ, "SIGNAGE_DATA_DIR": str(data_dir), "SIGNAGE_LOG_LEVEL": "warning",
               "SIGNAGE_SEED_UNITS": "false", "SIGNAGE_DATABASE_URL": url}
        if redis:
            env["SIGNAGE_REDIS_URL"] = redis
        ports = [_free_port() for _ in range(instances)]
        command = [sys.executable, "-m", "signage_server.cli", "--port"]
        servers = [_serve([*command, str(p)], env, p) for p in ports]
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        ctx = multiprocessing.get_context("spawn")
        ready, results = ctx.Queue(), ctx.Queue()
        fleet = [(i, token, version) for i, (token, version) in enumerate(province.boards)]
        shares = [Share(bases, fleet[k::PROCESSES], seconds, k) for k in range(PROCESSES)]
        procs = [ctx.Process(target=_client_worker, args=(share, ready, results)) for share in shares]
        overrides: list[tuple[str, float]] = []
        samples: list[Sample] = []
        controller_errors: list[str] = []
        try:
            for proc in procs:
                proc.start()
            connected = sum(ready.get(timeout=900) for _ in procs)
            t0 = time.monotonic()
            print(f"[{label}] {connected} boards connected; soaking", flush=True)
            events = sorted([(seconds * (k + 0.5) / CHANGES, "change", k) for k in range(CHANGES)]
                            + [(seconds * at, "override", k) for k, at in enumerate(OVERRIDE_AT)]
                            + [(seconds * at + 60, "cancel", k) for k, at in enumerate(OVERRIDE_AT)]
                            + [(s * SAMPLE_S, "sample", 0) for s in range(int(seconds // SAMPLE_S) + 1)])
            with httpx.Client(base_url=bases[0], timeout=120) as api:
                for at, what, k in events:
                    delay = t0 + at - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)  # the controller's clock: events at set minutes of the run
                    try:
                        if what == "change":
                            _change(api, province, k)
                        elif what == "override":
                            overrides.append(_override(api, province, k))
                            print(f"[{label}] override {overrides[-1][0]} confirmed at minute "
                                  f"{(time.monotonic() - t0) / 60:.1f}", flush=True)
                        elif what == "cancel" and k < len(overrides):
                            api.post(f"/api/v1/overrides/{overrides[k][0]}/cancel",
                                     headers=province.operator).raise_for_status()
                        elif what == "sample":
                            figures = [_rss_cpu(s.pid) for s in servers]
                            samples.append(Sample(time.monotonic() - t0, [f[0] for f in figures],
                                                  [f[1] for f in figures]))
                            if len(samples) >= 5 and len(samples) % 4 == 1:  # each minute
                                cpu = sum(samples[-1].cpu) - sum(samples[-5].cpu)
                                print(f"[{label}] minute {samples[-1].at / 60:.0f}: server CPU "
                                      f"{cpu / (samples[-1].at - samples[-5].at) * 100:.0f} %, RSS "
                                      f"{[round(r / 1e6) for r in samples[-1].rss]} MB", flush=True)
                    except httpx.HTTPError as exc:
                        controller_errors.append(f"{what} {k}: {exc!r}")
            tallies: list[Tally] = [results.get(timeout=600) for _ in procs]
            receipts = _receipts(url, [o for o, _ in overrides])
        finally:
            for proc in procs:
                proc.join(timeout=60)
                if proc.is_alive():
                    proc.kill()
            for server in servers:
                server.terminate()
                server.wait(timeout=60)
        raw = _raw_baseline(count)
        stalls = [_stalls(server_log(port)) for port in ports]
        _report(label, count, instances, tallies, overrides, receipts, samples, controller_errors, raw,
                stalls)
        for port in ports:
            lines = server_log(port).read_text(errors="replace").splitlines()
            print(f"  server log {server_log(port)}: {len(lines)} lines"
                  + (f", last: {lines[-1][:160]}" if lines else ""), flush=True)


def _receipts(url: str, override_ids: list[str]) -> dict[str, int]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = {oid: session.exec(select(func.count()).select_from(OverrideReceipt).where(
            OverrideReceipt.override_id == int(oid), col(OverrideReceipt.received_at).is_not(None))).one()
            for oid in override_ids}
    engine.dispose()
    return found


def _raw_baseline(count: int) -> list[float]:
    """A raw websockets broadcast to as many sockets, in the same run (after the soak: same machine)."""
    ctx = multiprocessing.get_context("spawn")
    raw_ready, raw_port = ctx.Event(), _free_port()
    raw = ctx.Process(target=_raw_server, args=(raw_port, raw_ready), daemon=True)
    raw.start()
    raw_ready.wait(30)
    sample = json.dumps({"type": "override", "override": {
        "id": "1", "title": "Bão số 3: khẩn cấp",
        "body": "Người dân vùng ven biển di chuyển đến nơi an toàn.",
        "risk_level": 4, "starts_at": "2026-11-23T07:00:00Z", "expires_at": "2026-11-23T08:00:00Z",
        "issued_at": "2026-11-23T07:00:00Z"}}, ensure_ascii=False, separators=(",", ":"))
    try:
        latencies, _started, _ = _run_fleet(f"ws://127.0.0.1:{raw_port}/board", [("", None)] * count,
                                            _raw_trigger(raw_port, sample))
    finally:
        raw.kill()
    return latencies


_STALL = re.compile(r"the event loop fell ([0-9.]+) s behind")
_SLOW_GC = re.compile(r"a garbage collection of generation (\d) took ([0-9.]+) s")


@dataclass
class Stalls:
    """From one server's log (``core/loop_watch.py``): its event-loop stalls of a second or more
    (the stack each was running is in the log beside) and its slow garbage collections."""

    loop: list[float]
    collections: list[tuple[int, float]]  # generation, seconds


def _stalls(log_file: Path) -> Stalls:
    text = log_file.read_text(errors="replace") if log_file.exists() else ""
    return Stalls([float(m.group(1)) for m in _STALL.finditer(text)],
                  [(int(m.group(1)), float(m.group(2))) for m in _SLOW_GC.finditer(text)])


def _report(label: str, count: int, instances: int, tallies: list[Tally], overrides: list[tuple[str, float]],
            receipts: dict[str, int], samples: list[Sample], controller_errors: list[str],
            raw: list[float], stalls: list[Stalls]) -> None:
    counts: dict[str, int] = {}
    errors: dict[str, int] = {}
    for tally in tallies:
        for k, v in tally.counts.items():
            counts[k] = counts.get(k, 0) + v
        for k, v in tally.errors.items():
            errors[k] = errors.get(k, 0) + v
    lost = {oid: sum(len(t.acks.get(oid, ())) for t in tallies) - receipts.get(oid, 0)
            for oid, _ in overrides}
    rows = [("errors", f"{sum(errors.values()) + len(controller_errors)} "
                       f"{dict(sorted(errors.items())) or ''}{controller_errors[:3] or ''}", "0")]
    rows.append(("lost acknowledgements", f"{sum(lost.values())} (per override {lost})", "0"))
    third = samples[0].at + (samples[-1].at - samples[0].at) / 3 if samples else 0
    for n in range(instances):
        later = [s for s in samples if s.at >= third]
        if len(later) >= 2:
            growth = (later[-1].rss[n] - later[0].rss[n]) / later[0].rss[n] * 100
            first, final = later[0].rss[n] / 1e6, later[-1].rss[n] / 1e6
            rows.append((f"RSS instance {n + 1}",
                         f"{first:.0f} -> {final:.0f} MB ({growth:+.1f} % over the last 2/3)", "< 5 %"))
    for oid, started in overrides:
        arrivals = [t - started for tally in tallies for t in tally.arrivals.get(oid, {}).values()]
        rows.append((f"override {oid}", _figures(arrivals, count), ""))
    if overrides:
        oid, started = overrides[-1]
        last = [t - started for tally in tallies for t in tally.arrivals.get(oid, {}).values()]
        ours, bare = _p99(last), _p99(raw)
        rows.append(("last override p99 / raw p99",
                     f"{ours * 1e3:.0f} ms / {bare * 1e3:.0f} ms = {ours / bare:.2f}x "
                     f"(raw: {_figures(raw, count)})",
                     "<= 2x"))
    if len(samples) >= 2:
        span = samples[-1].at - samples[0].at
        cpu = sum(samples[-1].cpu[n] - samples[0].cpu[n] for n in range(instances)) / span * 100
        rows.append(("server CPU per 1,000 boards",
                     f"{cpu / (count / 1000):.1f} % of a core ({cpu:.0f} % in all, "
                     f"load average {os.getloadavg()[0]:.1f})", ""))
    latency: dict[str, list[float]] = {}
    for tally in tallies:
        for k, v in tally.latency.items():
            latency.setdefault(k, []).extend(v)
    for k, v in sorted(latency.items()):
        rows.append((f"{k} latency", _quantiles(v), ""))
    rows.append(("client event-loop lag", _quantiles([x for t in tallies for x in t.lag]), ""))
    for n, found in enumerate(stalls):
        worst = f", longest {max(found.loop):.1f} s, in all {sum(found.loop):.1f} s" if found.loop else ""
        rows.append((f"server {n + 1} loop stalls >= 1 s", f"{len(found.loop)}{worst}", ""))
        by_generation = {g: [t for gen, t in found.collections if gen == g] for g in (0, 1, 2)}
        rows.append((f"server {n + 1} garbage collections >= 0.2 s",
                     ", ".join(f"generation {g}: {len(ts)}" + (f" (longest {max(ts):.2f} s)" if ts else "")
                               for g, ts in by_generation.items()), ""))
    rows.append(("traffic", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), ""))
    width = max(len(r[0]) for r in rows)
    print(f"\n[{label}] {count} boards, {instances} instance(s), {MINUTES:g} min")
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value}" + (f"   [target {target}]" if target else ""))
    print(flush=True)


def main() -> None:
    _raise_nofile()
    if RUNS in ("both", "one"):
        if POSTGRES_URL:
            _empty(POSTGRES_URL)
            _run("one instance, PostgreSQL", POSTGRES_URL, None, 1, BOARDS)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                _run("one instance, SQLite", f"sqlite:///{Path(tmp) / 'soak.db'}", None, 1, BOARDS)
    if RUNS in ("both", "two"):
        if not (POSTGRES_URL and REDIS_URL):
            print("two instances: skipped (set SOAK_POSTGRES_URL and SOAK_REDIS_URL)", flush=True)
            return
        _empty(POSTGRES_URL)
        _run("two instances, PostgreSQL + Redis", POSTGRES_URL, REDIS_URL, 2, BOARDS)


if __name__ == "__main__":
    main()
