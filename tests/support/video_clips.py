"""Test clips made with PyAV itself: a few seconds of solid colours, one colour per second, so a
test can tell from a pixel which second of the clip is on screen."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from signage_contract import MediaRef

COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30), (30, 200, 200), (200, 30, 200)]
CONTAINERS = {"h264": ("mp4", "video/mp4"), "hevc": ("mp4", "video/mp4"), "vp9": ("webm", "video/webm")}


def colour_at(second: float) -> tuple[int, int, int]:
    return COLOURS[int(second) % len(COLOURS)]


def make_clip(
    path: Path,
    width: int = 160,
    height: int = 90,
    fps: int = 10,
    seconds: float = 2.0,
    codec: str = "h264",
    bit_rate: int | None = None,
) -> Path:
    """Write a clip of solid colours (``colour_at`` each second) to ``path``."""
    fmt = CONTAINERS[codec][0]
    encoder = {"h264": "libx264", "hevc": "libx265", "vp9": "libvpx-vp9"}[codec]
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(encoder, rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if bit_rate is not None:
            stream.bit_rate = bit_rate
        if codec == "h264":
            stream.options = {"preset": "ultrafast"}
        elif codec == "hevc":
            stream.options = {"preset": "ultrafast", "x265-params": "log-level=none"}
        else:
            stream.options = {"deadline": "realtime", "cpu-used": "8"}
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame(width, height, "rgb24")
            row = bytes(colour_at(index / fps)) * width
            pitch = frame.planes[0].line_size
            frame.planes[0].update((row + bytes(pitch - len(row))) * height)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def clip_ref(path: Path, width: int, height: int, content_type: str = "video/mp4") -> MediaRef:
    data = path.read_bytes()
    return MediaRef(sha256=hashlib.sha256(data).hexdigest(), size=len(data), content_type=content_type,
                    width=width, height=height)  # type: ignore[arg-type]


def video_item(item_id: str, ref: MediaRef, **extra: Any) -> dict[str, Any]:
    return {"kind": "video", "id": item_id, "media": ref.model_dump(), **extra}
