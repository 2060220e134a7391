"""A content-addressed media cache: files named by their sha256, verified before use.

Downloads go to ``<sha256>.part`` (resumed with an HTTP Range request after an interruption), are
fsynced, hash-checked, then atomically renamed, so a power cut leaves either nothing or a whole,
verified file. A file whose hash no longer matches at read time is deleted and fetched again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from pathlib import Path

import httpx

from signage_contract import MediaRef
from signage_contract.files import fsync_dir
from signage_contract.speech import SpeechRef

log = logging.getLogger(__name__)
CHUNK_BYTES = 256 * 1024
PART_SUFFIX = ".part"


class MediaError(Exception):
    """A download did not produce the file the manifest names."""


class MediaIncomplete(MediaError):
    """The transfer stopped early; the partial file is kept and resumed next time."""


class MediaRejected(MediaError):
    """Wrong size or hash: the partial file is discarded."""


def _sha256_of(path: Path) -> hashlib._Hash:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest


class MediaCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def read_verified(self, sha256: str) -> bytes | None:
        """The file's bytes if its hash still matches; a damaged file is deleted (it will be refetched)."""
        path = self.path(sha256)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sha256:
            log.warning("cached media %s failed its hash check; deleted", sha256[:12])
            path.unlink(missing_ok=True)
            return None
        return data

    def fetch(
        self, ref: MediaRef | SpeechRef, client: httpx.Client, url: str, headers: dict[str, str] | None = None
    ) -> Path:
        """Download ``ref`` unless cached, resuming a partial file; raise MediaError on failure."""
        final = self.path(ref.sha256)
        if final.is_file():
            return final
        part = self.root / f"{ref.sha256}{PART_SUFFIX}"
        have = part.stat().st_size if part.is_file() else 0
        if have >= ref.size:  # a full-length part that was never renamed is suspect: start over
            part.unlink()
            have = 0
        request_headers = {**(headers or {}), **({"Range": f"bytes={have}-"} if have else {})}
        with client.stream("GET", url, headers=request_headers) as response:
            if response.status_code == 416:
                part.unlink(missing_ok=True)
                raise MediaIncomplete(f"{ref.sha256[:12]}: range not satisfiable; restarting")
            response.raise_for_status()
            resumed = response.status_code == 206 and have > 0
            digest = _sha256_of(part) if resumed else hashlib.sha256()
            size = self._write_part(part, response, digest, have if resumed else 0, ref.size)
        if size != ref.size:
            if size > ref.size:
                part.unlink(missing_ok=True)
                raise MediaRejected(f"{ref.sha256[:12]}: more bytes than the manifest says")
            raise MediaIncomplete(f"{ref.sha256[:12]}: got {size} of {ref.size} bytes")
        if digest.hexdigest() != ref.sha256:
            part.unlink(missing_ok=True)
            raise MediaRejected(f"{ref.sha256[:12]}: hash mismatch")
        os.replace(part, final)
        fsync_dir(self.root)
        return final

    @staticmethod
    def _write_part(
        part: Path, response: httpx.Response, digest: hashlib._Hash, offset: int, limit: int
    ) -> int:
        size = offset
        with part.open("ab" if offset else "wb") as handle:
            try:
                # as received: a sized chunker would lose its buffered bytes when the link drops
                for chunk in response.iter_bytes():
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if size > limit:
                        break
            finally:  # keep what arrived, durably, so the next attempt resumes from it
                handle.flush()
                os.fsync(handle.fileno())
        return size

    def prune(self, keep: Iterable[str]) -> int:
        """Delete every cached or partial file not named in ``keep``; return how many went."""
        wanted = set(keep)
        removed = 0
        for path in self.root.iterdir():
            name = path.name.removesuffix(PART_SUFFIX)
            if path.is_file() and name not in wanted:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
