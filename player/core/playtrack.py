"""What is on screen, as seen by the frame loop: play records and the heartbeat's region map.

``PlayTracker.observe`` runs on the main thread after each frame. It is cheap: unless the
compositor resolved a new frame (or a touch or a split is due) it returns after one comparison;
records go to ``PlayLog`` through a queue and never wait on the disk. The current region map is
published as an immutable dict behind a lock for the heartbeat thread.

An emergency override covers every region: it is one record on the pseudo-region ``screen``
(reason emergency), and the regions beneath it end while it shows. A record is split every
``MAX_RECORD`` so an item that plays for days is still uploaded as it goes.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from signage_contract import Category, PlayReason, Priority
from signage_contract.device import PlayRecord

from .playlog import PlayEnded, PlayEvent, PlayStarted, PlaysTouched
from .timeline import Frame

MAX_RECORD = timedelta(hours=1)
TOUCH_INTERVAL = timedelta(seconds=60)  # at most this much play is lost on a power cut
SCREEN_REGION = "screen"
FALLBACK_ITEM = "fallback"


@dataclass(frozen=True)
class _Show:
    """One region's content as a record template; ``key`` says when it is a different showing."""

    key: tuple[object, ...]
    item_id: str
    schedule_id: str | None
    override_id: str | None
    reason: PlayReason
    category: Category
    priority: Priority


@dataclass
class _Open:
    show: _Show
    record_id: str
    started_at: datetime


def frame_shows(frame: Frame) -> dict[str, _Show]:
    """Region id -> what it shows in ``frame`` (regions showing nothing are left out)."""
    if frame.override is not None:
        o = frame.override
        return {
            SCREEN_REGION: _Show(
                ("override", o.id), f"override:{o.id}", None, o.id, PlayReason.EMERGENCY, o.category,
                Priority.EMERGENCY,
            )
        }
    entry = frame.entry
    reason = entry.reason if entry is not None else PlayReason.FALLBACK
    schedule_id = entry.schedule_id if entry is not None else None
    shows: dict[str, _Show] = {}
    for show in frame.regions:
        if show.item is not None:
            item = show.item
            shows[show.region.id] = _Show(
                (item.id, show.started_at, reason, schedule_id), item.id, schedule_id, None, reason,
                item.category, item.priority,
            )
        elif show.region.role == "main":  # the fallback slide
            shows[show.region.id] = _Show(
                (FALLBACK_ITEM, schedule_id), FALLBACK_ITEM, schedule_id, None, PlayReason.FALLBACK,
                Category.OTHER, Priority.NORMAL,
            )
    return shows


class PlayTracker:
    def __init__(self, sink: Callable[[PlayEvent], None]) -> None:
        self.sink = sink
        self._open: dict[str, _Open] = {}
        self._frame: Frame | None = None
        self._next_check: datetime | None = None
        self._lock = threading.Lock()
        self._regions: dict[str, str] = {}
        self.last_observed = 0.0  # time.monotonic() of the last frame seen (screen state)

    def regions(self) -> dict[str, str]:
        with self._lock:
            return self._regions

    def observe(self, frame: Frame | None, now: datetime) -> None:
        """Called by the frame loop with what it shows now (None: nothing, e.g. the pairing code)."""
        self.last_observed = time.monotonic()
        due = self._next_check is None or now >= self._next_check
        if frame is self._frame and not due:
            return
        self._frame = frame
        shows = frame_shows(frame) if frame is not None else {}
        for region_id in list(self._open):
            current = self._open[region_id]
            if shows.get(region_id) != current.show or now - current.started_at >= MAX_RECORD:
                self.sink(PlayEnded(current.record_id, now))
                del self._open[region_id]
        for region_id, show in shows.items():
            if region_id not in self._open:
                self._start(region_id, show, now)
        if due:  # on a clock of its own: items changing every few seconds must not postpone it
            if self._next_check is not None and self._open:
                self.sink(PlaysTouched(now))
            self._next_check = now + TOUCH_INTERVAL
        with self._lock:
            self._regions = {region_id: show.item_id for region_id, show in shows.items()}

    def close(self, now: datetime) -> None:
        """The player stops: everything on screen ends now."""
        self.observe(None, now)

    def _start(self, region_id: str, show: _Show, now: datetime) -> None:
        record_id = uuid.uuid4().hex
        self._open[region_id] = _Open(show, record_id, now)
        self.sink(
            PlayStarted(
                PlayRecord(
                    id=record_id,
                    region_id=region_id,
                    item_id=show.item_id,
                    schedule_id=show.schedule_id,
                    override_id=show.override_id,
                    reason=show.reason,
                    category=show.category,
                    priority=show.priority,
                    started_at=now,
                    ended_at=now,
                )
            )
        )
