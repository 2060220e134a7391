"""Wiring only: the pieces of a running board (or of a one-frame render) built and connected.

Network threads (``net``) and the frame loop (``screen``) share nothing but the ``Shared``
snapshot (``core``), the override desk's ack outbox and the health hook; this module is the one
place that knows all three rooms.
"""

from __future__ import annotations

import signal
import tempfile
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pygame

from signage_contract import Manifest, RegionRole, TextItem

from . import __version__
from .core.cache import MediaCache
from .core.care import CareDesk
from .core.config import DisplayConfig
from .core.heap import return_large_blocks
from .core.shared import Shared, Snapshot
from .core.state import StateDir
from .core.timeline import Frame
from .core.watchdog import FrameWatchdog, SdNotify
from .net.health import HealthService
from .net.overrides import OverrideDesk
from .net.sync import Coordinator
from .net.updater import Updater
from .net.usb_bundles import BundleWatcher
from .screen.compositor import Compositor, region_rect, utc_now
from .screen.display_power import DisplayPower, PowerFollower, backends_for
from .screen.images import ImageStore
from .screen.kinds.text import view_starts
from .screen.last_frame import LAST_FRAME_NAME, LastFrameKeeper, restore_last_frame
from .screen.loop import run_loop
from .screen.observer import FrameObserver
from .screen.render import inner
from .screen.screenshots import ScreenshotTaker
from .screen.speech import Announcer
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


MAX_RENDERED_PAGES = 20  # a preview of a 20,000-character notice on a LED board stops here


def render_pages(
    *, manifest: Manifest, at: datetime, size: tuple[int, int], output: Path, media_dir: Path | None
) -> int:
    """Like ``render_frame``, once per page (or screenful of a scrolling strip) of the text the main
    region shows at ``at``: page 1 into
    ``output``, page N into ``<stem>-N<suffix>`` (written first, so page 1 present means all are).
    Returns the number of pages written (at most MAX_RENDERED_PAGES)."""
    screen = pygame.display.set_mode(size)
    with tempfile.TemporaryDirectory() as empty:
        media = MediaCache(media_dir if media_dir else Path(empty))
        compositor = Compositor(screen, ImageStore(media, synchronous=True))
        snap = Snapshot(generation=1, manifest=manifest)
        compositor.update(snap, at)
        starts = [at]
        if compositor.frame is not None:
            starts = page_starts(compositor, compositor.frame, at)[:MAX_RENDERED_PAGES]
        output.parent.mkdir(parents=True, exist_ok=True)
        for number, start in reversed(list(enumerate(starts, 1))):
            compositor.update(snap, start)
            name = output if number == 1 else output.with_name(f"{output.stem}-{number}{output.suffix}")
            pygame.image.save(screen, str(name))
    return len(starts)


def page_starts(compositor: Compositor, frame: Frame, at: datetime) -> list[datetime]:
    """The instants at which each page of the main region's text shows (just after it turns); for
    a scrolling text, each successive screenful of its strip."""
    for show in frame.regions:
        if show.region.role == RegionRole.MAIN and isinstance(show.item, TextItem):
            rect = region_rect(compositor.screen.get_rect(), show.region.x, show.region.y, show.region.w,
                               show.region.h)
            offsets = view_starts(show.item, inner(rect), compositor.screen.get_size())
            return [show.started_at + timedelta(seconds=o, milliseconds=1) for o in offsets]
    return [at]


def run_board(
    *,
    server: str,
    state_dir: Path,
    poll_interval_s: float | None,
    headless: bool,
    geometry: Geometry | None,
    fullscreen: bool,
    display: DisplayConfig | None = None,
    usb_bundles: str | None = None,
) -> int:
    """Run a board until the window closes or SIGTERM: the stored manifest and overrides on screen
    from the first frame, then the network threads, health, and the frame loop on this thread."""
    return_large_blocks()  # before the first picture: freed pictures leave the process (core/heap.py)
    state = StateDir(state_dir)
    shared = Shared(server=server)
    stored = state.load_manifest()
    if stored is not None:  # offline start: the last good manifest plays before any network answer
        shared.update(manifest=stored[1], version=stored[0].version)
    desk = OverrideDesk.open(state.root, shared, stored[1] if stored else None)  # before the 1st frame
    window = BoardWindow(headless=headless, fullscreen=fullscreen, fixed=geometry)
    screen = window.open(stored[1] if stored else None)
    health = HealthService.for_board(server, state, shared, headless=headless)
    display = display or DisplayConfig()
    # Headless (tests, previews) there is no display to power down and no card to command.
    power = None if headless else DisplayPower(backends_for(display), display.brightness_command)
    follower = PowerFollower(power, health.screen_status)
    health.screenshots = screenshots = ScreenshotTaker(health.upload_screenshot)
    coordinator = Coordinator(
        server=server,
        state=state,
        shared=shared,
        poll_interval_s=poll_interval_s,
        screen_size=screen.get_size(),
        desk=desk,
        screenshot_requested=health.screenshot_requested,
        care=lambda message: care_desk.handle(message),
    )
    stop = threading.Event()
    exit_code = 0

    def restart(code: int) -> None:  # a clean stop, then the service manager starts the player again
        nonlocal exit_code
        exit_code = code
        stop.set()

    health.allow_reboot = display.allow_reboot
    care_desk = CareDesk(log_root=state.root, restart=restart, upload_logs=health.upload_logs,
                         allow_reboot=display.allow_reboot, reboot_command=display.reboot_command)
    updater = Updater(state=state, client=health.client, running_version=__version__, restart=restart,
                      frames_drawn=lambda: health.tracker.last_observed > 0)
    health.beat_accepted = updater.beat_accepted
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    network = threading.Thread(target=coordinator.run, name="signage-sync", daemon=True)
    network.start()
    if usb_bundles:  # a board without a link: bundles from a drive (net/usb_bundles.py)
        watcher = BundleWatcher(usb_bundles, state, health.playlog, coordinator.adopt)
        threading.Thread(target=watcher.run, args=(stop,), name="signage-usb", daemon=True).start()
    health.start()
    threading.Thread(target=updater.run, args=(stop,), name="signage-update", daemon=True).start()
    desk.outbox.start()
    if power is not None:
        power.start()
    images = ImageStore(state.media)
    compositor = Compositor(screen, images, reopen=window.follow)
    # The last frame of the previous run stays up while the first pictures decode: never black.
    compositor.on_screen = restore_last_frame(screen, state.root / LAST_FRAME_NAME)
    observer = FrameObserver(health.tracker, screenshots)
    announcer = Announcer(state.media, health.tracker.sink)  # spoken announcements (screen/speech.py)
    keeper = LastFrameKeeper(state.root / LAST_FRAME_NAME)
    watchdog = FrameWatchdog(SdNotify.from_env())  # a frozen loop restarts the player
    watchdog.start()

    def after_frame(shown: Compositor, now: datetime) -> None:
        observer(shown, now)
        announcer.after_frame(shown, shared.snapshot(), now)
        keeper(shown, now)
        watchdog.beat()

    try:
        run_loop(
            compositor,
            shared,
            stop,
            frame_path=state.frame_path if headless else None,
            after_frame=after_frame,
            override_shown=desk.outbox.displayed,
            power=follower,
        )
    except KeyboardInterrupt:
        pass
    finally:
        watchdog.stop()
        coordinator.stop()
        announcer.close(utc_now())
        health.close()
        desk.outbox.stop()
        if power is not None:
            power.want(True, 100)  # a stopped player never leaves the display dark
            power.close()
        keeper.close()
        images.close()
        pygame.quit()
    return exit_code
