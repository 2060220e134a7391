"""The speech rules both sides apply: quiet hours, whether a board may speak, when a spoken item is
due, and the audio a manifest names."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from signage_contract import EmergencyOverride, Manifest, TextItem
from signage_contract.speech import AudioSettings, QuietHours, Speech, SpeechRef, speech_due

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
AUDIO = SpeechRef(sha256="a" * 64, size=1000, duration_s=2.5)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=HCM)


@pytest.mark.parametrize(("start", "end", "local", "quiet"), [
    (time(22), time(6), time(23), True),
    (time(22), time(6), time(5, 59), True),
    (time(22), time(6), time(6), False),
    (time(22), time(6), time(12), False),
    (time(12), time(13, 30), time(12, 45), True),
    (time(12), time(13, 30), time(13, 30), False),
])
def test_quiet_hours_contain_their_start_not_their_end_and_may_span_midnight(
        start: time, end: time, local: time, quiet: bool) -> None:
    assert QuietHours(start=start, end=end).contains(local) is quiet


def test_quiet_hours_that_start_and_end_together_are_refused() -> None:
    with pytest.raises(ValidationError):
        QuietHours(start=time(22), end=time(22))


@pytest.mark.parametrize(("settings", "local", "emergency", "allowed"), [
    (AudioSettings(), at(10), False, False),  # off by default
    (AudioSettings(), at(10), True, False),  # an emergency too: no loudspeaker
    (AudioSettings(enabled=True, volume=0), at(10), True, False),
    (AudioSettings(enabled=True), at(10), False, True),
    (AudioSettings(enabled=True, quiet=QuietHours(start=time(21), end=time(6))), at(23), False, False),
    (AudioSettings(enabled=True, quiet=QuietHours(start=time(21), end=time(6))), at(23), True, True),
    (AudioSettings(enabled=True, quiet=QuietHours(start=time(21), end=time(6))), at(7), False, True),
])
def test_a_board_speaks_with_audio_on_outside_quiet_hours_and_an_emergency_in_them(
        settings: AudioSettings, local: datetime, emergency: bool, allowed: bool) -> None:
    assert settings.allows(local, emergency=emergency) is allowed


def test_volume_beyond_0_to_100_is_refused() -> None:
    with pytest.raises(ValidationError):
        AudioSettings(enabled=True, volume=101)


@pytest.mark.parametrize(("times", "local", "last", "due"), [
    ([], at(9), at(8, 59), True),  # no set times: every showing
    ([time(7), time(17, 30)], at(6, 59), None, False),  # before the first time of the day
    ([time(7), time(17, 30)], at(7, 5), None, True),
    ([time(7), time(17, 30)], at(7, 5), at(7, 1), False),  # already said since 07:00
    ([time(7), time(17, 30)], at(17, 31), at(7, 1), True),
    ([time(7), time(17, 30)], at(17, 31), at(17, 30), False),
])
def test_a_spoken_item_is_due_at_each_showing_or_once_after_each_set_time(
        times: list[time], local: datetime, last: datetime | None, due: bool) -> None:
    assert speech_due(Speech(audio=AUDIO, times=times), local, last) is due


def test_a_manifest_names_the_audio_of_its_spoken_items_and_overrides() -> None:
    now = datetime(2026, 12, 1, 3, tzinfo=UTC)
    other = SpeechRef(sha256="b" * 64, size=2000, duration_s=4.0)
    manifest = Manifest(
        board_id="1", generated_at=now, valid_from=now, valid_until=now, layouts=[], timeline=[],
        items=[TextItem(id="t1", title="Loa", speech=Speech(audio=AUDIO)), TextItem(id="t2", title="Im")],
        overrides=[EmergencyOverride(id="9", title="Bão", speech=other, starts_at=now, expires_at=now,
                                     issued_at=now)],
        audio=AudioSettings(enabled=True, volume=60),
    )
    again = Manifest.model_validate_json(manifest.model_dump_json())
    assert again.media() == {AUDIO.sha256: AUDIO, other.sha256: other}
    assert again.audio == AudioSettings(enabled=True, volume=60)


def test_a_manifest_without_audio_keeps_its_previous_shape() -> None:
    now = datetime(2026, 12, 1, 3, tzinfo=UTC)
    manifest = Manifest(board_id="1", generated_at=now, valid_from=now, valid_until=now, layouts=[],
                        timeline=[], items=[TextItem(id="t1", title="Im")])
    assert manifest.audio is None
