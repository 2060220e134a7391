"""Server benchmarks on a real SQLite database.

1. Compose one board's manifest (three levels of units, 200 schedules), through the database:
   p50/p99 (target p99 <= 10 ms) and statements per composition, with the server's collector
   settings (``settle_heap``, as ``create_app`` applies them after start-up).
2. Recompose 10,000 boards after a province-wide schedule change, from the change to stored,
   signed documents (target <= 5 s).
3. Unchanged manifest polls (304) per second on one uvicorn worker, beside a trivial FastAPI
   endpoint served the same way in the same run (target >= 0.8x). After the first poll of the
   token, they are answered from memory (``devices/poll_cache.py``).

``BENCH_QUICK=1`` shrinks the fleet and the load durations.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path

from sqlalchemy import event, text
from sqlmodel import Session

from signage_contract import device as wire
from signage_server.content.layout_sync import sync_builtin_layouts
from signage_server.core.bus import LocalBus
from signage_server.core.changes import Change
from signage_server.core.heap import settle_heap
from signage_server.core.keys import load_or_create_signing_key
from signage_server.db import make_engine
from signage_server.devices.auth import issue_credential
from signage_server.manifest.composer import Composer
from signage_server.migrate import upgrade
from signage_server.models import (
    AdminUnit,
    Board,
    Bulletin,
    ContentState,
    ItemKind,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
    UnitLevel,
)

from .loadgen import run_load

QUICK = os.environ.get("BENCH_QUICK") == "1"
BOARDS = 2_000 if QUICK else 10_000
SCHEDULES = 200
LOAD_SECONDS = 2.0 if QUICK else 5.0
VALID = date(2025, 7, 1)


def _populate(session: Session) -> tuple[int, list[int]]:
    rng = random.Random(7)
    province = AdminUnit(code="51", level=UnitLevel.PROVINCE, name="Tỉnh Quảng Ngãi", valid_from=VALID)
    session.add(province)
    session.flush()
    communes = [
        AdminUnit(
            code=f"2{i:04d}", level=UnitLevel.COMMUNE, name=f"Xã {i}", parent_id=province.id, valid_from=VALID
        )
        for i in range(100)
    ]
    session.add_all(communes)
    session.flush()
    villages = [
        AdminUnit(
            code=f"V{c.id}-{j}", level=UnitLevel.VILLAGE, name=f"Thôn {j}", parent_id=c.id, valid_from=VALID
        )
        for c in communes
        for j in range(5)
    ]
    session.add_all(villages)
    session.flush()
    units = [u.id for u in villages]
    boards = [
        Board(name=f"Bảng {i}", unit_id=units[i % len(units)], tags=["cho"] if i % 7 == 0 else [])
        for i in range(BOARDS)
    ]
    session.add_all(boards)
    session.flush()
    playlists = []
    for i in range(20):
        bulletin = Bulletin(
            unit_id=province.id,
            title=f"Thông báo số {i}",
            body="Nội dung " * 20,
            state=ContentState.PUBLISHED,
        )
        playlist = Playlist(unit_id=province.id, name=f"DS {i}", state=ContentState.PUBLISHED)
        session.add_all([bulletin, playlist])
        session.flush()
        session.add(
            PlaylistItem(playlist_id=playlist.id, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletin.id)
        )
        session.add(
            PlaylistItem(playlist_id=playlist.id, position=1, kind=ItemKind.TICKER, text="Tin nhanh " * 5)
        )
        playlists.append(playlist.id)
    province_schedule = 0
    for i in range(SCHEDULES):
        kind = [TargetKind.UNIT, TargetKind.UNIT, TargetKind.BOARD, TargetKind.TAG][i % 4]
        target_unit = rng.choice([province.id, rng.choice(communes).id, rng.choice(villages).id])
        start_hour = rng.randrange(0, 24)
        schedule = Schedule(
            unit_id=province.id,
            name=f"Lịch {i}",
            layout_id="main_ticker_clock",
            target_kind=kind,
            target_unit_id=target_unit if kind is TargetKind.UNIT else None,
            target_board_id=rng.choice(boards).id if kind is TargetKind.BOARD else None,
            target_tag="cho" if kind is TargetKind.TAG else None,
            weekdays=sorted(rng.sample(range(7), rng.randrange(1, 8))),
            daily_start=dtime(start_hour, 0),
            daily_end=dtime((start_hour + rng.randrange(1, 12)) % 24, 30),
            priority=rng.randrange(0, 3),
            state=ContentState.PUBLISHED,
        )
        if i == 0:
            schedule.target_kind, schedule.target_unit_id, schedule.weekdays = (
                TargetKind.UNIT,
                province.id,
                [],
            )
        session.add(schedule)
        session.flush()
        province_schedule = province_schedule or schedule.id
        for region in ("main", "ticker"):
            session.add(
                ScheduleRegion(schedule_id=schedule.id, region_id=region, playlist_id=rng.choice(playlists))
            )
    session.commit()
    return province_schedule, [b.id for b in boards]


def _ms(samples: list[float]) -> str:
    qs = statistics.quantiles(samples, n=100)
    return f"p50 {statistics.median(samples) * 1e3:.2f} ms, p99 {qs[98] * 1e3:.2f} ms, n={len(samples)}"


def _compose_figures(data_dir: Path) -> tuple[int, str]:
    engine = make_engine(f"sqlite:///{data_dir / 'signage.db'}")
    upgrade(engine)
    sync_builtin_layouts(engine)
    key = load_or_create_signing_key(data_dir / "signing.key")
    composer = Composer(engine, key, LocalBus(), poll_interval_s=60)
    with Session(engine) as session:
        province_schedule, boards = _populate(session)
    settle_heap()  # the server's collector settings, applied once its start-up is done (core/heap.py)
    with Session(engine) as session:
        started = time.perf_counter()
        composer.recompose(session, None)
        print(f"initial compose of {len(boards)} boards: {time.perf_counter() - started:.2f} s")
    samples = []
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    with Session(engine) as session:
        for board_id in random.Random(1).sample(boards, 200):
            session.expire_all()
            started = time.perf_counter()
            composer.recompose(session, [board_id])
            samples.append(time.perf_counter() - started)
    event.remove(engine, "before_cursor_execute", count)
    print(
        f"compose one board (3 unit levels, {SCHEDULES} schedules, via DB): {_ms(samples)},"
        f" {statements[0] / len(samples):.0f} statements each  [target p99 <= 10 ms]"
    )
    # The first composition after a content write reads every playable schedule again and composes
    # its body anew (manifest/shared_inputs.py); a write that changes nothing costs the same.
    first_after = []
    with Session(engine) as session:
        for board_id in random.Random(2).sample(boards, 30):
            with engine.begin() as conn:
                conn.execute(text("UPDATE schedule SET priority = priority WHERE id = :id"),
                             {"id": province_schedule})
            session.expire_all()
            session.commit()
            started = time.perf_counter()
            composer.recompose(session, [board_id])
            first_after.append(time.perf_counter() - started)
    print(f"  the first after a content write: p50 {statistics.median(first_after) * 1e3:.2f} ms,"
          f" max {max(first_after) * 1e3:.2f} ms, n={len(first_after)}")
    with Session(engine) as session:
        schedule = session.get(Schedule, province_schedule)
        assert schedule is not None
        schedule.daily_start, schedule.daily_end, schedule.priority = dtime(6, 0), dtime(21, 0), 10
        schedule.updated_at = datetime.now(UTC)
        session.add(schedule)
        session.commit()
    started = time.perf_counter()
    changed = composer._process([Change(schedules=frozenset({province_schedule}))])
    took = time.perf_counter() - started
    print(
        f"province-wide change: {len(changed)} of {len(boards)} boards recomposed, signed, stored"
        f" in {took:.2f} s  [target <= 5 s at 10,000]"
    )
    with Session(engine) as session:
        _credential, token = issue_credential(session, boards[0], "bench")
        version = composer.current(session, boards[0]).version
    engine.dispose()
    return boards[0], f"{token}\n{version}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_log(port: int) -> Path:
    """Where ``_serve`` writes the server's log (its stderr)."""
    return Path(tempfile.gettempdir()) / f"signage-bench-server-{port}.log"


def _serve(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Start a server and wait for its port. Its log goes to a file (``server_log``): a pipe nobody
    reads fills after 64 KB of warnings and then blocks the server (a 30-minute soak froze so)."""
    with server_log(port).open("wb") as log:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(server_log(port).read_text(errors="replace")[-4000:]) from None
            time.sleep(0.05)  # polling for a port to open: there is nothing to await across processes
    proc.kill()
    raise RuntimeError("server did not start")


TRIVIAL_APP = """
from fastapi import FastAPI
app = FastAPI()
@app.get("/ping")
def ping() -> dict[str, str]:
    return {"status": "ok"}
"""


def _poll_figures(data_dir: Path, token: str, version: str) -> None:
    env = {**os.environ, "SIGNAGE_DATA_DIR": str(data_dir), "SIGNAGE_LOG_LEVEL": "warning"}
    port = _free_port()
    server = _serve([sys.executable, "-m", "signage_server.cli", "--port", str(port)], env, port)
    try:
        headers = {"Authorization": f"Bearer {token}", "If-None-Match": f'"{version}"'}
        polls = run_load("127.0.0.1", port, wire.DEVICE_MANIFEST, headers, seconds=LOAD_SECONDS)
    finally:
        server.terminate()
        server.wait()
    (data_dir / "trivial_app.py").write_text(TRIVIAL_APP)
    port = _free_port()
    trivial = _serve(
        [sys.executable, "-m", "uvicorn", "trivial_app:app", "--port", str(port), "--log-level", "warning"],
        {**env, "PYTHONPATH": str(data_dir)},
        port,
    )
    try:
        baseline = run_load("127.0.0.1", port, "/ping", seconds=LOAD_SECONDS)
    finally:
        trivial.terminate()
        trivial.wait()
    print(f"304 manifest polls: {polls.per_second:,.0f}/s (statuses {polls.statuses})")
    print(f"trivial FastAPI endpoint, same server stack: {baseline.per_second:,.0f}/s")
    print(f"ratio 304 poll / trivial: {polls.per_second / baseline.per_second:.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        _board, secret = _compose_figures(data_dir)
        token, version = secret.split("\n")
        _poll_figures(data_dir, token, version)


if __name__ == "__main__":
    main()
