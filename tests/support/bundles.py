"""Builders of USB bundles (``signage_contract/bundle.py``) for the player's tests, honest or not."""

from __future__ import annotations

import hashlib
import io
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from nacl.signing import SigningKey

from signage_contract import SignedManifest
from signage_contract import bundle as wire
from signage_contract.signing import key_id

Members = dict[str, bytes]


def members(key: SigningKey, manifests: dict[str, SignedManifest], media: dict[str, bytes]) -> Members:
    """Every member of an honest bundle, index and signature included."""
    documents = {board: signed.model_dump_json().encode() for board, signed in manifests.items()}
    index = wire.BundleIndex(
        created_at=datetime.now(UTC), key_id=key_id(key.verify_key),
        boards=[wire.BundleBoard(board_id=board, version=manifests[board].version,
                                 sha256=hashlib.sha256(data).hexdigest(), size=len(data))
                for board, data in documents.items()],
        media=[wire.BundleMedia(sha256=sha, size=len(data)) for sha, data in media.items()],
    )
    index_bytes = index.model_dump_json().encode()
    return {
        wire.INDEX_NAME: index_bytes,
        wire.SIGNATURE_NAME: wire.sign_index(key, index_bytes),
        **{wire.manifest_member(board): data for board, data in documents.items()},
        **{wire.media_member(sha): data for sha, data in media.items()},
    }


def write_tar(path: Path, content: Members, symlinks: dict[str, str] | None = None) -> Path:
    with tarfile.open(path, "w:") as archive:
        for name, data in content.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (symlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path
