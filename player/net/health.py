"""Board health from the player's side: heartbeats, proof-of-play upload, screenshot upload.

``HealthService.run`` is its own thread on the sync side (never the frame loop): every heartbeat
interval (30 s, or what the server's reply says) it sends a heartbeat and uploads the closed play
records. What each region shows comes from the frame loop through ``PlayTracker.regions`` (a
snapshot behind a lock); the frame loop's hook that feeds the tracker and the screenshot taker is
``FrameObserver`` (screen/observer.py). Screenshots are captured on the screen side and uploaded
from here.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

import httpx
from pydantic import ValidationError

from signage_contract.device import (
    DEVICE_HEARTBEAT,
    DEVICE_LOGS,
    DEVICE_SCREENSHOTS,
    HEARTBEAT_INTERVAL_S,
    LOG_UPLOAD_MAX_BYTES,
    Heartbeat,
    HeartbeatReply,
    LogUpload,
    ScreenshotRequest,
)

from .. import __version__
from ..core import care
from ..core.playlog import PlayLog
from ..core.playtrack import PlayTracker
from ..core.screen_status import ScreenStatus
from ..core.shared import Shared
from ..core.state import StateDir
from .play_upload import PlayUploader

log = logging.getLogger(__name__)
NETWORK_ERRORS = (httpx.HTTPError, OSError)
SCREEN_ON_WITHIN_S = 10.0  # the frame loop ran this recently: the screen is being drawn
LAST_ERROR_MAX = 2000
CLOSE_WAIT_S = 5.0
UNPAIRED_RECHECK_S = 5.0


class Screenshots(Protocol):
    """The screen side's screenshot taker (screen/screenshots.py), as health uses it."""

    def request(self, request_id: str) -> None: ...

    def close(self) -> None: ...


class LastErrorHandler(logging.Handler):
    """Keeps the latest warning or error of the player's loggers for the heartbeat."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.last = f"{record.levelname} {record.name}: {record.getMessage()}"[:LAST_ERROR_MAX]
        except Exception:  # a broken log call must not break logging
            self.handleError(record)


def directory_bytes(root: Path) -> int:
    total = 0
    for path in root.iterdir() if root.is_dir() else ():
        try:
            total += path.stat().st_size
        except OSError:  # pruned meanwhile
            continue
    return total


class HealthService:
    def __init__(
        self,
        state: StateDir,
        shared: Shared,
        client: httpx.Client,
        tracker: PlayTracker,
        playlog: PlayLog,
        headless: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        errors: LastErrorHandler | None = None,
        screen_status: ScreenStatus | None = None,
    ) -> None:
        self.state, self.shared, self.client = state, shared, client
        self.tracker, self.playlog = tracker, playlog
        self.uploader = PlayUploader(playlog, client)
        self.headless = headless
        self.clock = clock
        self.errors = errors or LastErrorHandler()
        self.screen_status = screen_status or ScreenStatus()  # the frame loop's power state
        self.started = time.monotonic()
        self.interval_s: float = HEARTBEAT_INTERVAL_S
        self.clock_offset_s: float | None = None
        self.screenshots: Screenshots | None = None  # set by the wiring (player/app.py)
        self.allow_reboot: bool | None = None  # the player's config, reported for the panel
        self.beat_accepted: Callable[[], None] | None = None  # the updater's trial (net/updater.py)
        self.thermal_root = care.THERMAL_ROOT
        self.stop_event = threading.Event()
        self._offline_logged = False
        self._thread: threading.Thread | None = None

    @classmethod
    def for_board(cls, server: str, state: StateDir, shared: Shared, headless: bool) -> HealthService:
        """Everything wired but screenshots: play log in the state directory, tracker, error capture."""
        errors = LastErrorHandler()
        logging.getLogger("player").addHandler(errors)
        playlog = PlayLog(state.root / "playlog.sqlite3")
        client = httpx.Client(base_url=server.rstrip("/"), timeout=httpx.Timeout(20.0, connect=10.0))
        return cls(state, shared, client, PlayTracker(playlog.submit), playlog, headless, errors=errors)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="signage-health", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """The player stops: close what is on screen now and commit it."""
        self.stop()
        if self._thread is not None:  # an upload in hand gets a moment to finish before the log closes
            self._thread.join(timeout=CLOSE_WAIT_S)
        self.tracker.close(self.clock())
        if self.screenshots is not None:
            self.screenshots.close()
        self.playlog.close()

    def _headers(self) -> dict[str, str] | None:
        credential = self.state.load_credential()
        return None if credential is None else {"Authorization": f"Bearer {credential.token}"}

    def heartbeat(self) -> Heartbeat:
        screen: Literal["on", "off", "unknown"] = "unknown"
        on, brightness = self.screen_status.get()
        if self.screen_status.known and not on:
            screen = "off"  # the power schedule has it off (black, display powered down where possible)
        elif not self.headless and time.monotonic() - self.tracker.last_observed < SCREEN_ON_WITHIN_S:
            screen = "on"
        return Heartbeat(
            sent_at=self.clock(),
            software_version=__version__,
            uptime_s=time.monotonic() - self.started,
            manifest_version=self.shared.snapshot().version,
            regions=self.tracker.regions(),
            clock_offset_s=self.clock_offset_s,
            free_disk_bytes=shutil.disk_usage(self.state.root).free,
            cache_bytes=directory_bytes(self.state.media.root),
            last_error=self.errors.last,
            screen_state=screen,
            brightness=(brightness if on else 0) if self.screen_status.known else None,
            os_name=care.os_name(),
            temperature_c=care.temperature_c(self.thermal_root),
            allow_reboot=self.allow_reboot,
            log_level=care.current_level(),
        )

    def send_heartbeat(self, headers: dict[str, str]) -> HeartbeatReply:
        beat = self.heartbeat()
        response = self.client.post(
            DEVICE_HEARTBEAT,
            content=beat.model_dump_json(),
            headers={**headers, "Content-Type": "application/json"},
        )
        received = self.clock()
        response.raise_for_status()
        reply = HeartbeatReply.model_validate_json(response.content)
        # server minus device, taken at the middle of the round trip
        midpoint = beat.sent_at + (received - beat.sent_at) / 2
        self.clock_offset_s = (reply.server_time - midpoint).total_seconds()
        self.interval_s = max(5, reply.heartbeat_interval_s)
        return reply

    def tick(self) -> float:
        """One heartbeat and play upload; returns the seconds to wait before the next."""
        headers = self._headers()
        if headers is None:  # not paired yet: look again soon, so the first report follows pairing
            return min(self.interval_s, UNPAIRED_RECHECK_S)
        try:
            self.send_heartbeat(headers)
            if self.beat_accepted is not None:
                self.beat_accepted()
            self.uploader.upload_all(headers)
            if self._offline_logged:
                log.info("health reports reach the server again")
            self._offline_logged = False
        except (*NETWORK_ERRORS, ValidationError) as exc:
            if not self._offline_logged:  # once per outage, not every 30 s
                log.info("health report not sent (%s); play records stay queued", exc)
            self._offline_logged = True
        except Exception:  # loop boundary
            log.exception("health report failed")
        return self.interval_s

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.stop_event.wait(self.tick())

    def stop(self) -> None:
        self.stop_event.set()

    # --- screenshots ----------------------------------------------------------------------------
    def upload_screenshot(self, jpeg: bytes, request_id: str | None, taken_at: datetime) -> None:
        headers = self._headers()
        if headers is None:
            return
        data = {"taken_at": taken_at.isoformat()}
        if request_id is not None:
            data["request_id"] = request_id
        response = self.client.post(
            DEVICE_SCREENSHOTS,
            files={"image": ("screen.jpg", jpeg, "image/jpeg")},
            data=data,
            headers=headers,
        )
        response.raise_for_status()

    def screenshot_requested(self, request: ScreenshotRequest) -> None:
        """A ``ScreenshotRequest`` from the socket: capture after the next frame."""
        if self.screenshots is not None:
            self.screenshots.request(request.request_id)

    # --- remote care ----------------------------------------------------------------------------
    def upload_logs(self, request_id: str, lines: list[str]) -> None:
        """Answer a ``LogsRequest``: the tail of the log file, bounded by the contract."""
        headers = self._headers()
        if headers is None:
            return
        body = LogUpload(request_id=request_id, lines=lines).model_dump_json().encode("utf-8")
        while len(body) > LOG_UPLOAD_MAX_BYTES and lines:  # the server's bound: the oldest lines go
            lines = lines[len(lines) // 4 + 1:]
            body = LogUpload(request_id=request_id, lines=lines).model_dump_json().encode("utf-8")
        response = self.client.post(DEVICE_LOGS, content=body,
                                    headers={**headers, "Content-Type": "application/json"})
        response.raise_for_status()
