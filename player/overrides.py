"""Emergency overrides on the board: the local store, the socket messages and the acknowledgements.

An override pushed over the socket is written to the state directory (atomic write + fsync) before
it is acknowledged, so after a power cut the frame loop shows it from the first frame, without the
network, until it expires by the board's own clock or is cancelled.

Reconciling with a manifest (both times are the server's clock, so board clock skew cannot matter):
- an override the manifest lists is stored (it reached the board by HTTP instead of the socket);
- a stored override the manifest does not list is dropped only when the manifest was generated
  after the override was issued (``issued_at < generated_at``): the server knew of it and no longer
  targets this board (cancelled, or retargeted). A manifest generated before the override was issued
  predates it and says nothing about it, so the pushed override stays;
- a cancelled id is remembered (a tombstone, kept ``TOMBSTONE_TTL``), so a manifest generated before
  the cancel cannot bring the override back.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ValidationError

from signage_contract import EmergencyOverride, Manifest
from signage_contract.device import OverrideAck, OverrideCancel, OverridePush
from signage_contract.files import atomic_write

from .cache import MediaCache
from .shared import Shared

log = logging.getLogger(__name__)
TOMBSTONE_TTL = timedelta(days=8)  # longer than any manifest's horizon (7 days)
MAX_PENDING_ACKS = 256  # acks waiting for a socket; the oldest go first (the server resends pushes)
STORE_FILE = "overrides.json"


def utc_now() -> datetime:
    return datetime.now(UTC)


class _StoredOverrides(BaseModel):
    overrides: dict[str, EmergencyOverride] = {}
    cancelled: dict[str, datetime] = {}  # id -> when the board learnt of the cancel (its clock)


class OverrideStore:
    """The overrides this board knows of, kept in ``<state>/overrides.json``; thread-safe."""

    def __init__(self, root: Path) -> None:
        self.path = root / STORE_FILE
        self._lock = threading.Lock()
        self._data = self._load()

    def _load(self) -> _StoredOverrides:
        try:
            return _StoredOverrides.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return _StoredOverrides()
        except (OSError, ValidationError, ValueError) as exc:  # forgiving on read: start empty
            log.error("stored overrides unreadable, starting without them: %s", str(exc).splitlines()[0])
            return _StoredOverrides()

    def _save(self) -> None:
        atomic_write(self.path, self._data.model_dump_json().encode("utf-8"))

    def current(self) -> tuple[EmergencyOverride, ...]:
        with self._lock:
            return tuple(self._data.overrides.values())

    def add(self, override: EmergencyOverride, now: datetime) -> bool:
        """Take a pushed override in memory (``save`` makes it durable); False when it was
        cancelled or has expired."""
        with self._lock:
            if override.id in self._data.cancelled or override.expires_at <= now:
                return False
            self._data.overrides[override.id] = override
            self._prune(now)
            return True

    def save(self) -> None:
        with self._lock:
            self._save()

    def receive(self, override: EmergencyOverride, now: datetime) -> bool:
        """``add`` then ``save``."""
        if not self.add(override, now):
            return False
        self.save()
        return True

    def cancel(self, override_id: str, now: datetime) -> None:
        with self._lock:
            self._data.overrides.pop(override_id, None)
            self._data.cancelled[override_id] = now
            self._prune(now)
            self._save()

    def reconcile(self, manifest: Manifest, now: datetime) -> bool:
        """Apply a verified manifest (rules in the module docstring); True when the set changed."""
        with self._lock:
            before = dict(self._data.overrides)
            listed = {o.id: o for o in manifest.overrides if o.id not in self._data.cancelled}
            kept = {
                oid: o
                for oid, o in before.items()
                if oid not in listed and o.issued_at >= manifest.generated_at
            }
            self._data.overrides = {**kept, **listed}
            self._prune(now)
            changed = self._data.overrides != before
            if changed:
                self._save()
            return changed

    def _prune(self, now: datetime) -> None:
        """Expired overrides and old tombstones go (by the board's clock)."""
        data = self._data
        data.overrides = {k: o for k, o in data.overrides.items() if o.expires_at > now}
        data.cancelled = {k: t for k, t in data.cancelled.items() if now - t < TOMBSTONE_TTL}


class AckOutbox:
    """Acknowledgements on their way to the server. ``put`` never blocks (the frame loop calls it);
    a sender thread writes them to whichever socket is attached, keeping them while none is."""

    def __init__(self) -> None:
        self._queue: queue.Queue[OverrideAck | None] = queue.Queue()
        self._pending: list[OverrideAck] = []
        self._send: Callable[[str], None] | None = None
        self._lock = threading.Lock()
        self._displayed: set[str] = set()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def put(self, ack: OverrideAck) -> None:
        self._queue.put_nowait(ack)

    def displayed(self, override_id: str, at: datetime) -> None:
        """The first frame showing ``override_id`` is on screen: ack it once per run."""
        if override_id not in self._displayed:
            self._displayed.add(override_id)
            self.put(OverrideAck(override_id=override_id, stage="displayed", at=at))

    def attach(self, send: Callable[[str], None] | None) -> None:
        """Route acks to ``send`` (a connected socket), or hold them (None)."""
        with self._lock:
            self._send = send
        self._queue.put_nowait(None)  # wake the sender to flush what waited for a socket

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="signage-acks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._queue.put_nowait(None)

    def _run(self) -> None:
        while not self._stopped.is_set():
            ack = self._queue.get()
            if ack is not None:
                self._pending = [*self._pending, ack][-MAX_PENDING_ACKS:]
            self.flush()

    def flush(self) -> None:
        with self._lock:
            send = self._send
        while send is not None and self._pending:
            try:
                send(self._pending[0].model_dump_json())
            except Exception as exc:  # loop boundary: a closed socket keeps the ack for the next one
                log.debug("ack not sent: %s", exc)
                return
            self._pending.pop(0)


class OverrideDesk:
    """What the sync side does with overrides: handle socket messages, reconcile manifests, and
    publish the set the frame loop shows (``publish`` receives the overrides to show)."""

    def __init__(
        self,
        store: OverrideStore,
        outbox: AckOutbox,
        publish: Callable[[tuple[EmergencyOverride, ...]], None],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.publish = publish
        self.clock = clock

    @classmethod
    def open(cls, root: Path, shared: Shared, manifest: Manifest | None) -> OverrideDesk:
        """The board's desk at start: the stored overrides (reconciled with the stored manifest)
        published to the frame loop before its first frame."""
        store = OverrideStore(root)
        if manifest is not None:
            store.reconcile(manifest, utc_now())
        shared.update(overrides=store.current())
        return cls(store, AckOutbox(), lambda current: shared.update(overrides=current))

    def handle(self, message: str | bytes) -> bool:
        """Take a socket message if it is an override push or cancel; False when it is neither."""
        kind = _message_type(message)
        if kind == OverridePush.model_fields["type"].default:
            self._on_push(message)
            return True
        if kind == OverrideCancel.model_fields["type"].default:
            try:
                cancel = OverrideCancel.model_validate_json(message)
            except ValidationError as exc:
                log.warning("malformed override cancel ignored: %s", str(exc).splitlines()[0])
                return True
            self.store.cancel(cancel.override_id, self.clock())
            log.warning("emergency override %s cancelled", cancel.override_id)
            self.publish(self.store.current())
            return True
        return False

    def _on_push(self, message: str | bytes) -> None:
        try:
            push = OverridePush.model_validate_json(message)
        except ValidationError as exc:
            log.warning("malformed override push ignored: %s", str(exc).splitlines()[0])
            return
        override = push.override
        if not self.store.add(override, self.clock()):
            return
        # on screen first (the fsync can take a while on an SD card), then durable, then acked:
        # "received" means stored; a power cut before the write costs the ack, and the server
        # pushes again when the board reconnects
        self.publish(self.store.current())
        self.store.save()
        self.outbox.put(OverrideAck(override_id=override.id, stage="received", at=self.clock()))
        log.warning("emergency override %s received (level %d)", override.id, override.risk_level)

    def on_manifest(self, manifest: Manifest) -> None:
        """Reconcile with a newly verified manifest and publish the result if it changed."""
        if self.store.reconcile(manifest, self.clock()):
            self.publish(self.store.current())

    def needs_media(self, media: MediaCache) -> bool:
        """Whether a stored override's image is not cached yet."""
        return any(o.media is not None and not media.has(o.media.sha256) for o in self.store.current())


def _message_type(message: str | bytes) -> str | None:
    """The ``type`` of a socket message, without trusting its shape."""
    try:
        data = json.loads(message)
    except ValueError:
        return None
    kind = data.get("type") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None
