"""Video uploads stored beside the images, content-addressed by sha256 (``MediaStore``'s layout).

The body is spooled to a temporary file with a byte limit (never held in memory), its container
sniffed from the bytes and checked against the declared type and the name, then probed
(``video_probe``); only a clip a board can play is kept, with its poster frame stored as an
ordinary JPEG image (thumbnail included) for lists and previews. A refused upload raises
``MediaRejected`` and leaves nothing behind. Blocking: run it in a worker thread.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any, BinaryIO

from signage_contract.video import UPLOAD_LIMITS, VIDEO_TYPES, ClipFacts, VideoLimits, VideoType
from signage_server.content.media_store import (
    CHUNK_BYTES,
    MediaRejected,
    MediaStore,
    StoredMedia,
    _digest,
    _human_bytes,
    sanitize_filename,
)
from signage_server.content.video_probe import probe, sniff_video

DEFAULT_MAX_VIDEO_BYTES = 500 * 1024 * 1024  # 15 minutes at 4 Mbit/s is 450 MB
POSTER_QUALITY = 88
_EXTENSIONS: dict[VideoType, frozenset[str]] = {
    "video/mp4": frozenset({".mp4", ".m4v"}),
    "video/webm": frozenset({".webm"}),
}
_OTHER_VIDEO_EXTENSIONS = frozenset({".mov", ".mkv", ".avi", ".wmv", ".flv", ".mpg", ".mpeg", ".ts", ".3gp"})
_NAMES: dict[VideoType, str] = {"video/mp4": "MP4", "video/webm": "WebM"}


@dataclass(frozen=True)
class StoredVideo:
    sha256: str
    size: int
    facts: ClipFacts
    poster: StoredMedia
    safe_name: str
    created: bool  # False when the same clip was already stored


def ingest_video(
    store: MediaStore,
    source: BinaryIO,
    filename: str,
    declared_type: str | None,
    *,
    max_bytes: int = DEFAULT_MAX_VIDEO_BYTES,
    limits: VideoLimits = UPLOAD_LIMITS,
) -> StoredVideo:
    """Validate and store one clip and its poster; raises MediaRejected and stores nothing when bad."""
    tmp_dir = store.root / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with store._temp_file(tmp_dir, ".video") as tmp:
        size = 0
        with tmp.open("wb") as out:
            while chunk := source.read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise MediaRejected(413, f"file too large: the limit is {_human_bytes(max_bytes)} per "
                                             f"video", "media.too_large", limit=_human_bytes(max_bytes))
                out.write(chunk)
        if size == 0:
            raise MediaRejected(400, "the file is empty (0 bytes)", "media.empty")
        with tmp.open("rb") as f:
            content_type = _check_type(f.read(64), filename, declared_type)
        probed = probe(tmp, content_type, limits)
        buffer = io.BytesIO()
        probed.poster.convert("RGB").save(buffer, "JPEG", quality=POSTER_QUALITY)
        buffer.seek(0)
        stem = os.path.splitext(sanitize_filename(filename))[0]
        poster = store.ingest(buffer, f"{stem}.jpg", "image/jpeg")
        sha256, stored_size = _digest(tmp)
        created = store._place(tmp, store.path(sha256))
    store.files.saved(store.path(sha256))
    return StoredVideo(sha256, stored_size, probed.facts, poster, sanitize_filename(filename), created)


def is_video(source: BinaryIO) -> bool:
    """Whether an upload's first bytes are a video container (the stream is rewound)."""
    if not source.seekable():
        return False
    head = source.read(64)
    source.seek(0)
    return sniff_video(head) is not None


def video_fields(store: MediaStore, source: BinaryIO, filename: str, declared_type: str | None
                 ) -> dict[str, Any]:
    """Store a clip (``ingest_video``, within the store's byte limit); the ``Media`` fields that
    describe it."""
    stored = ingest_video(store, source, filename, declared_type, max_bytes=store.max_bytes)
    facts = stored.facts
    return {"sha256": stored.sha256, "size": stored.size, "content_type": facts.content_type,
            "width": facts.width, "height": facts.height, "original_name": stored.safe_name,
            "duration_s": facts.duration_s, "frame_rate": facts.fps, "bitrate": facts.bitrate,
            "poster_sha256": stored.poster.sha256, "poster_size": stored.poster.size}


def _check_type(head: bytes, filename: str, declared_type: str | None) -> VideoType:
    """The sniffed container; refused when it is none we play or contradicts the type or the name."""
    sniffed = sniff_video(head)
    if sniffed is None:
        raise MediaRejected(415, "unsupported file type: upload H.264 or H.265 in MP4, or VP9 in WebM",
                            "video.unsupported_type")
    actual = _NAMES[sniffed]
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared in VIDEO_TYPES and declared != sniffed:
        raise MediaRejected(400, f"mislabelled file: declared as {declared} but the content is {actual}",
                            "media.mislabelled_type", declared=declared, actual=actual)
    ext = os.path.splitext(filename.replace("\\", "/").rsplit("/", 1)[-1])[1].lower()
    known = {e for exts in _EXTENSIONS.values() for e in exts} | _OTHER_VIDEO_EXTENSIONS
    if ext in known and ext not in _EXTENSIONS[sniffed]:
        raise MediaRejected(400, f"mislabelled file: the name ends in {ext} but the content is {actual}",
                            "media.mislabelled_extension", extension=ext, actual=actual)
    return sniffed
