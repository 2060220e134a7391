"""Player releases: the signed descriptor a board is offered, and what a release wheel must be.

The server offers each board the release of its channel ("pilot", "stable") as a small descriptor
signed with the key it signs manifests with (another domain prefix, so neither signature is valid
as the other); the player verifies it with the key it pinned when it paired, downloads the wheel
from ``DEVICE_RELEASE_WHEEL``, and checks size, sha256 and the wheel's own metadata before it
installs anything. ``wheel_identity`` is the one check of "is this a wheel of signage, and which
version", applied by the server on upload and by the player before installing.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from email.parser import HeaderParser
from typing import IO, Annotated, Literal

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from pydantic import AwareDatetime, Field, ValidationError

from .device import API_PREFIX
from .manifest import Sha256Hex, WireModel
from .signing import key_id

DEVICE_RELEASE = f"{API_PREFIX}/device/release"  # POST ReleaseCheck -> SignedRelease | 204 (none offered)
DEVICE_RELEASE_WHEEL = f"{API_PREFIX}/device/releases/{{sha256}}"  # GET the offered wheel
RELEASE_CONTEXT = b"signage-release-v1\x00"
PROJECT_NAME = "signage"
RELEASE_MAX_BYTES = 64 * 1024 * 1024  # a wheel of the whole project is ~2 MiB; anything near this is wrong
METADATA_MAX_BYTES = 1024 * 1024
Channel = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")]
# PEP 440 public versions, as far as a file name and a directory may carry them
Version = Annotated[str, Field(pattern=r"^[0-9][0-9A-Za-z.+!-]{0,63}$")]
VERSION_PATTERN = re.compile(r"^[0-9][0-9A-Za-z.+!-]{0,63}$")


class ReleaseDescriptor(WireModel):
    """What the board should run: ``version``, the wheel's ``sha256`` and ``size``, where to fetch it."""

    board_id: str
    channel: Channel
    version: Version
    sha256: Sha256Hex
    size: Annotated[int, Field(gt=0, le=RELEASE_MAX_BYTES)]
    url: str  # DEVICE_RELEASE_WHEEL with the sha256
    issued_at: AwareDatetime


class SignedRelease(WireModel):
    key_id: str
    signature: str  # base64 Ed25519 over RELEASE_CONTEXT + sha256(payload)
    payload: str  # the ReleaseDescriptor's JSON, verified before it is parsed


class UpdateReport(WireModel):
    """The board's last update attempt, sent with each release check until another replaces it."""

    from_version: Annotated[str, Field(max_length=64)]
    to_version: Annotated[str, Field(max_length=64)]
    outcome: Literal["installed", "rolled_back", "refused"]
    reason: Annotated[str, Field(max_length=500)] = ""
    at: AwareDatetime


class ReleaseCheck(WireModel):
    """Device -> server: the version it runs now and its last update attempt."""

    running_version: Annotated[str, Field(max_length=64)]
    last_update: UpdateReport | None = None


class ReleaseRejected(Exception):
    """The descriptor or the wheel is refused; the message says why. Nothing was installed."""


def _message(payload: bytes) -> bytes:
    return RELEASE_CONTEXT + hashlib.sha256(payload).digest()


def sign_release(signing_key: SigningKey, descriptor: ReleaseDescriptor) -> SignedRelease:
    payload = descriptor.model_dump_json()
    signature = signing_key.sign(_message(payload.encode("utf-8"))).signature
    return SignedRelease(key_id=key_id(signing_key.verify_key),
                         signature=base64.b64encode(signature).decode("ascii"), payload=payload)


def verify_release(signed: SignedRelease, verify_key: VerifyKey, board_id: str) -> ReleaseDescriptor:
    """Check the signature with the pinned key, then parse; raise ReleaseRejected otherwise."""
    try:
        signature = base64.b64decode(signed.signature, validate=True)
        verify_key.verify(_message(signed.payload.encode("utf-8")), signature)
    except (BadSignatureError, ValueError) as exc:
        raise ReleaseRejected("release refused: its signature is not the server's (unsigned, tampered "
                              "or signed with another key)") from exc
    try:
        descriptor = ReleaseDescriptor.model_validate_json(signed.payload)
    except ValidationError as exc:
        raise ReleaseRejected(f"release refused: malformed descriptor ({str(exc).splitlines()[0]})") from exc
    if descriptor.board_id != board_id:
        raise ReleaseRejected(f"release refused: it is for board {descriptor.board_id}, not {board_id}")
    return descriptor


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_identity(source: str | IO[bytes]) -> tuple[str, str]:
    """(project name, version) of a wheel, read from its ``*.dist-info/METADATA``; ReleaseRejected
    with the reason when it is not a readable wheel of PROJECT_NAME."""
    try:
        with zipfile.ZipFile(source) as wheel:
            names = [n for n in wheel.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
            if len(names) != 1:
                raise ReleaseRejected("not a wheel: no single *.dist-info/METADATA inside")
            info = wheel.getinfo(names[0])
            if info.file_size > METADATA_MAX_BYTES:
                raise ReleaseRejected("not a wheel: its METADATA is too large")
            text = wheel.read(info).decode("utf-8")
            if not any(re.fullmatch(r"[^/]+\.dist-info/WHEEL", n) for n in wheel.namelist()):
                raise ReleaseRejected("not a wheel: no *.dist-info/WHEEL inside")
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, EOFError) as exc:
        raise ReleaseRejected(f"not a wheel: {exc.__class__.__name__} reading it as a zip archive") from exc
    headers = HeaderParser().parsestr(text, headersonly=True)
    name, version = headers.get("Name", ""), headers.get("Version", "")
    if canonical_name(name) != PROJECT_NAME:
        raise ReleaseRejected(f"not a release of {PROJECT_NAME}: the wheel is {name or 'unnamed'}")
    if not VERSION_PATTERN.fullmatch(version):
        raise ReleaseRejected(f"the wheel's version {version!r} is not a release version")
    return PROJECT_NAME, version
