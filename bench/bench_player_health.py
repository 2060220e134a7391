"""Player health benchmarks (``python -m bench player_health``); prints medians and ratios.

Screenshot capture at 1920x1080 of a real composed frame (photo, 12 text lines, ticker):
- the real code path (``ScreenshotTaker``): the main thread's cost (buffer copy) and the total
  capture + JPEG encode (target <= 40 ms), beside raw pygame + Pillow doing the same
  (``image.tobytes`` then ``Image.frombytes`` + JPEG, all on one thread) in the same run;
- the frame loop unstalled: a ticker paced at 60 fps, frame intervals and late frames with
  captures encoding in the background, beside the same loop with no capture.
"""

from __future__ import annotations

import hashlib
import io
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

QUICK = os.environ.get("BENCH_QUICK") == "1"
CAPTURES = 15 if QUICK else 40
FRAMES = 300 if QUICK else 600  # 5 or 10 s at 60 fps


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.2f} ms, p95 {_p95(values) * 1000:6.2f} ms"


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def _scene(cache_dir: Path):  # -> (screen, compositor, snapshot)
    import pygame

    from bench.bench_player import SIZE, START, media_ref, photo, scene_manifest
    from player.core.cache import MediaCache
    from player.core.shared import Snapshot
    from player.screen.compositor import Compositor
    from player.screen.images import ImageStore

    data = photo(1)
    media = MediaCache(cache_dir)
    media.path(hashlib.sha256(data).hexdigest()).write_bytes(data)
    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode(SIZE)
    compositor = Compositor(screen, ImageStore(media, synchronous=True))
    snap = Snapshot(generation=1, manifest=scene_manifest(media_ref(data)))
    compositor.update(snap, START)
    pygame.display.flip()
    return screen, compositor, snap


def bench_capture(screen) -> None:
    import pygame
    from PIL import Image

    from bench.bench_player import START
    from player.screen.screenshots import ScreenshotTaker

    sizes: list[int] = []
    taker = ScreenshotTaker(lambda jpeg, _request, _at: sizes.append(len(jpeg)), interval=timedelta(0))
    main_thread, total = [], []
    for n in range(CAPTURES):
        started = time.perf_counter()
        assert taker.after_frame(screen, START + timedelta(seconds=n))
        main_thread.append(time.perf_counter() - started)
        taker.wait_idle()
        total.append(time.perf_counter() - started)
    taker.close()

    raw_total = []
    for _ in range(CAPTURES):
        started = time.perf_counter()
        pixels = pygame.image.tobytes(screen, "RGB")
        out = io.BytesIO()
        Image.frombytes("RGB", screen.get_size(), pixels).save(out, "JPEG", quality=80)
        raw_total.append(time.perf_counter() - started)
    real, raw = statistics.median(total), statistics.median(raw_total)
    print(f"capture 1920x1080, JPEG q80 ({statistics.median(sizes) / 1024:.0f} KiB):")
    print(f"  player, main thread:     {_ms(main_thread)}")
    print(f"  player, capture+encode:  {_ms(total)}   target <= 40 ms: {'ok' if real <= 0.040 else 'MISSED'}")
    print(f"  raw pygame+Pillow:       {_ms(raw_total)}   (all of it on the calling thread)")
    print(f"  ratio player/raw total: {real / raw:.2f}x; main thread player/raw: "
          f"{statistics.median(main_thread) / raw:.3f}x")


def bench_frame_loop(screen, compositor, snap) -> None:
    """A ticker paced at 60 fps as the live loop paces it; frame intervals with captures encoding
    in the background beside the same loop with none. A frame is late past 1.5x its 16.7 ms slot."""
    import pygame

    from bench.bench_player import START
    from player.screen.screenshots import ScreenshotTaker

    def intervals(taker: ScreenshotTaker | None) -> list[float]:
        pacer, gaps = pygame.time.Clock(), []
        last = time.perf_counter()
        for n in range(FRAMES):
            now = START + timedelta(seconds=n / 60)
            pygame.display.update(compositor.update(snap, now))
            if taker is not None:
                taker.after_frame(screen, now)
            pacer.tick(60)
            gaps.append(time.perf_counter() - last)
            last = time.perf_counter()
        return gaps

    quiet = intervals(None)
    # a capture every 0.5 s: 600x the 5-minute default, so encoding overlaps many frames
    taker = ScreenshotTaker(lambda *_: None, interval=timedelta(seconds=0.5))
    busy = intervals(taker)
    taker.close()
    for name, gaps in (("no capture", quiet), ("capturing every 0.5 s", busy)):
        late = sum(gap > 1.5 / 60 for gap in gaps)
        print(f"60 fps ticker, {name:22s} interval {_ms(gaps)}, max {max(gaps) * 1000:5.1f} ms, "
              f"late frames {late}/{len(gaps)}")
    print(f"  ratio p95 interval with/without captures: {_p95(busy) / _p95(quiet):.2f}x")


def main() -> None:
    import pygame

    with tempfile.TemporaryDirectory() as temp:
        screen, compositor, snap = _scene(Path(temp))
        try:
            bench_capture(screen)
            bench_frame_loop(screen, compositor, snap)
        finally:
            pygame.display.quit()


if __name__ == "__main__":
    main()
