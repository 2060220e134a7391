"""Importing a USB bundle (``signage_contract/bundle.py``) on a board without a link, and writing
its proof of play back to the drive.

A bundle is accepted only as a fetched manifest would be: the index and the manifest verified with
the key pinned at pairing, the manifest for this board, not older than the one in force, the one
waiting, or the floor (state.py), and every image's hash checked. Nothing is written before all of
that passed, so a refused bundle leaves the board exactly as it was.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from signage_contract import Manifest, SignedManifest
from signage_contract.bundle import BundleRejected, PlayExport, read_bundle
from signage_contract.device import PLAY_BATCH_MAX
from signage_contract.files import atomic_write
from signage_contract.signing import ManifestRejected, verify_manifest

from .playlog import PlayLog
from .state import StateDir

log = logging.getLogger(__name__)
MAX_BUNDLE_BYTES = 2 * 1024 * 1024 * 1024  # a bundle for a whole district's boards fits well inside
PLAYS_DIR = "signage-plays"
PLAYLOG_NAME = "playlog.sqlite3"  # as net/health.py opens it


@dataclass(frozen=True)
class Imported:
    signed: SignedManifest
    manifest: Manifest
    new: bool  # False: that very manifest was already in force


def import_bundle(state: StateDir, path: Path, *, max_bytes: int = MAX_BUNDLE_BYTES) -> Imported:
    """Verify the bundle at ``path`` for this board and put its manifest in force with its media.

    Raises BundleRejected with the reason; then nothing on the board changed.
    """
    credential, key = state.load_credential(), state.verify_key()
    if credential is None or key is None:
        raise BundleRejected("this board is not paired: pair it once with the server, then import")
    found = read_bundle(path, key, credential.board_id, max_bytes)
    try:
        signed = SignedManifest.model_validate_json(found.manifest_bytes)
        manifest = verify_manifest(signed, key, credential.board_id)
    except (ValidationError, ValueError, ManifestRejected) as exc:
        raise BundleRejected(f"the bundle's manifest is refused: {exc}") from exc
    current = state.load_manifest()
    if current is not None and current[0].version == signed.version:
        return Imported(signed, manifest, new=False)
    known = [m for m in (current, state.load_pending()) if m is not None]
    stamps = [m[1].stamp() for m in known]
    floor = state.floor()
    if floor is not None:
        stamps.append(floor)
    if any(manifest.stamp().older_than(stamp) for stamp in stamps):
        raise BundleRejected("the bundle is older than the content this board already has")
    for sha, data in found.media.items():
        if not state.media.has(sha):
            atomic_write(state.media.path(sha), data)
    state.save_manifest(signed, manifest)
    state.drop_pending()
    log.info("bundle %s: manifest %s in force", path.name, signed.version[:16])
    return Imported(signed, manifest, new=True)


def write_plays(playlog: PlayLog, board_id: str, directory: Path, now: datetime) -> list[Path]:
    """Write every closed play record to ``directory/signage-plays/`` as ``PlayExport`` files of at
    most PLAY_BATCH_MAX records (one file a batch, named by its first record, so writing again
    replaces rather than duplicates). Records stay in the log: the server ingests by id, so a file
    imported twice or a later upload over a link never doubles them."""
    out = directory / PLAYS_DIR
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    records = playlog.all_closed()
    for start in range(0, len(records), PLAY_BATCH_MAX):
        chunk = records[start:start + PLAY_BATCH_MAX]
        export = PlayExport(board_id=board_id, exported_at=now, records=chunk)
        target = out / f"board-{board_id}-{chunk[0].id}.json"
        atomic_write(target, export.model_dump_json().encode("utf-8"))
        written.append(target)
    return written


def import_bundle_command(*, state_dir: Path, path: Path, plays_dir: Path) -> int:
    """``signage-player import-bundle``: 0 when the bundle is in force (or already was), 2 when refused.

    A player running on this state directory picks the manifest up at its next start; one that
    watches a drive (``[usb] bundles`` in player.toml) imports it itself.
    """
    state = StateDir(state_dir)
    try:
        imported = import_bundle(state, path)
    except BundleRejected as exc:
        print(f"bundle refused, nothing changed: {exc}", file=sys.stderr)
        return 2
    what = "in force" if imported.new else "already in force"
    print(f"manifest {imported.signed.version[:16]} for board {imported.manifest.board_id} {what}")
    playlog = PlayLog(state.root / PLAYLOG_NAME)
    try:
        written = write_plays(playlog, imported.manifest.board_id, plays_dir, datetime.now(UTC))
    except OSError as exc:
        print(f"proof of play not written to {plays_dir}: {exc}", file=sys.stderr)
        return 1
    finally:
        playlog.close()
    print(f"proof of play: {len(written)} file(s) in {plays_dir / PLAYS_DIR}")
    return 0
