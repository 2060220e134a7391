"""The network edge: pairing, manifest polling and media download, and what socket messages mean.

Runs in background threads and only hands finished results to the frame loop through ``Shared``.
HTTP is the truth; the socket (``DeviceChannel``, net/channel.py) only says "fetch now", and
polling covers a lost nudge. Override messages go to the ``OverrideDesk`` (net/overrides.py),
screenshot requests to the health side. Availability changes are logged once each way, never on
every tick.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from pydantic import ValidationError

from signage_contract import Manifest, MediaRef, SignedManifest
from signage_contract.device import (
    DEVICE_MANIFEST,
    DEVICE_MEDIA,
    NUDGE_SPREAD_MAX_S,
    PAIRING_POLL,
    PAIRING_START,
    CareCommand,
    LogsRequest,
    Nudge,
    OverrideCancel,
    OverridePush,
    PairingStart,
    PairingStatus,
    PairingTicket,
    ScreenshotRequest,
    ServerMessage,
)
from signage_contract.manifest import DEFAULT_POLL_INTERVAL_S
from signage_contract.signing import ManifestRejected, verify_manifest
from signage_contract.speech import SpeechRef

from .. import __version__
from ..core.cache import MediaError
from ..core.handover import READY_WINDOW, media_needed, missing_for_handover
from ..core.shared import Shared
from ..core.state import StateDir
from .channel import REFUSED_STATUSES, DeviceChannel, backoff_s
from .overrides import OverrideDesk

log = logging.getLogger(__name__)
NETWORK_ERRORS = (httpx.HTTPError, OSError)
DISK_LOW_BYTES = 200 * 1024 * 1024  # under this much free space the cache keeps only what is needed


def utc_now() -> datetime:
    return datetime.now(UTC)


class CredentialRefused(Exception):
    """The manifest poll was answered 401/403: the board must pair again."""


class Coordinator:
    """The poll loop's owner: pairing, the manifest and its media, and the routing of the socket's
    messages (the socket itself is ``self.channel``)."""

    def __init__(
        self,
        *,
        server: str,
        state: StateDir,
        shared: Shared,
        client: httpx.Client | None = None,
        poll_interval_s: float | None = None,
        screen_size: tuple[int, int] | None = None,
        desk: OverrideDesk | None = None,
        screenshot_requested: Callable[[ScreenshotRequest], None] | None = None,
        care: Callable[[CareCommand | LogsRequest], None] | None = None,
        disk_low_bytes: int = DISK_LOW_BYTES,
        start_socket: bool = True,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.server = server.rstrip("/")
        self.state = state
        self.shared = shared
        self.client = client or httpx.Client(base_url=self.server, timeout=httpx.Timeout(20.0, connect=10.0))
        self.poll_interval_s = poll_interval_s
        self.screen_size = screen_size
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self._deferred: threading.Timer | None = None  # a nudged fetch spread by the server
        self._deferred_lock = threading.Lock()
        self._online: bool | None = None
        self._logged_rejections: set[str] = set()
        self._logged_media: set[str] = set()
        self._logged_waiting: set[str] = set()
        self.clock = clock
        self.pending = self._stored_pending()
        self._failures = 0
        self.start_socket = start_socket
        self.desk = desk  # emergency overrides: socket messages, manifest reconciliation, acks
        self.screenshot_requested = screenshot_requested  # the health side takes the capture
        self.care = care  # remote care (player/core/care.py)
        self.disk_low_bytes = disk_low_bytes
        self.disk_free: Callable[[], int] = lambda: shutil.disk_usage(self.state.root).free
        self._disk_low_logged = False
        self.channel = DeviceChannel(
            server=self.server,
            state=state,
            shared=shared,
            deliver=self.route,
            stop_event=self.stop_event,
            on_refused=self.wake.set,
            outbox=desk.outbox if desk is not None else None,
        )

    def _stored_pending(self) -> tuple[SignedManifest, Manifest] | None:
        """The waiting manifest kept on disk, if it is still newer than the one in force."""
        pending = self.state.load_pending()
        current = self.shared.snapshot().manifest
        if pending is not None and current is not None and not current.stamp().older_than(pending[1].stamp()):
            self.state.drop_pending()  # put in force already, or older: nothing waits
            return None
        return pending

    # --- availability -----------------------------------------------------------------------------
    def _set_online(self, online: bool, reason: object = None) -> None:
        if online == self._online:
            return
        if online:
            log.info("server %s reachable", self.server) if self._online is None else log.info("server back")
        else:
            log.warning("server unavailable (%s); playing from the last good manifest", reason)
        self._online = online
        self.shared.update(online=online)

    # --- pairing ----------------------------------------------------------------------------------
    def pair_step(self) -> bool:
        """Ask for a pairing code, show it, and wait for an operator to claim it; True once paired."""
        width, height = self.screen_size or (None, None)
        start = PairingStart(
            hardware_id=self.state.hardware_id(),
            software_version=__version__,
            screen_width=width,
            screen_height=height,
        )
        response = self.client.post(PAIRING_START, json=start.model_dump(mode="json"))
        response.raise_for_status()
        ticket = PairingTicket.model_validate_json(response.content)
        self.shared.update(pairing_code=ticket.code, server=self.server)
        log.info("pairing code %s (claim it in the panel)", ticket.code)
        while not self.stop_event.is_set():
            url = PAIRING_POLL.format(ticket_id=ticket.ticket_id)
            polled = self.client.get(url, headers={"X-Pairing-Secret": ticket.secret})
            polled.raise_for_status()
            status = PairingStatus.model_validate_json(polled.content)
            if status.state == "claimed" and status.credential is not None:
                self.state.save_credential(status.credential)
                self.shared.update(pairing_code=None)
                log.info("paired as board %s", status.credential.board_id)
                return True
            if status.state == "expired":
                return False
            self.stop_event.wait(max(1, ticket.poll_interval_s))
        return False

    # --- manifest and media -----------------------------------------------------------------------
    def sync_once(self) -> bool:
        """One poll: fetch the manifest if it changed, verify it and its place in the board's order,
        fetch the media, and put the newest manifest in force once the media it needs soon are
        cached (core/handover.py).

        Returns True when a manifest went into force. Network errors propagate to the loop.
        """
        credential, key = self.state.load_credential(), self.state.verify_key()
        if credential is None or key is None:
            return False
        if self._hand_over():  # a waiting manifest whose media arrived before a restart
            return True
        headers = {"Authorization": f"Bearer {credential.token}"}
        newest = self.pending[0].version if self.pending else self.shared.snapshot().version
        if newest:
            headers["If-None-Match"] = f'"{newest}"'
        response = self.client.get(DEVICE_MANIFEST, headers=headers)
        if response.status_code in REFUSED_STATUSES:
            raise CredentialRefused(f"HTTP {response.status_code}")
        if response.status_code != 304:
            response.raise_for_status()
            try:
                signed = SignedManifest.model_validate_json(response.content)
                manifest = verify_manifest(signed, key, credential.board_id)
                self._check_order(signed, manifest)
            except (ValidationError, ValueError, ManifestRejected) as exc:
                self._log_rejection(response.content, exc)
            else:
                self._accept(signed, manifest)
        self.check_disk()
        self._fetch_media(headers)
        return self._hand_over()

    def _check_order(self, signed: SignedManifest, manifest: Manifest) -> None:
        """Refuse a manifest older than the one in force, the one waiting, or any put in force
        before (a replayed document, however genuinely signed, must not bring old content back)."""
        known = [self.shared.snapshot().manifest, self.pending[1] if self.pending else None]
        stamps = [m.stamp() for m in known if m is not None]
        floor = self.state.floor()
        if floor is not None:
            stamps.append(floor)
        if any(manifest.stamp().older_than(stamp) for stamp in stamps):
            raise ManifestRejected(f"manifest {signed.version[:16]} is older than the one this board has")

    def _accept(self, signed: SignedManifest, manifest: Manifest) -> None:
        """A verified newer manifest: it waits (on disk too) until its media are cached."""
        if self.desk is not None:
            self.desk.on_manifest(manifest)  # overrides are urgent: a dropped one goes at once
        self.state.save_pending(signed)
        self.pending = (signed, manifest)

    def adopt(self, signed: SignedManifest, manifest: Manifest) -> None:
        """A manifest a USB bundle put in force (core/bundle_import.py, already verified, ordered
        and stored with its media): it plays at once, and nothing older waits to replace it."""
        if self.desk is not None:
            self.desk.on_manifest(manifest)
        self.pending = None
        self.shared.update(manifest=manifest, version=signed.version)

    def _hand_over(self) -> bool:
        """Put the waiting manifest in force if its media needed soon are cached; True if it did."""
        if self.pending is None:
            return False
        signed, manifest = self.pending
        missing = missing_for_handover(
            self.shared.snapshot().manifest, manifest, self.clock(), self.state.media.has
        )
        if missing:
            if signed.version not in self._logged_waiting:
                self._logged_waiting.add(signed.version)
                log.warning("manifest %s waits for %d media; the one in force keeps playing",
                            signed.version[:16], len(missing))
            return False
        self.state.save_manifest(signed, manifest)
        self.state.drop_pending()
        self.pending = None
        replaced = self.shared.snapshot().manifest
        self.shared.update(manifest=manifest, version=signed.version)
        # Only now, and only what neither this manifest nor the one it replaced needs: the frame
        # loop may still be drawing a frame of the replaced one (pruning its media at once showed
        # the fallback slide for a frame after a restart). They go at the next handover, or on a
        # nearly full disk.
        self.state.media.prune({**self._wanted_media(), **(replaced.media() if replaced else {})})
        log.info("manifest %s in force", signed.version[:16])
        return True

    def _log_rejection(self, body: bytes, exc: Exception) -> None:
        try:
            key = str(json.loads(body).get("version", body[:64]))
        except (ValueError, AttributeError):
            key = repr(body[:64])
        if key not in self._logged_rejections:  # the same bad document would be logged every poll
            self._logged_rejections.add(key)
            log.error("manifest refused, keeping the last good one: %s", str(exc).splitlines()[0])

    def _wanted_media(self) -> dict[str, MediaRef | SpeechRef]:
        """The media of the waiting manifest first, then those of the one in force and of stored
        overrides (a pushed one may not be listed yet)."""
        refs: dict[str, MediaRef | SpeechRef] = {}
        if self.pending is not None:
            upcoming = self.pending[1]
            now = self.clock()
            refs.update(media_needed(upcoming, now, now + READY_WINDOW))  # what the handover waits for
            refs.update(upcoming.media())
        current = self.shared.snapshot().manifest
        if current is not None:
            refs.update(current.media())
        if self.desk is not None:
            refs.update({o.media.sha256: o.media for o in self.desk.store.current() if o.media})
            refs.update({o.speech.sha256: o.speech for o in self.desk.store.current() if o.speech})
        return refs

    def check_disk(self) -> int:
        """A nearly full disk: drop every cached file the manifests in force and waiting (and the
        stored overrides) do not need; reported once per low spell (the heartbeat's last_error)."""
        try:
            free = self.disk_free()
        except OSError:
            return 0
        if free >= self.disk_low_bytes:
            self._disk_low_logged = False
            return 0
        removed = self.state.media.prune(self._wanted_media())
        if removed or not self._disk_low_logged:
            log.warning("disk nearly full (%d MB free): media cache pruned to what the manifests need, "
                        "%d file(s) removed", free // (1024 * 1024), removed)
        self._disk_low_logged = True
        return removed

    def _fetch_media(self, headers: dict[str, str]) -> None:
        auth = {"Authorization": headers["Authorization"]}
        arrived = False
        for ref in self._wanted_media().values():
            if self.state.media.has(ref.sha256):
                continue
            for _attempt in range(2):  # a second try resumes an interrupted transfer
                try:
                    url = DEVICE_MEDIA.format(sha256=ref.sha256)
                    self.state.media.fetch(ref, self.client, url, auth)
                    arrived = True
                    break
                except (MediaError, httpx.HTTPStatusError) as exc:
                    if ref.sha256 not in self._logged_media:
                        self._logged_media.add(ref.sha256)
                        log.warning("media %s not usable yet: %s", ref.sha256[:12], exc)
        if arrived:
            self.shared.update()  # late media: let the frame loop re-resolve

    # --- loops --------------------------------------------------------------------------------------
    def interval_s(self) -> float:
        if self.poll_interval_s is not None:
            return self.poll_interval_s
        manifest = self.shared.snapshot().manifest
        return float(manifest.poll_interval_s if manifest else DEFAULT_POLL_INTERVAL_S)

    def run(self) -> None:
        """Pair if needed, then poll until stopped; a nudge wakes the wait early."""
        while not self.stop_event.is_set():
            delay = self.tick()
            self.wake.wait(delay)
            self.wake.clear()

    def tick(self) -> float:
        """One step of the loop (pair or poll); returns how long to wait before the next."""
        try:
            if self.state.load_credential() is None:
                self.pair_step()
                self._set_online(True)
                return 0.0
            if self.start_socket:
                self.channel.ensure_running()
            self.sync_once()
            self._set_online(True)
            self._failures = 0
            return self.interval_s()
        except CredentialRefused as exc:
            self._unpair(exc)
            return 0.0
        except NETWORK_ERRORS as exc:
            self._set_online(False, exc)
            self._failures += 1
            return min(self.interval_s(), backoff_s(self._failures - 1))
        except Exception:  # loop boundary: one bad answer must not end syncing
            log.exception("sync failed")
            return self.interval_s()

    def _unpair(self, reason: Exception) -> None:
        """Back to the pairing screen: an unauthorised board must not keep showing old content."""
        log.warning("server refused this board's credential (%s); pairing again", reason)
        self.state.forget_pairing()
        self.pending = None
        self.shared.update(manifest=None, version=None, pairing_code=None)

    def stop(self) -> None:
        self.stop_event.set()
        if self._deferred is not None:
            self._deferred.cancel()
        self.wake.set()

    def _wake_within(self, within_s: float) -> None:
        """Fetch now, or at a random moment within ``within_s`` when the server spreads a fleet's
        fetches (``Nudge.within_s``); a wake already deferred stands (it fetches the newest)."""
        if within_s <= 0:
            self.wake.set()
            return
        with self._deferred_lock:
            if self._deferred is not None and self._deferred.is_alive():
                return
            delay = random.uniform(0, min(within_s, NUDGE_SPREAD_MAX_S))
            self._deferred = threading.Timer(delay, self.wake.set)
            self._deferred.daemon = True
            self._deferred.start()

    def route(self, message: ServerMessage) -> None:
        """What a socket message means (called on the socket thread, never blocks for long)."""
        match message:
            case Nudge(version=version, within_s=within_s):
                waiting = self.pending[0].version if self.pending else None
                if version not in (self.shared.snapshot().version, waiting):
                    self._wake_within(within_s)
            case OverridePush() | OverrideCancel():
                if self.desk is not None:
                    self.desk.handle(message)
                    if self.desk.needs_media(self.state.media):
                        self.wake.set()  # the poll loop fetches the override's image
            case ScreenshotRequest():
                if self.screenshot_requested is not None:
                    self.screenshot_requested(message)
            case CareCommand() | LogsRequest():
                if self.care is not None:
                    self.care(message)
