"""Spoken announcements on the wire: a bulletin's (or an emergency's) recorded speech, when a board
speaks it, and each board's audio settings. Pure rules both sides apply; pydantic only.

A bulletin marked to be spoken carries its ``Speech`` (the audio, by sha256 like an image, and the
local times of day at which it is due). With no times the board speaks it each time the bulletin
comes on screen; with times it speaks it at the first showing after each of them. A board speaks
only where its ``AudioSettings`` allow: audio on, and outside its quiet hours unless the speech is
an emergency's (an emergency is never silenced by quiet hours, only by audio being off).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Volume = Annotated[int, Field(ge=0, le=100)]
MAX_SPEECH_TIMES = 24
DEFAULT_VOLUME = 80


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class SpeechRef(_Wire):
    """A stored recording, fetched and verified by sha256 like an image (``DEVICE_MEDIA``)."""

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    size: Annotated[int, Field(gt=0)]
    content_type: Literal["audio/wav"] = "audio/wav"
    duration_s: Annotated[float, Field(gt=0.0)]


class Speech(_Wire):
    """An item's speech: the audio and the local times of day it is due (none: each showing)."""

    audio: SpeechRef
    times: Annotated[list[time], Field(max_length=MAX_SPEECH_TIMES)] = []


class QuietHours(_Wire):
    """Local times between which the board stays silent; ``start`` after ``end`` spans midnight."""

    start: time
    end: time

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")
        return self

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


class AudioSettings(_Wire):
    """A board's audio: off unless its operator turned it on; volume 0-100; quiet hours."""

    enabled: bool = False
    volume: Volume = DEFAULT_VOLUME
    quiet: QuietHours | None = None

    def allows(self, local: datetime, *, emergency: bool = False) -> bool:
        """Whether the board may speak at ``local`` (a time in the board's zone)."""
        if not self.enabled or self.volume == 0:
            return False
        if emergency or self.quiet is None:
            return True
        return not self.quiet.contains(local.timetz().replace(tzinfo=None))


def speech_due(speech: Speech, local: datetime, last_spoken: datetime | None) -> bool:
    """Whether an item coming on screen at ``local`` should speak, given when it last spoke (both in
    the board's zone): with no set times, every showing; otherwise the first showing after the most
    recent set time of today (one that passed since it last spoke)."""
    if not speech.times:
        return True
    passed = [local.replace(hour=t.hour, minute=t.minute, second=t.second, microsecond=0)
              for t in speech.times]
    latest = max((t for t in passed if t <= local), default=None)
    if latest is None:
        return False
    return last_spoken is None or last_spoken < latest
