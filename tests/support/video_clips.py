"""Test clips made with PyAV itself: a few seconds of solid colours, one colour per second, so a
test can tell from a pixel which second of the clip is on screen."""

from __future__ import annotations

import hashlib
import math
import struct
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
    tone_hz: float | None = None,
) -> Path:
    """Write a clip of solid colours (``colour_at`` each second) to ``path``; with ``tone_hz``, a
    sound track too (a sine at that pitch, AAC, 44.1 kHz stereo, as long as the pictures)."""
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
        sound = None
        if tone_hz is not None:
            sound = container.add_stream("aac" if fmt == "mp4" else "libopus", rate=TONE_RATE)
            sound.layout = "stereo"
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame(width, height, "rgb24")
            row = bytes(colour_at(index / fps)) * width
            pitch = frame.planes[0].line_size
            frame.planes[0].update((row + bytes(pitch - len(row))) * height)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if sound is not None and tone_hz is not None:
            _mux_tone(container, sound, tone_hz, seconds)
    return path


TONE_RATE = 44_100


def _mux_tone(container: Any, stream: Any, tone_hz: float, seconds: float) -> None:
    """A sine at ``tone_hz`` (half amplitude), in pieces of 1,024 samples."""
    total, at = round(seconds * TONE_RATE), 0
    while at < total:
        count = min(1024, total - at)
        wave = [0.5 * math.sin(2 * math.pi * tone_hz * (at + n) / TONE_RATE) for n in range(count)]
        frame = av.AudioFrame(format="s16", layout="stereo", samples=count)
        frame.planes[0].update(b"".join(struct.pack("<hh", int(v * 32767), int(v * 32767)) for v in wave)
                               + bytes(frame.planes[0].buffer_size - count * 4))
        frame.sample_rate, frame.pts = TONE_RATE, at
        for packet in stream.encode(frame):
            container.mux(packet)
        at += count
    container.mux(stream.encode(None))


def clip_ref(path: Path, width: int, height: int, content_type: str = "video/mp4") -> MediaRef:
    data = path.read_bytes()
    return MediaRef(sha256=hashlib.sha256(data).hexdigest(), size=len(data), content_type=content_type,
                    width=width, height=height)  # type: ignore[arg-type]


def video_item(item_id: str, ref: MediaRef, **extra: Any) -> dict[str, Any]:
    return {"kind": "video", "id": item_id, "media": ref.model_dump(), **extra}
