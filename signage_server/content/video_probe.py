"""Video uploads judged from their bytes: the container sniffed from the first bytes (never the
name), then PyAV opens it as that container only and reports codec, size, frame rate, duration and
bitrate; ``signage_contract.video.refusal`` decides whether a board PC can play it. The first
frames are decoded (a clip that cannot start is refused) and one of them, a second in or the
first, becomes the poster.

Everything here blocks (FFmpeg reads and decodes): callers run it in a worker thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

from signage_contract.video import CODEC_NAMES, UPLOAD_LIMITS, ClipFacts, VideoLimits, VideoType, refusal
from signage_server.content.media_store import MediaRejected

log = logging.getLogger(__name__)
POSTER_AT_S = 1.0  # a second in: past a fade from black
MAX_PROBE_FRAMES = 90  # decoded at most to find the poster (3 s at 30 fps)
_WEBM_DOCTYPE = b"\x42\x82"  # EBML DocType element id


def sniff_video(head: bytes) -> VideoType | None:
    """The container named by a file's first bytes (64 are enough), or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and _WEBM_DOCTYPE + b"\x84webm" in head[:64]:
        return "video/webm"
    return None


_FORMATS: dict[VideoType, str] = {"video/mp4": "mp4", "video/webm": "webm"}


@dataclass(frozen=True)
class ProbedClip:
    facts: ClipFacts
    poster: Image.Image  # RGB, the clip's own size


def probe(path: Path, content_type: VideoType, limits: VideoLimits = UPLOAD_LIMITS) -> ProbedClip:
    """Open ``path`` as ``content_type`` only; raise ``MediaRejected`` with the reason when the clip
    is damaged or beyond ``limits``."""
    try:
        with av.open(str(path), "r", format=_FORMATS[content_type]) as container:
            if not container.streams.video:
                raise MediaRejected(422, "the file has no video track", "video.no_video")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            duration_s = _duration_s(container, stream)
            size = path.stat().st_size
            facts = ClipFacts(
                content_type=content_type,
                codec=stream.codec_context.name,
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                fps=float(rate) if rate else 0.0,
                duration_s=duration_s,
                bitrate=round(size * 8 / duration_s) if duration_s > 0 else 0,
            )
            refused = refusal(facts, limits)
            if refused is not None:  # before decoding anything: a 4K HEVC needs no decoder run
                raise MediaRejected(422, refused.message, refused.code, **refused.params)
            poster = _poster(container, stream)
    except MediaRejected:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        name = "MP4" if content_type == "video/mp4" else "WebM"
        raise MediaRejected(400, f"damaged or unreadable {name} file: {exc}", "video.damaged") from exc
    if poster is None:
        raise MediaRejected(400, f"no frame of this {CODEC_NAMES.get(facts.codec, facts.codec)} clip "
                                 f"could be decoded", "video.damaged")
    return ProbedClip(facts, poster)


def _duration_s(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def _poster(container: av.container.InputContainer, stream: av.VideoStream) -> Image.Image | None:
    """The frame ``POSTER_AT_S`` in (or the last decoded before it, the clip being shorter)."""
    chosen = None
    for count, frame in enumerate(container.decode(stream)):
        chosen = frame
        if (frame.time is not None and frame.time >= POSTER_AT_S) or count >= MAX_PROBE_FRAMES:
            break
    return None if chosen is None else chosen.to_image()  # type: ignore[no-untyped-call]
