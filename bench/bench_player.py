"""Player benchmarks (``make bench`` or ``python -m bench player``); prints medians and ratios.

- frame cost at 1920x1080 (image + 12 text lines + ticker): the player's compositor beside raw
  pygame blitting the same pre-rendered surfaces in the same run (target <= 1.3x); again with the
  text a notice too long for its region, so paging is active (its first page, with "1/N"); again
  with that notice scrolling, timed while its strip moves;
- CPU on a static slide (target <= 3 % of one core), over BENCH_STATIC_S seconds (30; 5 with BENCH_QUICK=1);
- resident memory with 200 cached 1080p images (target <= 150 MB), in a fresh child process;
- bytes moved after a one-image change (target <= 1.05x that image + the manifest);
- pygame-ce against pygame 2.6 on the same raw work, when a pygame 2.6 interpreter is available
  (BENCH_PYGAME26_PYTHON, default /tmp/bench-pygame26/bin/python).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

QUICK = os.environ.get("BENCH_QUICK") == "1"
STATIC_S = float(os.environ.get("BENCH_STATIC_S", "5" if QUICK else "30"))
FRAMES = 200 if QUICK else 600
SIZE = (1920, 1080)
ROOT = Path(__file__).resolve().parents[1]
PYGAME26 = os.environ.get("BENCH_PYGAME26_PYTHON", "/tmp/bench-pygame26/bin/python")
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
LINES = [f"Dòng {n}: lịch tiếp công dân" for n in range(1, 13)]
NOTICE = " ".join(
    f"Điều {n}. Ủy ban nhân dân xã thông báo lịch tiếp công dân định kỳ, thủ tục cần mang theo và các "
    f"trường hợp không tiếp theo quy định của Luật Tiếp công dân năm 2013." for n in range(1, 40)
)
TICKER = "Bão số 9 đang tiến vào đất liền — người dân chú ý theo dõi thông tin và giữ an toàn " * 3
LAYOUT = {
    "id": "bench",
    "name": "Ảnh, văn bản và chữ chạy",
    "regions": [
        {"id": "main", "role": "main", "x": 0, "y": 0, "w": 0.5, "h": 0.88},
        {"id": "side", "role": "side", "x": 0.5, "y": 0, "w": 0.5, "h": 0.88},
        {"id": "ticker", "role": "ticker", "x": 0, "y": 0.88, "w": 1, "h": 0.12, "z": 1},
    ],
}


@lru_cache(maxsize=4)
def _texture(size: tuple[int, int]):
    from PIL import Image, ImageChops

    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    return ImageChops.add(gradient, Image.effect_noise(size, 40).convert("RGB"), scale=1.5)


def photo(seed: int, size: tuple[int, int] = SIZE) -> bytes:
    """A photo-like JPEG (gradient plus noise) so decoding costs what a real picture costs."""
    from PIL import Image, ImageChops

    tint = Image.new("RGB", size, ((seed * 37) % 256 + 1, (seed * 91) % 256 + 1, (seed * 53) % 256 + 1))
    buffer = io.BytesIO()
    ImageChops.multiply(_texture(size), tint).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def media_ref(data: bytes, size: tuple[int, int] = SIZE) -> dict[str, object]:
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "content_type": "image/jpeg",
        "width": size[0],
        "height": size[1],
    }


def scene_manifest(image: dict[str, object], with_ticker: bool = True, paged: bool = False):
    from signage_contract import Manifest

    regions = [{"region_id": "main", "item_ids": ["img"]}, {"region_id": "side", "item_ids": ["txt"]}]
    if with_ticker:
        regions.append({"region_id": "ticker", "item_ids": ["tick"]})
    items = [
        {"kind": "image", "id": "img", "media": image},
        {"kind": "text", "id": "txt", "title": "Thông báo" if paged else "",
         "body": NOTICE if paged else "\n".join(LINES)},
        {"kind": "ticker", "id": "tick", "text": TICKER},
    ]
    return Manifest.model_validate(
        {
            "board_id": "bench",
            "generated_at": START,
            "valid_from": START,
            "valid_until": START + timedelta(days=7),
            "layouts": [LAYOUT],
            "items": items,
            "timeline": [
                {"start": START, "end": START + timedelta(days=7), "layout_id": "bench", "regions": regions}
            ],
        }
    )


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


@dataclass
class FrameScene:
    """What every frame-cost benchmark draws: an image, a text region and a ticker at 1920x1080,
    through the player's compositor and, for comparison, with raw pygame from surfaces prepared once
    (``raw_frame``; the text region's part is the caller's)."""

    screen: Any
    media: Any
    compositor: Any
    snap: Any
    image_rect: Any
    text_rect: Any
    ticker_rect: Any
    box: Any
    text_item: Any
    ticker_item: Any
    picture: Any = None
    pieces: list[Any] = field(default_factory=list)
    ticker_width: int = 0

    def show_from(self, at: datetime, image_sha: str) -> None:
        """Compose the scene at ``at`` once; then its image and ticker are ready for raw pygame."""
        from player.screen.images import ImageKey
        from player.screen.kinds.ticker import ticker_pieces
        from signage_contract import Fit

        self.compositor.update(self.snap, at)
        self.picture = self.compositor.images.get(
            ImageKey(image_sha, self.image_rect.w, self.image_rect.h, Fit.CONTAIN, (0, 0, 0)))
        self.pieces, self.ticker_width = ticker_pieces(self.ticker_item, self.ticker_rect.h)
        assert self.picture is not None

    def raw_frame(self, n: int, draw_text: Callable[[int], None]) -> None:
        import pygame

        screen = self.screen
        screen.fill((0, 0, 0), self.image_rect)
        screen.blit(self.picture, self.picture.get_rect(center=self.image_rect.center))
        screen.fill((0, 51, 102), self.text_rect)
        draw_text(n)
        screen.fill((139, 0, 0), self.ticker_rect)
        screen.set_clip(self.ticker_rect)
        x = self.ticker_rect.right - (n * 3) % (self.ticker_rect.w + self.ticker_width)
        for piece in self.pieces:
            screen.blit(piece, (x, self.ticker_rect.y))
            x += piece.get_width()
        screen.set_clip(None)
        pygame.display.flip()

    def player_frames(self, at: datetime) -> dict[str, Callable[[int], None]]:
        """The player's frames from ``at``, 60 a second: every region redrawn, or only what moved."""
        import pygame

        def full(n: int) -> None:
            self.compositor.shown.clear()  # as if every region switched content on this frame
            pygame.display.update(self.compositor.update(self.snap, at + timedelta(seconds=n / 60)))

        def steady(n: int) -> None:
            pygame.display.update(self.compositor.update(self.snap, at + timedelta(seconds=n / 60)))

        return {"full": full, "steady": steady}


def open_scene(cache_dir: Path, data: bytes, value: Any) -> FrameScene:
    """A display, the media cache holding ``data`` and a compositor for the manifest ``value``."""
    import pygame

    from player.core.cache import MediaCache
    from player.core.shared import Snapshot
    from player.screen import render
    from player.screen.compositor import Compositor, region_rect
    from player.screen.images import ImageStore
    from signage_contract import TextItem, TickerItem

    media = MediaCache(cache_dir)
    media.path(hashlib.sha256(data).hexdigest()).write_bytes(data)
    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode(SIZE)
    full = screen.get_rect()
    text_rect = region_rect(full, 0.5, 0, 0.5, 0.88)
    return FrameScene(
        screen=screen, media=media, compositor=Compositor(screen, ImageStore(media, synchronous=True)),
        snap=Snapshot(generation=1, manifest=value), image_rect=region_rect(full, 0, 0, 0.5, 0.88),
        text_rect=text_rect, ticker_rect=region_rect(full, 0, 0.88, 1, 0.12), box=render.inner(text_rect),
        text_item=next(i for i in value.items if isinstance(i, TextItem)),
        ticker_item=next(i for i in value.items if isinstance(i, TickerItem)),
    )


def time_frames(draws: dict[str, Callable[[int], None]]) -> dict[str, float]:
    """Median ms a frame of each drawing, over FRAMES frames; the second of two rounds counts, when
    caches and CPU clocks are warm."""
    results = {}
    for name, draw in list(draws.items()) * 2:
        samples = []
        for n in range(FRAMES):
            began = time.perf_counter()
            draw(n)
            samples.append(time.perf_counter() - began)
        results[name] = _median_ms(samples)
    return results


def print_frame_costs(what: str, results: dict[str, float], steady: str) -> None:
    print(f"frame 1920x1080, image + {what} + ticker (median of {FRAMES}):")
    print(f"  raw pygame, full redraw           {results['raw']:7.3f} ms")
    print(
        f"  player, every region redrawn      {results['full']:7.3f} ms  "
        f"ratio {results['full'] / results['raw']:.2f}x  (target <= 1.3x)"
    )
    print(f"  player, {steady} {results['steady']:7.3f} ms  ratio "
          f"{results['steady'] / results['raw']:.2f}x")


def bench_frame_cost(cache_dir: Path, paged: bool = False) -> None:
    import pygame

    from player.core.shared import Snapshot
    from player.screen import render
    from player.screen.compositor import Compositor
    from player.screen.images import ImageStore
    from signage_contract import ProgrammeSource, Window
    from signage_contract.text_layout import legible_floor

    data = photo(1)
    scene = open_scene(cache_dir, data, scene_manifest(media_ref(data), paged=paged))
    value = scene.snap.manifest
    scene.show_from(START, hashlib.sha256(data).hexdigest())

    # Raw pygame: the same pixels from surfaces prepared once, every frame drawn in full.
    box = scene.box
    pages = render.paged(scene.text_item.title, scene.text_item.body, box.w, box.h, legible_floor(*SIZE))
    block = pages.pages[0]
    title_step, step = render.fonts.line_step(block.title_px), render.fonts.line_step(block.body_px)
    lines = [(render.text_surface(line, block.title_px, True, (255, 215, 0)), title_step)
             for line in block.title_lines]
    lines += [(render.text_surface(line, block.body_px, False, (255, 255, 255)), step)
              for line in block.body_lines]
    marker = None
    if len(pages.pages) > 1 and pages.indicator_px is not None:
        marker = render.text_surface(f"1/{len(pages.pages)}", pages.indicator_px, False, (255, 255, 255))
    assert len(pages.pages) > 1 if paged else len(lines) == 12

    def raw_text(n: int) -> None:
        y = box.y
        for line, line_step in lines:
            scene.screen.blit(line, (box.x, y))
            y += line_step
        if marker is not None:
            scene.screen.blit(marker, marker.get_rect(bottomright=box.bottomright))

    # The programme (issue 12): the same scene from two interleaved schedules, time running 6x so
    # a new play (a programme look-up and a layout switch) comes every 100 frames.
    def source(schedule_id: str) -> ProgrammeSource:
        return ProgrammeSource(schedule_id=schedule_id, layout_id="bench", lead_region_id="main",
                               windows=[Window(start=START, end=START + timedelta(days=7))],
                               regions=value.timeline[0].regions)

    sourced = value.model_copy(update={"sources": [source("1"), source("2")]})
    interleaved = Snapshot(generation=2, manifest=sourced)
    programme = Compositor(scene.screen, ImageStore(scene.media, synchronous=True))

    def player_interleaved(n: int) -> None:
        programme.shown.clear()
        pygame.display.update(programme.update(interleaved, START + timedelta(seconds=n / 10)))

    results = time_frames({"raw": lambda n: scene.raw_frame(n, raw_text), **scene.player_frames(START),
                           "interleaved": player_interleaved})
    what = f"a paged notice (page 1 of {len(pages.pages)})" if paged else "12 lines"
    print_frame_costs(what, results, "steady (ticker only)     ")
    print(
        f"  player, programme of 2 schedules, every region redrawn {results['interleaved']:7.3f} ms  "
        f"ratio {results['interleaved'] / results['raw']:.2f}x  (target <= 1.3x)"
    )
    pygame.display.quit()


def bench_frame_cost_scroll(cache_dir: Path) -> None:
    """The same scene with the notice scrolling (``flow`` "scroll"), timed while the strip moves:
    raw pygame blits the strip's visible rows, pre-rendered, at the same offset each frame."""
    import pygame

    from player.screen import render
    from player.screen.kinds.text import durations, text_pages
    from signage_contract import TextItem
    from signage_contract.text_scroll import TextScroll, scroll_offset, visible_rows

    data = photo(1)
    paged = scene_manifest(media_ref(data), paged=True)
    items = [TextItem.model_validate({**i.model_dump(), "flow": "scroll"}) if isinstance(i, TextItem) else i
             for i in paged.items]
    scene = open_scene(cache_dir, data, paged.model_copy(update={"items": items}))
    box = scene.box
    strip = text_pages(scene.text_item, box, SIZE)
    assert isinstance(strip, TextScroll) and strip.travel_px > 0
    phases = durations(scene.text_item, box, SIZE)
    moving = START + timedelta(seconds=phases[0] + 1)  # the strip is moving from here on
    scene.show_from(moving, hashlib.sha256(data).hexdigest())
    rows = {row: render.text_surface(row.text, row.size_px, row.bold,
                                     (255, 215, 0) if row.bold else (255, 255, 255)) for row in strip.rows}

    def raw_text(n: int) -> None:
        offset = scroll_offset(strip, phases, phases[0] + 1 + n / 60)
        scene.screen.set_clip(box)
        for row in visible_rows(strip, offset):
            scene.screen.blit(rows[row], (box.x, box.y - offset + row.top))

    results = time_frames({"raw": lambda n: scene.raw_frame(n, raw_text), **scene.player_frames(moving)})
    speed = strip.travel_px / phases[1]
    print_frame_costs(f"a scrolling notice ({len(strip.rows)} rows, {speed:.1f} px/s)", results,
                      "steady (ticker; the strip when it moved)")
    pygame.display.quit()


def bench_static_cpu(cache_dir: Path) -> None:
    import pygame

    from player.core.cache import MediaCache
    from player.core.shared import Shared
    from player.screen.compositor import Compositor
    from player.screen.images import ImageStore
    from player.screen.loop import run_loop

    data = photo(2)
    media = MediaCache(cache_dir)
    media.path(hashlib.sha256(data).hexdigest()).write_bytes(data)
    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode(SIZE)
    shared = Shared()
    shared.update(manifest=scene_manifest(media_ref(data), with_ticker=False))
    store = ImageStore(media)
    now = datetime.now(UTC)
    offset = START + timedelta(hours=1) - now  # play the bench schedule at real speed
    cpu, wall = time.process_time(), time.perf_counter()
    run_loop(
        Compositor(screen, store),
        shared,
        threading.Event(),
        clock=lambda: datetime.now(UTC) + offset,
        max_seconds=STATIC_S,
    )
    used = (time.process_time() - cpu) / (time.perf_counter() - wall) * 100
    print(
        f"static slide CPU over {STATIC_S:.0f} s (all threads, first frame included): "
        f"{used:.2f} % of one core  (target <= 3 %)"
    )
    store.close()
    pygame.display.quit()


def rss_child(cache_dir: Path, clip: Path | None = None) -> None:
    """Runs in a fresh interpreter: play 200 cached 1080p images once each, then report memory; with
    ``clip`` (bench_video's 1080p30 H.264), then play it in the real frame loop, the images still
    cached and decoded, and report memory again. The heap is set up as the player sets it."""
    import resource

    import pygame

    from player.core.heap import return_large_blocks

    return_large_blocks()
    from player.core.cache import MediaCache
    from player.core.shared import Snapshot
    from player.screen.compositor import Compositor
    from player.screen.images import ImageStore
    from signage_contract import Manifest

    def rss_mb() -> float:
        status = Path("/proc/self/status")
        if status.is_file():
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS"))
            return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode(SIZE)
    before = rss_mb()
    media = MediaCache(cache_dir)
    refs = [json.loads(line) for line in (cache_dir.parent / "refs.jsonl").read_text().splitlines()]
    items = [{"kind": "image", "id": f"i{n}", "media": ref, "duration_s": 10} for n, ref in enumerate(refs)]
    value = Manifest.model_validate(
        {
            "board_id": "bench",
            "generated_at": START,
            "valid_from": START,
            "valid_until": START + timedelta(days=7),
            "layouts": [
                {
                    "id": "full",
                    "name": "x",
                    "regions": [{"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 1}],
                }
            ],
            "items": items,
            "timeline": [
                {
                    "start": START,
                    "end": START + timedelta(days=7),
                    "layout_id": "full",
                    "regions": [{"region_id": "main", "item_ids": [i["id"] for i in items]}],
                }
            ],
        }
    )
    store = ImageStore(media)
    compositor = Compositor(screen, store)
    snap = Snapshot(generation=1, manifest=value)
    for n in range(len(items)):
        at = START + timedelta(seconds=10 * n + 1)
        for _attempt in range(100):  # let the decoder finish, then show the picture
            compositor.update(snap, at)
            shown = compositor.shown.get("main")
            if shown is not None and getattr(shown.key[0], "id", None) == f"i{n}":
                break
            for future in list(store._pending.values()):
                future.result()
        else:
            raise RuntimeError(f"image {n} was never shown")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"before": before, "after": rss_mb(), "peak": peak, "shown": len(items)}
    if clip is not None:
        figures.update(_play_clip_after(clip, media, store, compositor, value, rss_mb))
    print(json.dumps(figures))


def _play_clip_after(clip: Path, media: Any, store: Any, compositor: Any, images: Any,
                     rss_mb: Any) -> dict[str, float]:
    """The clip after the images (same store, same compositor): memory while and after it plays."""
    from player.core.shared import Shared
    from player.screen.loop import run_loop
    from signage_contract import Manifest

    data = clip.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    media.path(sha).write_bytes(data)
    begin = datetime.now(UTC)
    video = {"kind": "video", "id": "clip", "duration_s": 3600, "frame_rate": 30,
             "media": {"sha256": sha, "size": len(data), "content_type": "video/mp4", "width": SIZE[0],
                       "height": SIZE[1]}}
    manifest = Manifest.model_validate({
        **images.model_dump(mode="json", include={"board_id", "layouts"}),
        "generated_at": begin, "valid_from": begin - timedelta(hours=1),
        "valid_until": begin + timedelta(days=1),
        "items": [video],
        "timeline": [{"start": begin, "end": begin + timedelta(hours=1), "layout_id": "full",
                      "regions": [{"region_id": "main", "item_ids": ["clip"]}]}],
    })
    shared = Shared()
    shared.update(manifest=manifest)
    stop = threading.Event()
    during: list[float] = []

    def watch(_compositor: Any, now: datetime) -> None:
        seconds = (now - begin).total_seconds()
        if seconds >= 2 and len(during) < int(seconds) - 1:
            during.append(rss_mb())  # once a second once the clip runs
        if seconds >= 10:
            stop.set()

    run_loop(compositor, shared, stop, after_frame=watch, max_seconds=40)
    return {"clip_max": max(during, default=0.0), "clip_after": rss_mb(),
            "clip_peak": resource_peak_mb()}


def resource_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_rss(workdir: Path, clip: Path | None = None) -> None:
    cache_dir = workdir / "rss" / "media"
    cache_dir.mkdir(parents=True)
    with (workdir / "rss" / "refs.jsonl").open("w") as refs:
        for n in range(200):
            data = photo(n)
            (cache_dir / hashlib.sha256(data).hexdigest()).write_bytes(data)
            refs.write(json.dumps(media_ref(data)) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_player", "--rss-child", str(cache_dir),
         *([str(clip)] if clip else [])],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(f"memory child failed: {out.stderr.strip().splitlines()[-1:]}")
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"memory with 200 cached 1080p images, each shown once: RSS {figures['after']:.0f} MB "
        f"(peak {figures['peak']:.0f} MB; {figures['before']:.0f} MB with the display open before any image)"
        "  (target <= 150 MB)"
    )
    if clip is not None:
        print(
            f"then a 1080p30 clip playing for 8 s with those images cached: RSS at most "
            f"{figures['clip_max']:.0f} MB while it plays, {figures['clip_after']:.0f} MB after "
            f"(peak {figures['clip_peak']:.0f} MB)  (target <= 150 MB)"
        )


def bench_bytes_moved(workdir: Path) -> None:
    import httpx
    from nacl.signing import SigningKey

    from player.core.shared import Shared
    from player.core.state import StateDir
    from player.net.sync import Coordinator
    from signage_contract.device import DEVICE_MANIFEST, DeviceCredential
    from signage_contract.signing import encode_key, key_id, sign_payload

    key = SigningKey.generate()
    images = {f"i{n}": photo(n, (640, 360)) for n in range(20)}
    blobs = {hashlib.sha256(d).hexdigest(): d for d in images.values()}
    document: dict[str, bytes] = {}
    moved = {"bytes": 0}

    def publish() -> None:
        items = [{"kind": "image", "id": i, "media": media_ref(d, (640, 360))} for i, d in images.items()]
        payload = scene_manifest(media_ref(images["i0"])).model_copy(update={"items": []}).model_dump_json()
        data = json.loads(payload)
        data["items"] = items
        data["timeline"][0]["regions"] = [{"region_id": "main", "item_ids": list(images)}]
        text = json.dumps(data, ensure_ascii=False)
        document["body"] = (
            sign_payload(key, text, hashlib.sha256(text.encode()).hexdigest()).model_dump_json().encode()
        )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == DEVICE_MANIFEST:
            version = json.loads(document["body"])["version"]
            if request.headers.get("If-None-Match") == f'"{version}"':
                return httpx.Response(304)
            body = document["body"]
        else:
            body = blobs[request.url.path.rsplit("/", 1)[-1]]
        moved["bytes"] += len(body)
        return httpx.Response(200, content=body)

    state = StateDir(workdir / "bytes")
    state.save_credential(
        DeviceCredential(
            board_id="bench",
            token="t",
            server_public_key=encode_key(key.verify_key),
            key_id=key_id(key.verify_key),
        )
    )
    client = httpx.Client(base_url="http://bench", transport=httpx.MockTransport(handler))
    coordinator = Coordinator(server="http://bench", state=state, shared=Shared(), client=client)
    publish()
    coordinator.sync_once()
    images["i7"] = photo(999, (640, 360))
    blobs[hashlib.sha256(images["i7"]).hexdigest()] = images["i7"]
    publish()
    moved["bytes"] = 0
    coordinator.sync_once()
    expected = len(images["i7"]) + len(document["body"])
    print(
        f"bytes after a one-image change (20 images): {moved['bytes']} B for {expected} B of "
        f"image + manifest: {moved['bytes'] / expected:.3f}x  (target <= 1.05x)"
    )


RAW_SCRIPT = r"""
import json, sys, time, statistics, os
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
import pygame
pygame.display.init(); pygame.font.init()
screen = pygame.display.set_mode((1920, 1080))
font = pygame.font.Font(sys.argv[1], 44)
lines = json.loads(sys.argv[2])
picture = pygame.image.load(sys.argv[3]).convert()
def timed(fn, n):
    out = []
    for i in range(n):
        t = time.perf_counter(); fn(i); out.append(time.perf_counter() - t)
    return statistics.median(out) * 1000
render_ms = timed(lambda i: [font.render(l + str(i), True, (255, 255, 255)) for l in lines], 50)
surfaces = [font.render(l, True, (255, 255, 255)) for l in lines]
def frame(i):
    screen.fill((0, 0, 0)); screen.blit(picture, (0, 0))
    for k, s in enumerate(surfaces): screen.blit(s, (980, 40 + 70 * k))
    screen.fill((139, 0, 0), (0, 950, 1920, 130)); screen.blit(surfaces[0], (1920 - (i * 3) % 3000, 980))
    pygame.display.flip()
frame_ms = timed(frame, 300); frame_ms = timed(frame, 300)
print(json.dumps({"version": pygame.version.ver, "ce": getattr(pygame, "IS_CE", False),
                  "render12_ms": render_ms, "frame_ms": frame_ms}))
"""


def bench_pygame_flavours(workdir: Path) -> None:
    from PIL import Image

    from player.screen.fonts import FONT_PATH

    picture = workdir / "picture.png"
    Image.open(io.BytesIO(photo(5))).resize((960, 540)).save(picture)
    args = [str(FONT_PATH), json.dumps(LINES), str(picture)]
    interpreters = [("pygame-ce", sys.executable)]
    if Path(PYGAME26).is_file():
        interpreters.append(("pygame 2.6", PYGAME26))
    else:
        print(f"  (no pygame 2.6 interpreter at {PYGAME26}; set BENCH_PYGAME26_PYTHON to compare)")
    rows = []
    for label, python in interpreters:
        out = subprocess.run(
            [python, "-c", RAW_SCRIPT, *args], capture_output=True, text=True, timeout=300, check=True
        )
        rows.append((label, json.loads(out.stdout.strip().splitlines()[-1])))
    print("pygame flavours, same raw work (12 Vietnamese lines rendered; 1080p frame of blits):")
    for label, row in rows:
        print(
            f"  {label:10} {row['version']:8} render 12 lines {row['render12_ms']:6.2f} ms   "
            f"frame {row['frame_ms']:6.3f} ms"
        )
    if len(rows) == 2:
        ce, classic = rows[0][1], rows[1][1]
        print(
            f"  pygame 2.6 / pygame-ce: text {classic['render12_ms'] / ce['render12_ms']:.2f}x, "
            f"frame {classic['frame_ms'] / ce['frame_ms']:.2f}x"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        bench_frame_cost(workdir / "frame")
        bench_frame_cost(workdir / "frame-paged", paged=True)
        bench_frame_cost_scroll(workdir / "frame-scroll")
        bench_static_cpu(workdir / "static")
        bench_rss(workdir)
        bench_bytes_moved(workdir)
        bench_pygame_flavours(workdir)


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--rss-child":
        rss_child(Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) == 4 else None)
    else:
        main()
