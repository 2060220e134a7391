"""The hand-off between the network thread and the frame loop: a small snapshot behind a lock.

The frame loop only reads snapshots (never waits on the network); ``generation`` tells it cheaply
whether anything changed since the last frame.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from signage_contract import EmergencyOverride, Manifest


@dataclass(frozen=True)
class Snapshot:
    generation: int = 0
    manifest: Manifest | None = None
    version: str | None = None
    pairing_code: str | None = None
    server: str = ""
    online: bool = False
    # the board's stored set (core/override_store.py); None: the manifest's own list (previews)
    overrides: tuple[EmergencyOverride, ...] | None = None


class Shared:
    def __init__(self, server: str = "") -> None:
        self._lock = threading.Lock()
        self._snapshot = Snapshot(server=server)
        self._changed = threading.Event()

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot

    def update(self, **changes: object) -> None:
        """Replace fields and bump the generation so the frame loop re-resolves its timeline."""
        with self._lock:
            current = self._snapshot
            self._snapshot = replace(current, generation=current.generation + 1, **changes)  # type: ignore[arg-type]
        self._changed.set()

    def wait_changed(self, timeout_s: float) -> None:
        """Sleep up to ``timeout_s``, waking at once on an update (an override must not wait for
        the idle poll)."""
        self._changed.wait(timeout_s)
        self._changed.clear()
