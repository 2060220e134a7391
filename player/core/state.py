"""The player's state directory: its hardware id, credential, pinned key and manifests.

Everything is written atomically; stored manifests are verified again on load, so a file edited
on disk is refused like a tampered download. ``manifest.json`` is the manifest in force,
``manifest-next.json`` a verified newer one waiting for its media (core/handover.py), and
``manifest-floor.json`` the stamp of the newest manifest ever put in force: a manifest older than it
is refused on load as on fetch (a replayed or restored older file cannot bring old content back).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from nacl.signing import VerifyKey
from pydantic import ValidationError

from signage_contract import Manifest, ManifestStamp, SignedManifest
from signage_contract.device import DeviceCredential
from signage_contract.files import SECRET_MODE, atomic_write, private_dir
from signage_contract.signing import ManifestRejected, decode_key, verify_manifest

from .cache import MediaCache

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
PENDING = "manifest-next.json"
FLOOR = "manifest-floor.json"


class StateDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        private_dir(root)  # the credential, the play log and the manifest: the owner's only
        self.media = MediaCache(root / "media")
        self.frame_path = root / "frame.png"

    def hardware_id(self) -> str:
        path = self.root / "hardware-id"
        if path.is_file() and (text := path.read_text(encoding="utf-8").strip()):
            return text
        generated = uuid.uuid4().hex
        atomic_write(path, generated.encode("ascii"))
        return generated

    def load_credential(self) -> DeviceCredential | None:
        path = self.root / "credential.json"
        try:
            return DeviceCredential.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            return None

    def save_credential(self, credential: DeviceCredential) -> None:
        path = self.root / "credential.json"
        # the bearer token is a secret: created 0600, never readable by others even for an instant
        atomic_write(path, credential.model_dump_json().encode("utf-8"), mode=SECRET_MODE)

    def forget_pairing(self) -> None:
        """Drop the credential and the manifests it vouched for (the server revoked the board)."""
        for name in ("credential.json", MANIFEST, PENDING, FLOOR):
            (self.root / name).unlink(missing_ok=True)

    def verify_key(self) -> VerifyKey | None:
        credential = self.load_credential()
        if credential is None:
            return None
        try:
            return decode_key(credential.server_public_key)
        except ValueError:
            log.error("stored server key is malformed; pair the board again")
            return None

    def load_manifest(self) -> tuple[SignedManifest, Manifest] | None:
        """The manifest in force, verified again with the pinned key and not older than the floor;
        None if absent or refused."""
        loaded = self._load_verified(MANIFEST)
        floor = self.floor()
        if loaded is not None and floor is not None and loaded[1].stamp().older_than(floor):
            log.error("stored manifest refused: older than the newest one this board had in force")
            return None
        return loaded

    def save_manifest(self, signed: SignedManifest, manifest: Manifest) -> None:
        """Put ``manifest`` in force on disk, then raise the floor (in that order: a power cut
        between the two leaves a floor below the manifest, never above it)."""
        atomic_write(self.root / MANIFEST, signed.model_dump_json().encode("utf-8"))
        floor = self.floor()
        if floor is None or floor.older_than(manifest.stamp()):
            atomic_write(self.root / FLOOR, manifest.stamp().model_dump_json().encode("utf-8"))

    def floor(self) -> ManifestStamp | None:
        try:
            return ManifestStamp.model_validate_json((self.root / FLOOR).read_bytes())
        except (OSError, ValidationError, ValueError):
            return None

    def load_pending(self) -> tuple[SignedManifest, Manifest] | None:
        """The verified newer manifest waiting for its media, if any."""
        return self._load_verified(PENDING)

    def save_pending(self, signed: SignedManifest) -> None:
        atomic_write(self.root / PENDING, signed.model_dump_json().encode("utf-8"))

    def drop_pending(self) -> None:
        (self.root / PENDING).unlink(missing_ok=True)

    def _load_verified(self, name: str) -> tuple[SignedManifest, Manifest] | None:
        credential, key = self.load_credential(), self.verify_key()
        path = self.root / name
        if credential is None or key is None or not path.is_file():
            return None
        try:
            signed = SignedManifest.model_validate_json(path.read_bytes())
            return signed, verify_manifest(signed, key, credential.board_id)
        except (ValidationError, ValueError, ManifestRejected) as exc:
            log.error("stored manifest %s refused: %s", name, exc)
            return None
