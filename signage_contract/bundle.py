"""USB bundles: boards' signed manifests and their media in one tar, for communes without a link.

The server writes one uncompressed tar: ``index.json`` (a ``BundleIndex``), ``index.sig`` (an
Ed25519 signature by the server's manifest key over a domain-separated digest of the index's
bytes), ``manifests/<board id>.json`` (each board's ``SignedManifest`` as the server stores it) and
``media/<sha256>`` (every file those manifests name). The player reads it with ``read_bundle``: every
member's name, type and size is checked against the signed index before a byte is used, so a path
escape, a link, an extra or an oversized member refuses the whole bundle. Proof of play goes back on
the drive as ``PlayExport`` files that an office PC posts to ``PLAYS_IMPORT``.
"""

from __future__ import annotations

import base64
import hashlib
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Annotated

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from pydantic import AwareDatetime, Field, ValidationError

from .device import API_PREFIX, PLAY_BATCH_MAX, PlayRecord
from .manifest import Manifest, Sha256Hex, SignedManifest, WireModel

PLAYS_IMPORT = f"{API_PREFIX}/plays/import"  # POST PlayExport -> PlayBatchReply (idempotent by id)
BUNDLE_EXPORT = f"{API_PREFIX}/bundles"  # POST BundleRequest -> the tar
INDEX_NAME = "index.json"
SIGNATURE_NAME = "index.sig"
MAX_INDEX_BYTES = 4 * 1024 * 1024
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_MEDIA_BYTES = 64 * 1024 * 1024  # per file; the server's uploads are far smaller
MAX_BUNDLE_BOARDS = 500
MAX_BUNDLE_MEDIA = 20_000
MAX_MEMBERS = 2 + MAX_BUNDLE_BOARDS + MAX_BUNDLE_MEDIA  # a tar of tiny members must not fill memory
BUNDLE_CONTEXT = b"signage-bundle-v1\x00"


class BundleRejected(Exception):
    """The bundle is not one this board may play; the message says why."""


class BundleBoard(WireModel):
    board_id: str
    version: str  # the signed manifest's version (its ETag)
    sha256: Sha256Hex  # of the manifest member's bytes
    size: Annotated[int, Field(gt=0, le=MAX_MANIFEST_BYTES)]


class BundleMedia(WireModel):
    sha256: Sha256Hex
    size: Annotated[int, Field(gt=0, le=MAX_MEDIA_BYTES)]


class BundleIndex(WireModel):
    created_at: AwareDatetime
    key_id: str
    boards: Annotated[list[BundleBoard], Field(max_length=MAX_BUNDLE_BOARDS)]
    media: Annotated[list[BundleMedia], Field(max_length=MAX_BUNDLE_MEDIA)]


class BundleRequest(WireModel):
    board_ids: Annotated[list[int], Field(min_length=1, max_length=MAX_BUNDLE_BOARDS)]


class PlayExport(WireModel):
    """Proof of play a board without a link wrote to a drive; ``board_id`` as in its manifest."""

    board_id: str
    exported_at: AwareDatetime
    records: Annotated[list[PlayRecord], Field(max_length=PLAY_BATCH_MAX)]


def manifest_member(board_id: str) -> str:
    return f"manifests/{board_id}.json"


def media_member(sha256: str) -> str:
    return f"media/{sha256}"


def _message(index_bytes: bytes) -> bytes:
    return BUNDLE_CONTEXT + hashlib.sha256(index_bytes).digest()


def sign_index(signing_key: SigningKey, index_bytes: bytes) -> bytes:
    return base64.b64encode(signing_key.sign(_message(index_bytes)).signature)


def verify_index(index_bytes: bytes, signature: bytes, verify_key: VerifyKey) -> BundleIndex:
    try:
        verify_key.verify(_message(index_bytes), base64.b64decode(signature.strip(), validate=True))
    except (BadSignatureError, ValueError) as exc:
        raise BundleRejected("the bundle's signature does not match this board's server key") from exc
    try:
        return BundleIndex.model_validate_json(index_bytes)
    except ValidationError as exc:
        raise BundleRejected(f"the bundle's index is malformed: {str(exc).splitlines()[0]}") from exc


@dataclass(frozen=True)
class BundleForBoard:
    """What ``read_bundle`` found for one board: its manifest's bytes and the media it names."""

    manifest_bytes: bytes
    media: dict[str, bytes]


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes:
    if not member.isfile():
        raise BundleRejected(f"{member.name!r} is not a regular file")
    if member.size > limit:
        raise BundleRejected(f"{member.name!r} is {member.size} bytes, over the limit of {limit}")
    handle: IO[bytes] | None = archive.extractfile(member)
    if handle is None:
        raise BundleRejected(f"{member.name!r} cannot be read")
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise BundleRejected(f"{member.name!r} is over the limit of {limit} bytes")
    return data


def _members(archive: tarfile.TarFile, limit: int) -> Iterator[tarfile.TarInfo]:
    for count, member in enumerate(archive, 1):
        if count > limit:
            raise BundleRejected(f"the bundle holds more than {limit} files")
        name = member.name
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or "\\" in name:
            raise BundleRejected(f"path escape in the bundle: {name!r}")
        if not member.isfile():  # links, devices, directories: a bundle holds plain files only
            raise BundleRejected(f"{name!r} is not a regular file")
        yield member


def read_bundle(path: Path, verify_key: VerifyKey, board_id: str, max_bytes: int) -> BundleForBoard:
    """The verified manifest bytes and media of ``board_id`` in the bundle at ``path``.

    Raises BundleRejected (nothing is written anywhere) when the file is over ``max_bytes``, is not a
    tar, has a member that escapes, is not a regular file, is not named in the signed index or
    differs from it in size or hash, when the signature fails, or when the bundle has nothing for
    this board. The manifest's own signature and order are the caller's to check.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BundleRejected(f"cannot read {path}: {exc.strerror}") from exc
    if size > max_bytes:
        raise BundleRejected(f"the bundle is {size} bytes, over the limit of {max_bytes}")
    try:
        with tarfile.open(path, mode="r:") as archive:
            return _read_open(archive, verify_key, board_id)
    except tarfile.TarError as exc:
        raise BundleRejected(f"not a readable bundle: {exc}") from exc


def _read_open(archive: tarfile.TarFile, verify_key: VerifyKey, board_id: str) -> BundleForBoard:
    members = {}
    for member in _members(archive, MAX_MEMBERS):
        if member.name in members:
            raise BundleRejected(f"{member.name!r} appears twice in the bundle")
        members[member.name] = member
    if INDEX_NAME not in members or SIGNATURE_NAME not in members:
        raise BundleRejected("the bundle has no signed index")
    index = verify_index(_read_member(archive, members[INDEX_NAME], MAX_INDEX_BYTES),
                         _read_member(archive, members[SIGNATURE_NAME], 1024), verify_key)
    expected = {INDEX_NAME, SIGNATURE_NAME} | {manifest_member(b.board_id) for b in index.boards}
    expected |= {media_member(m.sha256) for m in index.media}
    unexpected = sorted(set(members) - expected)
    if unexpected:
        raise BundleRejected(f"the bundle holds files its index does not name: {unexpected[0]!r}")
    entry = next((b for b in index.boards if b.board_id == board_id), None)
    if entry is None:
        raise BundleRejected(f"the bundle has no manifest for this board ({board_id})")
    manifest_bytes = _checked(archive, members, manifest_member(board_id), entry.sha256, entry.size)
    try:
        payload = SignedManifest.model_validate_json(manifest_bytes).payload
        named = Manifest.model_validate_json(payload).media()
    except ValidationError as exc:
        raise BundleRejected(f"the bundle's manifest is malformed: {str(exc).splitlines()[0]}") from exc
    sizes = {m.sha256: m.size for m in index.media}
    missing = sorted(sha for sha in named if sha not in sizes)
    if missing:
        raise BundleRejected(f"the bundle lacks the image {missing[0][:12]} its manifest names")
    return BundleForBoard(manifest_bytes=manifest_bytes, media={
        sha: _checked(archive, members, media_member(sha), sha, sizes[sha]) for sha in named
    })


def _checked(archive: tarfile.TarFile, members: dict[str, tarfile.TarInfo], name: str,
             sha256: str, size: int) -> bytes:
    member = members.get(name)
    if member is None:
        raise BundleRejected(f"the bundle lacks {name!r}")
    if member.size != size:
        raise BundleRejected(f"{name!r} is {member.size} bytes, the index says {size}")
    data = _read_member(archive, member, size)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BundleRejected(f"{name!r} does not match its hash: the bundle was altered")
    return data
