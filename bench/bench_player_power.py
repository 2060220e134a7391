"""What the power schedule's software dim costs a frame (``python -m bench player_power``).

The bench scene of ``bench_player`` (1920x1080: image, 12 text lines, ticker) drawn by the player's
compositor at 100 % and dimmed to 30 % (every layer drawn into a canvas, each changed rectangle
copied to the display and multiplied down), beside raw pygame doing the same: a prepared frame
blitted, then multiplied (``BLEND_RGB_MULT``) in the dimmed case. Medians in the same run.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from bench.bench_player import FRAMES, SIZE, START, _median_ms, media_ref, photo, scene_manifest


def bench_dim(cache_dir: Path) -> None:
    import pygame

    from player.core.cache import MediaCache
    from player.core.shared import Snapshot
    from player.screen.compositor import Compositor
    from player.screen.images import ImageStore
    from signage_contract.power import DimWindow, PowerSchedule

    data = photo(1)
    media = MediaCache(cache_dir)
    media.path(hashlib.sha256(data).hexdigest()).write_bytes(data)
    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode(SIZE)
    value = scene_manifest(media_ref(data))
    dim = PowerSchedule(dim=[DimWindow(start=clock(0, 0), end=clock(23, 59), level=30)])
    plain, dimmed = Snapshot(generation=1, manifest=value), Snapshot(
        generation=1, manifest=value.model_copy(update={"power": dim}))
    bright = Compositor(screen, ImageStore(media, synchronous=True))
    dark = Compositor(screen, ImageStore(media, synchronous=True))
    bright.update(plain, START)
    prepared = screen.copy()

    def raw(n: int) -> None:
        screen.blit(prepared, (0, 0))
        pygame.display.flip()

    def raw_dimmed(n: int) -> None:
        screen.blit(prepared, (0, 0))
        screen.fill((77, 77, 77), special_flags=pygame.BLEND_RGB_MULT)
        pygame.display.flip()

    def full(compositor: Compositor, snap: Snapshot):
        def draw(n: int) -> None:
            compositor.shown.clear()
            pygame.display.update(compositor.update(snap, START + timedelta(seconds=n / 60)))
        return draw

    def steady(compositor: Compositor, snap: Snapshot):
        def draw(n: int) -> None:
            pygame.display.update(compositor.update(snap, START + timedelta(seconds=n / 60)))
        return draw

    runs = {"raw": raw, "raw dimmed": raw_dimmed,
            "full": full(bright, plain), "full dimmed": full(dark, dimmed),
            "steady": steady(bright, plain), "steady dimmed": steady(dark, dimmed)}
    results: dict[str, float] = {}
    for _round in range(2):  # the second round counts: caches and CPU clocks are warm
        for name, draw in runs.items():
            samples = []
            for n in range(FRAMES):
                began = time.perf_counter()
                draw(n)
                samples.append(time.perf_counter() - began)
            results[name] = _median_ms(samples)
    print(f"frame 1920x1080, image + 12 lines + ticker, 100 % and dimmed to 30 % (median of {FRAMES}):")
    print(f"  raw pygame, full frame            {results['raw']:7.3f} ms")
    print(f"  raw pygame, full frame dimmed     {results['raw dimmed']:7.3f} ms")
    print(f"  player, every region redrawn      {results['full']:7.3f} ms  dimmed "
          f"{results['full dimmed']:7.3f} ms  ({results['full dimmed'] / results['full']:.2f}x)")
    print(f"  player, steady (ticker only)      {results['steady']:7.3f} ms  dimmed "
          f"{results['steady dimmed']:7.3f} ms  ({results['steady dimmed'] / results['steady']:.2f}x)")
    print(f"  dimmed player full / dimmed raw   {results['full dimmed'] / results['raw dimmed']:.2f}x")
    pygame.display.quit()


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        bench_dim(Path(workdir))


if __name__ == "__main__":
    main()
