"""The emergency overrides this board knows of, kept durably in ``<state>/overrides.json``.

A pushed override is written here (atomic write + fsync) before it is acknowledged, so after a
power cut the frame loop shows it from the first frame, without the network, until it expires by
the board's own clock or is cancelled.

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

import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ValidationError

from signage_contract import EmergencyOverride, Manifest
from signage_contract.files import atomic_write

log = logging.getLogger(__name__)
TOMBSTONE_TTL = timedelta(days=8)  # longer than any manifest's horizon (7 days)
STORE_FILE = "overrides.json"


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
