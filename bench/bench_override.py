"""Emergency override on the board (``python -m bench override``); prints medians and ratios.

- receipt to first frame: the real frame loop (``run_loop``, headless, 1920x1080 and 384x192) plays
  a schedule with a ticker; another thread hands an ``OverridePush`` to the override desk exactly as
  the socket thread does (parse, store with fsync, publish), and the loop's ``override_shown`` hook
  stamps the first presented frame showing it. Target: p99 <= one frame + 50 ms, where one frame is
  the raw cost of drawing and presenting a full override frame, measured in the same run.
- start-up after a power cut: a real headless player process on a state directory holding a stored
  override, no server reachable: process start to the frame file showing the risk colour. Target:
  <= 2 s; beside a raw pygame process that opens the same display and saves one frame.
"""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

QUICK = os.environ.get("BENCH_QUICK") == "1"
RECEIPTS = 30 if QUICK else 100
STARTS = 3 if QUICK else 7
ROOT = Path(__file__).resolve().parents[1]
FRAME_BUDGET_EXTRA_S = 0.050
START_TARGET_S = 2.0
BODY = "Bão đổ bộ vào đất liền trong đêm nay. Người dân ở trong nhà kiên cố, tránh xa bờ biển, cửa sông."


def _override(n: int, now: datetime):
    from signage_contract import EmergencyOverride

    return EmergencyOverride(
        id=f"o{n}",
        title=f"Bão số {n} đổ bộ",  # new text each time: the first frame shapes it, as a real one would
        body=BODY,
        risk_level=1 + n % 5,
        starts_at=now - timedelta(seconds=1),
        expires_at=now + timedelta(hours=1),
        issued_at=now - timedelta(seconds=1),
    )


def _schedule(now: datetime):
    from tests.support.player_factories import LAYOUT_TICKER_CLOCK, entry, manifest

    items = [
        {"kind": "text", "id": "t", "title": "Lịch tiếp công dân", "body": "Thứ Hai đến Thứ Sáu"},
        {"kind": "ticker", "id": "k", "text": "Thông báo của UBND xã về lịch tiêm chủng " * 3},
        {"kind": "clock", "id": "c"},
    ]
    regions = {"main": ["t"], "ticker": ["k"], "clock": ["c"]}
    timeline = [entry(now - timedelta(hours=1), now + timedelta(days=1), regions, layout_id="mtc")]
    return manifest(items, timeline=timeline, layouts=[LAYOUT_TICKER_CLOCK])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def raw_frame_cost(size: tuple[int, int], count: int) -> tuple[list[float], list[float]]:
    """Drawing and presenting one full override frame (new text each time), without the loop:
    (wall seconds, CPU seconds) per frame."""
    import pygame

    from player.screen.override_screen import draw_override
    from player.screen.render import board_zone

    screen = pygame.display.get_surface()
    assert screen is not None and screen.get_size() == size
    zone, costs, cpu = board_zone("Asia/Ho_Chi_Minh"), [], []
    for n in range(count):
        now = datetime.now(UTC)
        started, started_cpu = time.perf_counter(), time.thread_time()
        draw_override(screen, screen.get_rect(), _override(10_000 + n, now), now, zone)
        pygame.display.update()
        costs.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    return costs, cpu


def receipt_to_frame(size: tuple[int, int], workdir: Path) -> list[float]:
    """Latencies from handing a push to the desk to the first presented frame showing it."""
    import pygame

    from player.core.cache import MediaCache
    from player.core.override_store import OverrideStore
    from player.core.shared import Shared
    from player.net.overrides import AckOutbox, OverrideDesk
    from player.screen.compositor import Compositor
    from player.screen.images import ImageStore
    from player.screen.loop import run_loop
    from signage_contract.device import OverrideCancel, OverridePush, parse_server_message

    screen = pygame.display.set_mode(size)
    shared, stop = Shared(), threading.Event()
    shared.update(manifest=_schedule(datetime.now(UTC)))
    desk = OverrideDesk(OverrideStore(workdir), AckOutbox(), lambda c: shared.update(overrides=c))
    compositor = Compositor(screen, ImageStore(MediaCache(workdir / "media")))
    shown: dict[str, float] = {}
    arrived = threading.Condition()
    latencies: list[float] = []

    def on_shown(override_id: str, _at: datetime) -> None:
        with arrived:
            shown.setdefault(override_id, time.perf_counter())
            arrived.notify_all()

    def inject() -> None:
        try:
            for n in range(RECEIPTS):
                time.sleep(0.05)  # the ticker runs a few frames between overrides
                override = _override(n, datetime.now(UTC))
                message = OverridePush(override=override).model_dump_json()
                started = time.perf_counter()
                desk.handle(parse_server_message(message))  # what the socket thread does on receipt
                with arrived:
                    arrived.wait_for(lambda oid=override.id: oid in shown, timeout=10)
                latencies.append(shown[override.id] - started)
                desk.handle(OverrideCancel(override_id=override.id))
        finally:
            stop.set()

    injector = threading.Thread(target=inject, name="bench-socket")
    injector.start()
    run_loop(compositor, shared, stop, override_shown=on_shown)
    injector.join()
    return latencies


def _cpu_s(pid: int) -> float:
    """CPU time a process used so far (Linux), a figure that a loaded machine does not inflate."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_to_override_frame(workdir: Path, raw: bool) -> tuple[float, float]:
    """One process start to the frame file showing the override (``raw``: a bare pygame process):
    (wall seconds, the process's CPU seconds)."""
    from tests.e2e.test_player_override_process import stored_override_state

    state = workdir / ("raw" if raw else "player")
    stored_override_state(state, level=5)
    frame = state / "frame.png"
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    if raw:
        code = (
            "import pygame,sys; pygame.display.init(); s=pygame.display.set_mode((384,192));"
            "s.fill((128,0,128)); pygame.display.update(); pygame.image.save(s, sys.argv[1])"
        )
        command = [sys.executable, "-c", code, str(frame)]
    else:
        command = [sys.executable, "-m", "player", "--server", "http://127.0.0.1:9", "--headless"]
        command += ["--geometry", "384x192", "--state-dir", str(state)]
    started = time.perf_counter()
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=quiet, stderr=quiet)
    try:
        while not frame.is_file():
            if time.perf_counter() - started > 60:
                raise RuntimeError("no frame within 60 s")
            time.sleep(0.002)
        return time.perf_counter() - started, _cpu_s(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=20)
        for path in state.iterdir():
            if path.is_file():
                path.unlink()


def _report_receipts(
    size: tuple[int, int], latency: list[float], frame: list[float], frame_cpu: list[float]
) -> None:
    frame_ms, frame_cpu_ms = statistics.median(frame) * 1000, statistics.median(frame_cpu) * 1000
    target_ms = frame_ms + FRAME_BUDGET_EXTRA_S * 1000
    p50_ms, p99_ms = statistics.median(latency) * 1000, _percentile(latency, 0.99) * 1000
    print(
        f"receipt -> first frame {size[0]}x{size[1]} ({len(latency)} receipts): p50 {p50_ms:.1f} ms, "
        f"p99 {p99_ms:.1f} ms; raw frame p50 {frame_ms:.1f} ms (CPU {frame_cpu_ms:.1f} ms); "
        f"target <= frame + 50 ms = {target_ms:.1f} ms: {'ok' if p99_ms <= target_ms else 'MISSED'} "
        f"(p99/target {p99_ms / target_ms:.2f}; load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )


def bench_receipt(workdir: Path) -> None:
    import pygame

    pygame.display.init()
    pygame.font.init()
    try:
        for size in ((1920, 1080), (384, 192)):
            pygame.display.set_mode(size)
            frame, frame_cpu = raw_frame_cost(size, RECEIPTS)
            latency = receipt_to_frame(size, workdir / f"{size[0]}x{size[1]}")
            _report_receipts(size, latency, frame, frame_cpu)
    finally:
        pygame.quit()


def bench_startup(workdir: Path) -> None:
    player = [start_to_override_frame(workdir, raw=False) for _ in range(STARTS)]
    raw = [start_to_override_frame(workdir, raw=True) for _ in range(STARTS)]
    p50, worst = statistics.median(w for w, _ in player), max(w for w, _ in player)
    base = statistics.median(w for w, _ in raw)
    cpu, raw_cpu = statistics.median(c for _, c in player), statistics.median(c for _, c in raw)
    print(
        f"start -> first override frame ({STARTS} starts, 384x192): p50 {p50:.2f} s, max {worst:.2f} s "
        f"(CPU {cpu:.2f} s); raw pygame process p50 {base:.2f} s (CPU {raw_cpu:.2f} s), ratio "
        f"{p50 / base:.1f}x; target <= {START_TARGET_S:.0f} s: "
        f"{'ok' if worst <= START_TARGET_S else 'MISSED'} "
        f"(load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )


def main() -> None:
    logging.getLogger("player.net.overrides").setLevel(logging.ERROR)  # one line per receipt otherwise
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        bench_receipt(workdir)
        bench_startup(workdir)


if __name__ == "__main__":
    main()
