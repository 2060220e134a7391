"""The server's Ed25519 manifest-signing key.

Kept in the data directory (mode 0600), generated on first start; several server instances that
share a database must share the key file (``SIGNAGE_SIGNING_KEY_FILE``). Never logged, never in a
manifest; players pin the public half when they pair.
"""

from __future__ import annotations

import os
from pathlib import Path

from nacl.encoding import HexEncoder
from nacl.signing import SigningKey


class SigningKeyError(Exception):
    pass


def load_or_create_signing_key(path: Path) -> SigningKey:
    if path.exists():
        try:
            return SigningKey(path.read_bytes().strip(), encoder=HexEncoder)
        except Exception as exc:  # corrupt key file: refuse to start rather than sign with a new key
            raise SigningKeyError(f"signing key {path} is unreadable ({exc.__class__.__name__})") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate()
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)  # a left-over temp file would keep its own, maybe wider, mode
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.encode(encoder=HexEncoder))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return key
