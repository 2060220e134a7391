"""Watching for USB bundles: the way content reaches a board without a link.

A cheap poll (one glob every few seconds; nothing mounted costs a few directory reads) of the
pattern set in player.toml (``[usb] bundles``). A bundle seen for the first time, or changed, or
back after its drive was removed, is imported (core/bundle_import.py) and, when new, played at once;
then the board's proof of play is written beside it, for an office PC to import into the server.
"""

from __future__ import annotations

import glob
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from signage_contract import Manifest, SignedManifest
from signage_contract.bundle import BundleRejected

from ..core.bundle_import import import_bundle, write_plays
from ..core.playlog import PlayLog
from ..core.state import StateDir

log = logging.getLogger(__name__)
POLL_INTERVAL_S = 5.0
Adopt = Callable[[SignedManifest, Manifest], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


class BundleWatcher:
    def __init__(self, pattern: str, state: StateDir, playlog: PlayLog, adopt: Adopt,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.pattern = pattern
        self.state, self.playlog, self.adopt, self.clock = state, playlog, adopt, clock
        self._seen: dict[Path, tuple[int, int]] = {}

    def poll_once(self) -> list[Path]:
        """Import what is new on the drives; returns the bundles looked at this time."""
        present: dict[Path, tuple[int, int]] = {}
        for name in sorted(glob.glob(self.pattern)):
            try:
                info = Path(name).stat()
            except OSError:
                continue  # the drive went away between the glob and the stat
            present[Path(name)] = (info.st_mtime_ns, info.st_size)
        taken = [path for path, key in present.items() if self._seen.get(path) != key]
        self._seen = present
        for path in taken:
            self._take(path)
        return taken

    def _take(self, path: Path) -> None:
        try:
            imported = import_bundle(self.state, path)
        except BundleRejected as exc:
            log.error("USB bundle %s refused, nothing changed: %s", path, exc)
            return
        if imported.new:
            self.adopt(imported.signed, imported.manifest)
        try:
            written = write_plays(self.playlog, imported.manifest.board_id, path.parent, self.clock())
        except OSError as exc:  # a full or read-only drive: the records stay in the log
            log.error("proof of play not written beside %s: %s", path, exc)
            return
        log.info("proof of play written beside %s (%d file(s))", path, len(written))

    def run(self, stop: threading.Event, interval_s: float = POLL_INTERVAL_S) -> None:
        while not stop.wait(interval_s):
            try:
                self.poll_once()
            except Exception:  # loop boundary: a strange drive must not end the watch
                log.exception("USB bundle watch failed; trying again")
