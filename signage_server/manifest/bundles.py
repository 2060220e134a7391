"""USB bundles: chosen boards' current signed manifests and their media in one signed tar, for
communes without a link (format in ``signage_contract/bundle.py``).

The manifests are the composer's stored documents, byte for byte, so the board verifies them with
the key it pinned at pairing exactly as if it had fetched them. The index that lists every member
with its size and hash is signed with the same key under its own signing context.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from nacl.signing import SigningKey
from sqlmodel import Session

from signage_contract import bundle as wire
from signage_contract.signing import key_id
from signage_server.content.media_store import MediaStore
from signage_server.core import audit
from signage_server.core.auth import get_in_scope, require_role
from signage_server.core.errors import Unavailable
from signage_server.manifest.composer import Composer
from signage_server.models import Board, Role, User

# Who carries boards' content to them: the people who look after boards and the editors of content.
EXPORTERS = frozenset({Role.ADMIN, Role.OPERATOR, Role.EDITOR})


def _add(archive: tarfile.TarFile, name: str, data: bytes | None = None, path: Path | None = None,
         mtime: datetime | None = None) -> None:
    info = tarfile.TarInfo(name)
    info.mode = 0o644
    info.mtime = int(mtime.timestamp()) if mtime else 0
    if path is not None:
        info.size = path.stat().st_size
        with path.open("rb") as handle:
            archive.addfile(info, handle)
        return
    assert data is not None
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def write_bundle(
    session: Session, *, actor: User, ip: str, composer: Composer, media_store: MediaStore,
    signing_key: SigningKey, board_ids: list[int], out: BinaryIO, now: datetime,
) -> wire.BundleIndex:
    """Write the bundle of ``board_ids`` (each in the actor's scope) to ``out``; audited per board."""
    require_role(actor, EXPORTERS)
    boards = [get_in_scope(session, actor, Board, board_id, "board") for board_id in dict.fromkeys(board_ids)]
    documents: dict[str, bytes] = {}
    entries: list[wire.BundleBoard] = []
    media: dict[str, Path] = {}
    for board in boards:
        assert board.id is not None
        row = composer.current(session, board.id)
        document = row.document.encode("utf-8")
        documents[str(board.id)] = document
        entries.append(wire.BundleBoard(board_id=str(board.id), version=row.version,
                                        sha256=hashlib.sha256(document).hexdigest(), size=len(document)))
        for sha in row.media_sha256:
            path = media_store.local_path(sha)
            if path is None:
                raise Unavailable("bundle.media_missing", f"the image {sha[:12]} is not in the media store",
                                  sha256=sha)
            media[sha] = path
    index = wire.BundleIndex(
        created_at=now, key_id=key_id(signing_key.verify_key), boards=entries,
        media=[wire.BundleMedia(sha256=sha, size=path.stat().st_size) for sha, path in sorted(media.items())],
    )
    index_bytes = index.model_dump_json().encode("utf-8")
    with tarfile.open(fileobj=out, mode="w:", format=tarfile.PAX_FORMAT) as archive:
        _add(archive, wire.INDEX_NAME, index_bytes, mtime=now)
        _add(archive, wire.SIGNATURE_NAME, wire.sign_index(signing_key, index_bytes), mtime=now)
        for board_id, document in documents.items():
            _add(archive, wire.manifest_member(board_id), document, mtime=now)
        for sha, path in sorted(media.items()):
            _add(archive, wire.media_member(sha), path=path, mtime=now)
    for board, entry in zip(boards, entries, strict=True):
        audit.record_as(session, actor, ip, "board.bundle_export", "board", board.id, unit_id=board.unit_id,
                        after={"manifest_version": entry.version})
    session.commit()
    return index
