"""Video clips: what a board plays and what a board PC can decode (pure: the probe is injected).

H.264 and H.265 in MP4, VP9 in WebM. A board's player decodes in software (PyAV) on a Celeron or
N100 mini PC, so each board class has a ceiling on resolution, frame rate and bitrate; the server
refuses an upload above the highest class with the reason, and a player does not start a clip
above its own class (the timeline skips it). The server probes with PyAV and the player checks the
figures the manifest carries, so both judge a clip by the same rule (``refusal``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

VideoType = Literal["video/mp4", "video/webm"]
VIDEO_TYPES: tuple[VideoType, ...] = ("video/mp4", "video/webm")
# Container (as sniffed from the bytes) -> the codecs it may carry.
CODECS: dict[VideoType, frozenset[str]] = {
    "video/mp4": frozenset({"h264", "hevc"}),
    "video/webm": frozenset({"vp9"}),
}
CODEC_NAMES = {"h264": "H.264", "hevc": "H.265", "vp9": "VP9"}
MIN_DURATION_S = 0.5
MAX_DURATION_S = 15 * 60.0  # a bulletin clip, not a film: a board shares its airtime


class BoardClass(StrEnum):
    """What a board PC is asked to decode, by the pixels it shows."""

    LED = "led"  # a commune or square LED board, up to 1280x960
    FULL_HD = "full_hd"  # an LCD panel up to 1920x1080
    UHD = "uhd"  # a 4K panel


@dataclass(frozen=True)
class VideoLimits:
    max_width: int
    max_height: int
    max_fps: float
    max_bitrate: int  # bits per second, the whole file's average

    def fits(self, width: int, height: int) -> bool:
        """Within the frame, in either orientation (a portrait clip for a portrait panel)."""
        long_side, short_side = max(width, height), min(width, height)
        return long_side <= max(self.max_width, self.max_height) and short_side <= min(
            self.max_width, self.max_height
        )


# Software decoding on a 4-core N100: 1080p30 H.264 takes well under a core; 4K only at 30 fps.
LIMITS: dict[BoardClass, VideoLimits] = {
    BoardClass.LED: VideoLimits(1920, 1080, 30.0, 12_000_000),
    BoardClass.FULL_HD: VideoLimits(1920, 1080, 60.0, 20_000_000),
    BoardClass.UHD: VideoLimits(3840, 2160, 30.0, 40_000_000),
}
# An upload must play on some board: the envelope of every class.
UPLOAD_LIMITS = VideoLimits(3840, 2160, 60.0, 40_000_000)


def board_class(screen: tuple[int, int]) -> BoardClass:
    long_side, short_side = max(screen), min(screen)
    if long_side <= 1280 and short_side <= 960:
        return BoardClass.LED
    if long_side <= 1920 and short_side <= 1200:
        return BoardClass.FULL_HD
    return BoardClass.UHD


@dataclass(frozen=True)
class ClipFacts:
    """What a probe found in a clip's bytes."""

    content_type: VideoType
    codec: str  # PyAV/FFmpeg codec name: h264, hevc, vp9
    width: int
    height: int
    fps: float
    duration_s: float
    bitrate: int  # bits per second


@dataclass(frozen=True)
class Refusal:
    """Why a clip cannot play: a stable code and an English message (the panel translates codes)."""

    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict)  # the figures, for a translated sentence


def refusal(facts: ClipFacts, limits: VideoLimits = UPLOAD_LIMITS) -> Refusal | None:
    """None when ``facts`` play within ``limits``; else the first reason they do not."""
    allowed = CODECS[facts.content_type]
    if facts.codec not in allowed:
        names = ", ".join(sorted(CODEC_NAMES[c] for c in allowed))
        return Refusal("video.codec", f"{facts.codec} in {facts.content_type} cannot play; use {names}",
                       {"codec": facts.codec, "allowed": names})
    if facts.duration_s < MIN_DURATION_S or facts.duration_s > MAX_DURATION_S:
        return Refusal("video.duration", f"the clip lasts {facts.duration_s:.1f} s; between "
                                         f"{MIN_DURATION_S:g} s and {MAX_DURATION_S / 60:g} minutes please",
                       {"seconds": f"{facts.duration_s:.1f}", "min_s": f"{MIN_DURATION_S:g}",
                        "max_min": f"{MAX_DURATION_S / 60:g}"})
    return beyond(limits, facts.width, facts.height, facts.fps, facts.bitrate)


def beyond(limits: VideoLimits, width: int, height: int, fps: float, bitrate: int) -> Refusal | None:
    """None when a clip of these figures plays within ``limits`` (a board class's, at approval on
    the server and before playing on the player); else the first reason it does not."""
    if not limits.fits(width, height):
        limit = f"{limits.max_width}x{limits.max_height}"
        return Refusal("video.resolution", f"{width}x{height} is above {limit}",
                       {"size": f"{width}x{height}", "limit": limit})
    if fps <= 0 or fps > limits.max_fps + 0.01:
        return Refusal("video.fps", f"{fps:.2f} frames per second is above {limits.max_fps:g}",
                       {"fps": f"{fps:.2f}", "limit": f"{limits.max_fps:g}"})
    if bitrate > limits.max_bitrate:
        mbps, limit = f"{bitrate / 1e6:.1f}", f"{limits.max_bitrate / 1e6:g}"
        return Refusal("video.bitrate", f"{mbps} Mbit/s is above {limit} Mbit/s",
                       {"mbps": mbps, "limit": limit})
    return None
