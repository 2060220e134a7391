"""Wiring only: the pieces of a running board (or of a one-frame render) built and connected.

Network threads (``net``) and the frame loop (``screen``) share nothing but the ``Shared``
snapshot (``core``), the override desk's ack outbox and the health hook; this module is the one
place that knows all three rooms.
"""

from __future__ import annotations

import signal
import tempfile
import threading
from datetime import datetime
from pathlib import Path

import pygame

from signage_contract import Manifest

from .core.cache import MediaCache
from .core.shared import Shared, Snapshot
from .core.state import StateDir
from .net.health import HealthService
from .net.overrides import OverrideDesk
from .net.sync import Coordinator
from .screen.compositor import Compositor
from .screen.images import ImageStore
from .screen.loop import run_loop
from .screen.observer import FrameObserver
from .screen.screenshots import ScreenshotTaker
from .screen.window import BoardWindow, Geometry


def render_frame(
    *, manifest: Manifest, at: datetime, size: tuple[int, int], output: Path, media_dir: Path | None
) -> None:
    """Draw what a board of ``size`` shows at ``at`` into the PNG ``output`` (display already
    initialised headless by the caller)."""
    screen = pygame.display.set_mode(size)
    with tempfile.TemporaryDirectory() as empty:
        media = MediaCache(media_dir if media_dir else Path(empty))
        compositor = Compositor(screen, ImageStore(media, synchronous=True))
        compositor.update(Snapshot(generation=1, manifest=manifest), at)
        output.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(screen, str(output))


def run_board(
    *,
    server: str,
    state_dir: Path,
    poll_interval_s: float | None,
    headless: bool,
    geometry: Geometry | None,
    fullscreen: bool,
) -> None:
    """Run a board until the window closes or SIGTERM: the stored manifest and overrides on screen
    from the first frame, then the network threads, health, and the frame loop on this thread."""
    state = StateDir(state_dir)
    shared = Shared(server=server)
    stored = state.load_manifest()
    if stored is not None:  # offline start: the last good manifest plays before any network answer
        shared.update(manifest=stored[1], version=stored[0].version)
    desk = OverrideDesk.open(state.root, shared, stored[1] if stored else None)  # before the 1st frame
    window = BoardWindow(headless=headless, fullscreen=fullscreen, fixed=geometry)
    screen = window.open(stored[1] if stored else None)
    health = HealthService.for_board(server, state, shared, headless=headless)
    health.screenshots = screenshots = ScreenshotTaker(health.upload_screenshot)
    coordinator = Coordinator(
        server=server,
        state=state,
        shared=shared,
        poll_interval_s=poll_interval_s,
        screen_size=screen.get_size(),
        desk=desk,
        screenshot_requested=health.screenshot_requested,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    network = threading.Thread(target=coordinator.run, name="signage-sync", daemon=True)
    network.start()
    health.start()
    desk.outbox.start()
    images = ImageStore(state.media)
    try:
        run_loop(
            Compositor(screen, images, reopen=window.follow),
            shared,
            stop,
            frame_path=state.frame_path if headless else None,
            after_frame=FrameObserver(health.tracker, screenshots),
            override_shown=desk.outbox.displayed,
        )
    except KeyboardInterrupt:
        pass
    finally:
        coordinator.stop()
        health.close()
        desk.outbox.stop()
        images.close()
        pygame.quit()
