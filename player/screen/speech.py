"""Spoken announcements on the board: a bulletin's speech when it comes on screen, an emergency's
when it takes the screen, through ``pygame.mixer`` at the board's volume (``signage_contract.speech``).

Runs on the main thread after each frame, like the play tracker, and returns at once: the clip is
read from the verified media cache and handed to the mixer, which plays it on its own thread. A
board speaks only where its manifest's ``AudioSettings`` allow (audio on; outside quiet hours, which
an emergency ignores) and only while its screen is on. Each clip played is a play record on the
pseudo-region ``audio`` (proof of play), ended when the mixer has finished it.

No audio device (or no mixer) is logged once and the board goes on silently.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pygame

from signage_contract import LOCAL_TIMEZONE, Category, EmergencyOverride, PlayReason, Priority, TextItem
from signage_contract.device import PlayRecord
from signage_contract.speech import AudioSettings, SpeechRef, speech_due

from ..core.cache import MediaCache
from ..core.playlog import PlayEnded, PlayEvent, PlayStarted
from ..core.shared import Snapshot
from ..core.timeline import Frame
from .compositor import Compositor

log = logging.getLogger(__name__)
AUDIO_REGION = "audio"


@dataclass(frozen=True)
class Cue:
    """One clip to say now, and what its play record names."""

    key: tuple[object, ...]  # a different showing is a different key
    audio: SpeechRef
    item_id: str
    emergency: bool
    reason: PlayReason = PlayReason.EMERGENCY
    override_id: str | None = None
    category: Category = Category.OTHER
    priority: Priority = Priority.NORMAL
    schedule_id: str | None = None


def cues(frame: Frame, local: datetime, last_spoken: dict[str, datetime]) -> list[Cue]:
    """What ``frame`` asks to be said at ``local`` (pure): the override's speech, or the speech of
    each text item that is due (``speech_due``) given when each item last spoke."""
    if frame.override is not None:
        return [_override_cue(frame.override)] if frame.override.speech is not None else []
    found: list[Cue] = []
    schedule_id = frame.entry.schedule_id if frame.entry is not None else None
    reason = frame.entry.reason if frame.entry is not None else PlayReason.SCHEDULED
    for show in frame.regions:
        item = show.item
        if isinstance(item, TextItem) and item.speech is not None \
                and speech_due(item.speech, local, last_spoken.get(item.id)):
            found.append(Cue((item.id, show.started_at), item.speech.audio, item.id, False, reason=reason,
                             category=item.category, priority=item.priority, schedule_id=schedule_id))
    return found


def _override_cue(override: EmergencyOverride) -> Cue:
    assert override.speech is not None
    return Cue(("override", override.id), override.speech, f"override:{override.id}", True,
               override_id=override.id, category=override.category, priority=Priority.EMERGENCY)


class Announcer:
    """Plays what ``cues`` asks for, once per showing, and records each play through ``sink``."""

    def __init__(self, media: MediaCache, sink: Callable[[PlayEvent], None] | None = None) -> None:
        self.media = media
        self.sink = sink
        self.last_spoken: dict[str, datetime] = {}  # item id -> local time it last spoke
        self._heard: set[tuple[object, ...]] = set()  # showings already considered
        self._playing: tuple[str, pygame.mixer.Channel] | None = None
        self._broken = False
        self._failed = ""

    def observe(self, frame: Frame | None, audio: AudioSettings | None, zone: ZoneInfo, now: datetime,
                screen_on: bool = True) -> None:
        self._finish(now)
        if frame is None or audio is None or not screen_on or self._broken:
            return
        local = now.astimezone(zone)
        for cue in cues(frame, local, self.last_spoken):
            if cue.key in self._heard:
                continue
            self._heard.add(cue.key)
            if audio.allows(local, emergency=cue.emergency) and self._play(cue, audio.volume, now):
                self.last_spoken[cue.item_id] = local
        if len(self._heard) > 10_000:  # a board running for months: forget old showings
            self._heard.clear()

    def after_frame(self, compositor: Compositor, snap: Snapshot, now: datetime) -> None:
        """The frame loop's hook: never raises (a failure is logged once, the show goes on)."""
        try:
            showing = compositor.mode[:1] in (("regions",), ("override",))
            manifest = snap.manifest
            zone = ZoneInfo(manifest.timezone if manifest is not None else LOCAL_TIMEZONE)
            self.observe(compositor.frame if showing else None, manifest.audio if manifest else None, zone,
                         now, compositor.screen_on)
        except Exception as exc:  # loop boundary: speech must never end the show
            if repr(exc) != self._failed:
                log.exception("announcement failed")
            self._failed = repr(exc)

    def close(self, now: datetime) -> None:
        if self._playing is not None:
            self._playing[1].stop()
        self._finish(now, force=True)

    def _play(self, cue: Cue, volume: int, now: datetime) -> bool:
        data = self.media.read_verified(cue.audio.sha256)
        if data is None:
            return False  # not downloaded yet: the next showing speaks
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init()
            sound = pygame.mixer.Sound(file=io.BytesIO(data))
            sound.set_volume(volume / 100)
            if self._playing is not None:  # a newer announcement interrupts the one still speaking
                self._playing[1].stop()
                self._finish(now, force=True)
            channel = sound.play()
        except pygame.error as exc:
            log.warning("no audio output, announcements stay silent: %s", exc)
            self._broken = True
            return False
        if channel is None:
            return False
        record_id = uuid.uuid4().hex
        self._playing = (record_id, channel)
        if self.sink is not None:
            self.sink(PlayStarted(PlayRecord(
                id=record_id, region_id=AUDIO_REGION, item_id=cue.item_id, schedule_id=cue.schedule_id,
                override_id=cue.override_id,
                reason=cue.reason,
                category=cue.category, priority=cue.priority, started_at=now, ended_at=now)))
        return True

    def _finish(self, now: datetime, force: bool = False) -> None:
        if self._playing is None or (not force and self._playing[1].get_busy()):
            return
        if self.sink is not None:
            self.sink(PlayEnded(self._playing[0], now))
        self._playing = None
