"""Video benchmark (``make bench`` or ``python -m bench video``): a 1080p30 H.264 clip.

- raw baseline: PyAV decoding the clip alone (every frame, PyAV's default threading, as the player
  decodes a clip up to 1080p), its CPU time (all threads), the median of three decodes;
- the player: the real frame loop, headless, at 1920x1080 with the real clock, playing an image,
  then the clip, then the image again, three times; its CPU time (all threads) over the clip's
  airtime, the median of the three beside the baseline (target <= 1.5x), its late frames (target 0
  at 30 fps) and the frames on which the screen showed black at any of five points (target 0,
  switches included), in all three;
- memory: bench_player's 200 cached 1080p images shown once each, then this clip playing in the same
  frame loop, in a fresh process (target <= 150 MB, as without the clip).

BENCH_QUICK=1 makes the clip 4 s instead of 10. The clip is made once and kept in the system's
temporary directory (encoding it takes longer than the benchmark).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

QUICK = os.environ.get("BENCH_QUICK") == "1"
CLIP_S = 4 if QUICK else 10
FPS = 30
SIZE = (1920, 1080)
BITRATE = 8_000_000  # a broadcast-like 1080p30 H.264
IMAGE_S = 2.0
LEAD_S = 1.0  # the loop starts this long before the image, so nothing is timed from a cold start
RUNS = 3  # plays and raw decodes; the figures are their medians (the machine is shared)
PROBES = [(960, 540), (10, 10), (1910, 10), (10, 1070), (1910, 1070)]


def make_clip(path: Path) -> Path:
    """Colourful moving gradients (never black), encoded like an editor's export."""
    import av
    from PIL import Image

    width, height = SIZE
    red = Image.linear_gradient("L").rotate(90).resize((width * 2, height))
    green = Image.radial_gradient("L").resize((width * 2, height))
    blue = Image.new("L", (width * 2, height), 128)  # never black
    wide = Image.merge("RGB", (red, green, blue))
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(FPS))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = BITRATE
        stream.options = {"preset": "veryfast"}
        for index in range(CLIP_S * FPS):
            shift = (index * 12) % width
            frame = av.VideoFrame.from_image(wide.crop((shift, 0, shift + width, height)))
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def decode_alone(path: Path) -> tuple[float, int]:
    """CPU seconds (all threads) PyAV takes to decode every frame, and the frames decoded."""
    import av

    cpu = time.process_time()
    frames = 0
    with av.open(str(path)) as container:
        for _ in container.decode(video=0):
            frames += 1
    return time.process_time() - cpu, frames


def play(path: Path, workdir: Path) -> dict[str, float]:
    import pygame

    from player.core.cache import MediaCache
    from player.core.heap import return_large_blocks
    from player.core.shared import Shared
    from player.screen.compositor import Compositor
    from player.screen.images import ImageStore
    from player.screen.kinds.video import KIND
    from player.screen.loop import run_loop
    from player.screen.video import Clip
    from signage_contract import Manifest
    from tests.support.player_factories import LAYOUT_FULL, image_bytes

    return_large_blocks()  # as the player does at start (after the raw decode, which runs without it)
    media = MediaCache(workdir / "media")
    clip_data = path.read_bytes()
    clip_sha = hashlib.sha256(clip_data).hexdigest()
    media.path(clip_sha).write_bytes(clip_data)
    png = image_bytes(*SIZE, (180, 60, 40))
    png_sha = hashlib.sha256(png).hexdigest()
    media.path(png_sha).write_bytes(png)
    begin = datetime.now(UTC) + timedelta(seconds=LEAD_S)
    clip_start = begin + timedelta(seconds=IMAGE_S)
    clip_end = clip_start + timedelta(seconds=CLIP_S)
    image = {"sha256": png_sha, "size": len(png), "content_type": "image/png", "width": SIZE[0],
             "height": SIZE[1]}
    video = {"sha256": clip_sha, "size": len(clip_data), "content_type": "video/mp4", "width": SIZE[0],
             "height": SIZE[1]}
    manifest = Manifest.model_validate({
        "board_id": "bench", "generated_at": begin, "valid_from": begin - timedelta(hours=1),
        "valid_until": begin + timedelta(days=1), "layouts": [LAYOUT_FULL],
        "items": [
            {"kind": "image", "id": "before", "media": image, "duration_s": IMAGE_S},
            {"kind": "video", "id": "clip", "media": video, "duration_s": CLIP_S, "frame_rate": FPS},
            {"kind": "image", "id": "after", "media": image, "duration_s": 3600},
        ],
        "timeline": [{"start": begin, "end": begin + timedelta(hours=1), "layout_id": "full",
                      "regions": [{"region_id": "main", "item_ids": ["before", "clip", "after"]}]}],
    })
    pygame.display.init()
    screen = pygame.display.set_mode(SIZE)
    shared = Shared()
    shared.update(manifest=manifest)
    store = ImageStore(media)
    stop = threading.Event()
    seen: dict[str, object] = {"black": 0, "frames": 0, "clip": None}
    marks: dict[str, float] = {}

    def watch(_compositor: Compositor, now: datetime) -> None:
        if now < begin:
            return
        seen["frames"] = int(str(seen["frames"])) + 1
        if all(tuple(screen.get_at(p))[:3] == (0, 0, 0) for p in PROBES):
            seen["black"] = int(str(seen["black"])) + 1
        if seen["clip"] is None:
            seen["clip"] = next(iter(KIND.clips.values()), None)
        if now >= clip_start and "start" not in marks:
            marks["start"] = time.process_time()
            marks["wall_start"] = time.perf_counter()
        if now >= clip_end and "end" not in marks:
            marks["end"] = time.process_time()
            marks["wall_end"] = time.perf_counter()
        if now >= clip_end + timedelta(seconds=1):
            stop.set()

    run_loop(Compositor(screen, store), shared, stop, after_frame=watch,
             max_seconds=LEAD_S + IMAGE_S + CLIP_S + 30)
    store.close()
    for key in list(KIND.clips):  # the next play starts with no clip of this one
        KIND._close(key)
    KIND.ends.clear()
    pygame.display.quit()
    clip = seen["clip"]
    assert isinstance(clip, Clip), "the clip was never prepared"
    return {
        "cpu_s": marks["end"] - marks["start"],
        "wall_s": marks["wall_end"] - marks["wall_start"],
        "late": clip.late,
        "dropped": clip.dropped,
        "shown": clip.shown,
        "black": float(str(seen["black"])),
        "error": 0.0 if clip.error is None else 1.0,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        path = Path(tempfile.gettempdir()) / f"signage-bench-1080p{FPS}-{CLIP_S}s-v1.mp4"
        if not path.is_file():
            make_clip(workdir / path.name).replace(path)
        print(f"clip: 1920x1080 H.264 {FPS} fps, {CLIP_S} s, {path.stat().st_size / 1e6:.1f} MB")
        decode_alone(path)  # warm the file cache and FFmpeg's code
        raws = [decode_alone(path) for _ in range(RUNS)]
        raw_cpu, frames = statistics.median(cpu for cpu, _ in raws), raws[0][1]
        print(f"raw PyAV decode alone, median of {RUNS}: {raw_cpu:.2f} CPU s for {frames} frames "
              f"({raw_cpu / CLIP_S * 100:.1f} % of one core at real time; "
              f"runs {', '.join(f'{cpu:.2f}' for cpu, _ in raws)})")
        plays = [play(path, workdir / f"play{n}") for n in range(RUNS)]
        cpu = statistics.median(p["cpu_s"] for p in plays)
        ratios = ", ".join(f"{p['cpu_s'] / raw_cpu:.2f}x" for p in plays)
        wall = statistics.median(p["wall_s"] for p in plays)
        print(f"player, headless 1920x1080, over the clip's {wall:.2f} s of airtime, median of {RUNS}: "
              f"{cpu:.2f} CPU s ({cpu / wall * 100:.1f} % of one core) = {cpu / raw_cpu:.2f}x the raw decode "
              f"(runs {ratios})  (target <= 1.5x)")
        total = {name: sum(p[name] for p in plays) for name in ("shown", "late", "dropped", "black", "error")}
        print(f"frames over the {RUNS} plays: {total['shown']:.0f} shown, {total['late']:.0f} late "
              f"(target 0), {total['dropped']:.0f} dropped, {total['error']:.0f} errors; black frames from "
              f"the image to the clip and back: {total['black']:.0f} (target 0)")
        from bench.bench_player import bench_rss

        bench_rss(workdir / "rss", clip=path)  # the memory bound, with the clip playing after 200 images


if __name__ == "__main__":
    main()
