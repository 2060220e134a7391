"""The player's state directory: its hardware id, credential, pinned key and last good manifest.

Everything is written atomically; the stored manifest is verified again on load, so a file edited
on disk is refused like a tampered download.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from nacl.signing import VerifyKey
from pydantic import ValidationError

from signage_contract import Manifest, SignedManifest
from signage_contract.device import DeviceCredential
from signage_contract.files import SECRET_MODE, atomic_write, private_dir
from signage_contract.signing import ManifestRejected, decode_key, verify_manifest

from .cache import MediaCache

log = logging.getLogger(__name__)


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
        """Drop the credential and the manifest it vouched for (the server revoked the board)."""
        for name in ("credential.json", "manifest.json"):
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
        """The last good manifest, verified again with the pinned key; None if absent or refused."""
        credential, key = self.load_credential(), self.verify_key()
        path = self.root / "manifest.json"
        if credential is None or key is None or not path.is_file():
            return None
        try:
            signed = SignedManifest.model_validate_json(path.read_bytes())
            return signed, verify_manifest(signed, key, credential.board_id)
        except (ValidationError, ValueError, ManifestRejected) as exc:
            log.error("stored manifest refused: %s", exc)
            return None

    def save_manifest(self, signed: SignedManifest) -> None:
        atomic_write(self.root / "manifest.json", signed.model_dump_json().encode("utf-8"))
