"""The FastAPI application factory: settings in, app out; resources built in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from signage_server import __version__
from signage_server.content.layout_sync import sync_builtin_layouts
from signage_server.content.media_store import MediaStore
from signage_server.content.speech import Speaker
from signage_server.content.speech_engines import choose_engine
from signage_server.core.auth import user_for_token
from signage_server.core.blobs import shared_files
from signage_server.core.bus import make_bus
from signage_server.core.changes import ChangeFeed
from signage_server.core.heap import settle_heap
from signage_server.core.keys import load_or_create_signing_key
from signage_server.core.login_guard import make_login_guard, make_rate_limit
from signage_server.core.loop_watch import LoopWatch
from signage_server.core.private_files import make_private_dir
from signage_server.db import make_engine
from signage_server.devices.auth import LAST_SEEN_RESOLUTION, bearer_token
from signage_server.devices.hub import Hub
from signage_server.devices.pairing import PairingLimits
from signage_server.devices.poll_cache import PollCache
from signage_server.emergency.receipts import ReceiptRecorder
from signage_server.emergency.sources.cap.senders import seed_from_settings as seed_cap_senders
from signage_server.feeds.fetch import FetchLimits
from signage_server.feeds.poller import FeedPoller
from signage_server.health.monitor import HealthMonitor
from signage_server.health.screenshots import ScreenshotStore
from signage_server.health.store import HealthConfig
from signage_server.health.webhook import WebhookNotifier
from signage_server.health.writer import HeartbeatWriter
from signage_server.manifest.composer import BoardNotFound, Composer
from signage_server.migrate import upgrade
from signage_server.reports.bulletin_events import BulletinEventWorker
from signage_server.reports.receipts import Recorded
from signage_server.settings import Settings
from signage_server.units.service import seed_if_empty
from signage_server.web import errors
from signage_server.web.api import API_ROUTERS
from signage_server.web.api.boards import device, device_health, device_release, pairing
from signage_server.web.api_docs import install_docs
from signage_server.web.body_limit import BodyLimit, BodyLimits
from signage_server.web.panel.mount import mount as mount_panel
from signage_server.web.security_headers import SecurityHeaders

log = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> Engine:
    """Migrate to the latest schema, seed the 2025 units into an empty table, store built-in layouts."""
    engine = make_engine(settings.resolved_database_url, settings.database_pool_size)
    upgrade(engine)
    if settings.seed_units:
        with Session(engine) as session:
            seed_if_empty(session)
    sync_builtin_layouts(engine)
    with Session(engine) as session:
        seed_cap_senders(session, settings.cap_senders)
    return engine


async def _write_seen(cache: PollCache, engine: Engine) -> None:
    """Every ``LAST_SEEN_RESOLUTION``, the last-seen stamps of polls answered from memory."""
    while True:
        await asyncio.sleep(LAST_SEEN_RESOLUTION.total_seconds())
        try:
            await anyio.to_thread.run_sync(cache.flush_seen, engine)
        except Exception:  # loop boundary: the stamps of the next round still come
            log.exception("writing last-seen stamps failed")


def create_app(settings: Settings, *, serving: bool = False) -> FastAPI:
    """``serving``: this is the server process, not a test's: tune the garbage collector once the
    lifespan has started (``core/heap.py``; frozen objects are never freed and a test process builds
    many apps) and watch the event loop for stalls (``core/loop_watch.py``; a test's client runs
    the loop in a thread beside a main thread that builds apps, whose pauses it would report)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        make_private_dir(settings.data_dir)
        app.state.engine = engine = prepare_database(settings)
        app.state.signing_key = load_or_create_signing_key(settings.key_path)
        files = shared_files(settings.shared_store, settings.data_dir, engine)
        app.state.media_store = MediaStore(
            settings.media_dir, settings.max_upload_bytes, settings.max_image_pixels, files
        )
        app.state.media_store.remove_stale_temp_files()
        app.state.speaker = Speaker(app.state.media_store, choose_engine(settings.speech_piper_model))
        # Board traffic borrows from a limiter of its own, never from anyio's default one (40
        # threads) that sync routes, the panel and the operators' API use: under a backlog of
        # polls and heartbeats a confirmation waited 36 s for a thread (the soak, 10,000 boards).
        app.state.device_threads = device_threads = anyio.CapacityLimiter(settings.device_threads)
        app.state.hub = hub = Hub()
        app.state.poll_cache = poll_cache = PollCache()
        app.state.recorded = Recorded()
        app.state.bus = bus = make_bus(settings.redis_url)
        await bus.start(hub.deliver, poll_cache.forget)
        app.state.composer = composer = Composer(engine, app.state.signing_key, bus, settings.poll_interval_s,
                                                  fetch_rate=settings.nudge_fetch_rate)
        app.state.changes.subscribe(composer.on_change)
        worker = asyncio.create_task(composer.run(), name="composer")
        app.state.screenshot_store = ScreenshotStore(
            settings.screenshot_dir, settings.screenshot_max_bytes, settings.max_image_pixels,
            settings.screenshot_keep, files,
        )
        notifier = WebhookNotifier(settings.webhook_url) if settings.webhook_url else None
        app.state.health = health = HealthMonitor(
            engine, HealthConfig.from_settings(settings), notifier, settings.health_sweep_s
        )
        app.state.heartbeat_writer = HeartbeatWriter(health, device_threads)
        if notifier is not None:
            await notifier.start()
        sweeper = asyncio.create_task(health.run(), name="health-sweeper")
        app.state.receipts = receipts = ReceiptRecorder(engine)
        receipts_worker = asyncio.create_task(receipts.run(), name="override-receipts")
        seen_writer = asyncio.create_task(_write_seen(poll_cache, engine), name="last-seen")
        feeds = FeedPoller(engine, app.state.changes, tick_s=settings.feed_tick_s,
                           limits=FetchLimits(settings.feed_timeout_s, settings.feed_max_bytes,
                                              settings.feed_allow_private))
        feed_poller = asyncio.create_task(feeds.run(), name="feed-poller")
        bulletin_events = BulletinEventWorker(engine, interval_s=settings.bulletin_events_interval_s,
                                              grace=timedelta(minutes=settings.bulletin_deadline_grace_min))
        bulletin_events_worker = asyncio.create_task(bulletin_events.run(), name="bulletin-events")
        watching = asyncio.create_task(LoopWatch().run(), name="loop-watch") if serving else None
        if serving:
            settle_heap()
        try:
            yield
        finally:
            if watching is not None:
                watching.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watching
            # Let the batch in hand finish: a worker thread cut off mid-query would keep a
            # database connection past engine.dispose() (leaked, and half-composed work lost).
            composer.stop()
            await worker
            health.stop()
            await sweeper
            if notifier is not None:
                await notifier.stop()
            receipts.stop()
            await receipts_worker
            feeds.stop()
            await feed_poller
            bulletin_events.stop()
            await bulletin_events_worker
            seen_writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await seen_writer
            await anyio.to_thread.run_sync(poll_cache.flush_seen, engine)
            await bus.stop()
            engine.dispose()

    docs = settings.api_docs
    app = FastAPI(
        title="Signage controller",
        version=__version__,
        description="Central service for public electronic bulletin boards (bảng tin điện tử công cộng).",
        lifespan=lifespan,
        docs_url=None, redoc_url=None,  # served from local assets by install_docs
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.changes = ChangeFeed()
    app.state.login_guard = make_login_guard(settings.redis_url)
    app.state.pairing_limits = PairingLimits(
        per_address=make_rate_limit(settings.redis_url, max_events=settings.pairing_per_address,
                                    window_s=settings.pairing_window_s, prefix="signage:pairing:"),
        max_open=settings.pairing_max_open,
    )
    # Body limits inside the security headers, so that their 413s carry the headers too.
    app.add_middleware(BodyLimit, limits=BodyLimits.from_settings(settings))
    app.add_middleware(SecurityHeaders)
    # Last added, so first to run: the client's address and scheme (https: Secure cookies) as the
    # trusted proxy saw them, for every route, whatever server runs the app.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    errors.install(app)
    # Device routes first: routing tries routes in order, and the boards' polls and heartbeats are
    # the hot paths (matching them after every API route cost ~40 % of a heartbeat's time).
    app.include_router(device_health.router)
    app.include_router(device.router)
    app.include_router(device_release.router)
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api/v1")
    app.include_router(pairing.router, prefix="/api/v1")
    mount_panel(app)  # the web control panel under /panel
    install_docs(app, enabled=docs)

    @app.exception_handler(BoardNotFound)
    async def board_gone(_request: Request, exc: BoardNotFound) -> JSONResponse:
        return JSONResponse({"detail": f"board {exc} no longer exists"}, status_code=404)

    @app.get("/healthz", tags=["health"])
    def healthz(request: Request) -> dict[str, str]:
        """Up or not; the version only for a signed-in caller (it tells an attacker what to try)."""
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            return {"status": "ok"}
        with Session(app.state.engine) as session:
            known = user_for_token(session, token) is not None
        return {"status": "ok", "version": __version__} if known else {"status": "ok"}

    return app
