"""Emergency overrides on the socket: pushes and cancels routed to the store, and the acknowledgements.

A push is shown at once, then made durable (``OverrideStore``, player/core/override_store.py),
then acknowledged "received"; the first presented frame showing it is acknowledged "displayed".
Acks never block the frame loop: ``AckOutbox`` sends them from its own thread to whichever socket
is attached, holding them while none is.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from signage_contract import EmergencyOverride, Manifest
from signage_contract.device import OverrideAck, OverrideCancel, OverridePush

from ..core.cache import MediaCache
from ..core.override_store import OverrideStore
from ..core.shared import Shared

log = logging.getLogger(__name__)
MAX_PENDING_ACKS = 256  # acks waiting for a socket; the oldest go first (the server resends pushes)


def utc_now() -> datetime:
    return datetime.now(UTC)


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

    def handle(self, message: OverridePush | OverrideCancel) -> None:
        """Take an override message from the socket (parsed once by the channel)."""
        match message:
            case OverridePush(override=override):
                self._on_push(override)
            case OverrideCancel(override_id=override_id):
                self.store.cancel(override_id, self.clock())
                log.warning("emergency override %s cancelled", override_id)
                self.publish(self.store.current())

    def _on_push(self, override: EmergencyOverride) -> None:
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

