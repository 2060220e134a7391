"""The board speaks: a spoken item when it comes on screen, an emergency's speech even in quiet
hours, nothing with audio off or in quiet hours; each clip played is a play record on the audio
region, ended when the mixer is done. Runs the real mixer on SDL's dummy audio driver."""

from __future__ import annotations

import array
import hashlib
import io
import math
import time
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame
import pytest

from player.core.cache import MediaCache
from player.core.playlog import PlayEnded, PlayEvent, PlayStarted
from player.core.timeline import Frame, RegionShow
from player.screen.speech import AUDIO_REGION, Announcer
from signage_contract import EmergencyOverride, Layout, PlayReason, Region, TextItem
from signage_contract.speech import AudioSettings, QuietHours, Speech, SpeechRef

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
REGION = Region(id="main", role="main", x=0, y=0, w=1, h=1)
LAYOUT = Layout(id="fullscreen", name="Toàn màn hình", regions=[REGION])
NOON = datetime(2026, 12, 1, 5, tzinfo=UTC)  # 12:00 in Vietnam
NIGHT = datetime(2026, 12, 1, 16, tzinfo=UTC)  # 23:00 in Vietnam
QUIET = QuietHours(start=datetime.strptime("22:00", "%H:%M").time(),
                   end=datetime.strptime("06:00", "%H:%M").time())


def tone_wav(seconds: float = 0.3, rate: int = 22050) -> bytes:
    samples = array.array("h", (int(12000 * math.sin(2 * math.pi * 440 * n / rate))
                                for n in range(int(seconds * rate))))
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(samples.tobytes())
    return out.getvalue()


@pytest.fixture
def clip(tmp_path: Path) -> tuple[MediaCache, SpeechRef]:
    data = tone_wav()
    ref = SpeechRef(sha256=hashlib.sha256(data).hexdigest(), size=len(data), duration_s=0.3)
    cache = MediaCache(tmp_path / "media")
    cache.path(ref.sha256).write_bytes(data)
    return cache, ref


@pytest.fixture(autouse=True)
def mixer() -> Iterator[None]:
    yield
    pygame.mixer.quit()


def showing(ref: SpeechRef, started_at: datetime = NOON) -> Frame:
    item = TextItem(id="p1-i1", title="Lịch tiêm chủng", speech=Speech(audio=ref))
    return Frame(layout=LAYOUT, regions=(RegionShow(REGION, item, started_at),), override=None, entry=None,
                 next_change_at=started_at + timedelta(seconds=10))


def emergency(ref: SpeechRef) -> Frame:
    override = EmergencyOverride(id="7", title="Bão số 3", speech=ref, starts_at=NIGHT,
                                 expires_at=NIGHT + timedelta(hours=1), issued_at=NIGHT)
    return Frame(layout=LAYOUT, regions=(), override=override, entry=None,
                 next_change_at=NIGHT + timedelta(hours=1))


def announcer(cache: MediaCache) -> tuple[Announcer, list[PlayEvent]]:
    events: list[PlayEvent] = []
    return Announcer(cache, events.append), events


def started(events: list[PlayEvent]) -> list[PlayStarted]:
    return [e for e in events if isinstance(e, PlayStarted)]


def test_a_spoken_item_is_said_once_per_showing_at_the_boards_volume(clip) -> None:
    cache, ref = clip
    speaker, events = announcer(cache)
    audio = AudioSettings(enabled=True, volume=65)
    speaker.observe(showing(ref), audio, HCM, NOON)
    speaker.observe(showing(ref), audio, HCM, NOON + timedelta(seconds=1))  # the same showing
    [play] = started(events)
    assert (play.record.region_id, play.record.item_id, play.record.reason) == (
        AUDIO_REGION, "p1-i1", PlayReason.SCHEDULED)
    assert speaker._playing is not None
    sound = speaker._playing[1].get_sound()
    assert sound is not None and sound.get_volume() == pytest.approx(0.65, abs=0.01)
    deadline = time.monotonic() + 10
    while not any(isinstance(e, PlayEnded) for e in events):
        assert time.monotonic() < deadline, "the clip never ended"
        speaker.observe(showing(ref), audio, HCM, NOON + timedelta(seconds=2))
        pygame.time.wait(20)
    speaker.observe(showing(ref, NOON + timedelta(minutes=1)), audio, HCM, NOON + timedelta(minutes=1))
    assert len(started(events)) == 2  # the next showing speaks again


@pytest.mark.parametrize("audio", [None, AudioSettings(), AudioSettings(enabled=True, volume=0),
                                   AudioSettings(enabled=True, quiet=QUIET)])
def test_a_board_without_audio_or_in_its_quiet_hours_stays_silent(clip, audio: AudioSettings | None) -> None:
    cache, ref = clip
    speaker, events = announcer(cache)
    speaker.observe(showing(ref, NIGHT), audio, HCM, NIGHT)
    assert events == []


def test_an_emergency_is_spoken_in_quiet_hours(clip) -> None:
    cache, ref = clip
    speaker, events = announcer(cache)
    speaker.observe(emergency(ref), AudioSettings(enabled=True, quiet=QUIET), HCM, NIGHT)
    [play] = started(events)
    assert (play.record.item_id, play.record.override_id, play.record.reason) == (
        "override:7", "7", PlayReason.EMERGENCY)


def test_a_clip_not_yet_downloaded_is_not_said(clip, tmp_path: Path) -> None:
    _cache, ref = clip
    empty = MediaCache(tmp_path / "empty")
    speaker, events = announcer(empty)
    speaker.observe(showing(ref), AudioSettings(enabled=True), HCM, NOON)
    assert events == []


def test_the_screen_off_says_nothing(clip) -> None:
    cache, ref = clip
    speaker, events = announcer(cache)
    speaker.observe(showing(ref), AudioSettings(enabled=True), HCM, NOON, screen_on=False)
    assert events == []
