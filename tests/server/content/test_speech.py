"""Spoken announcements on the server: espeak-ng's Vietnamese voice for real, the recording stored
once by its hash in the media store, and every refusal (empty, too long, engine missing, failing or
too slow) leaving nothing behind."""

from __future__ import annotations

import hashlib
import shutil
import wave
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from signage_server.content import bulletins
from signage_server.content.speech import MAX_SPEECH_CHARS, Speaker, bulletin_speech, spoken_text
from signage_server.content.speech_engines import Espeak, Piper, SpeechFailed, choose_engine
from signage_server.content.workflow import Actor
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import Invalid
from signage_server.models import Bulletin, SpeechClip, User
from signage_server.schemas import BulletinCreate
from tests.support.speech import loudest_sample, needs_espeak

TITLE = "Thông báo lịch tiêm chủng"
BODY = "Sáng thứ Bảy, bà con đưa trẻ đến trạm y tế xã."


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _editor(session: Session, users: dict) -> Actor:
    user = session.get(User, users["editor_a"].id)
    assert user is not None
    return Actor(user, "192.0.2.1")


def _speaker(app: FastAPI) -> Speaker:
    speaker: Speaker = app.state.speaker
    return speaker


@needs_espeak
def test_espeak_reads_vietnamese_into_a_wav_that_is_not_silent(tmp_path: Path) -> None:
    out = tmp_path / "tin.wav"
    Espeak().synthesize(spoken_text(TITLE, BODY), out)
    with wave.open(str(out), "rb") as audio:
        assert audio.getnchannels() == 1 and audio.getnframes() / audio.getframerate() > 1.0
    assert loudest_sample(out) > 1000


@needs_espeak
def test_the_engine_is_given_a_time_limit(tmp_path: Path) -> None:
    with pytest.raises(SpeechFailed, match="took longer than"):
        Espeak(timeout_s=0.001).synthesize(BODY * 40, tmp_path / "tin.wav")


def test_piper_is_chosen_only_where_its_model_and_program_are_there(tmp_path: Path) -> None:
    assert isinstance(choose_engine(None), Espeak)
    assert isinstance(choose_engine(tmp_path / "vi_VN-vais1000-medium.onnx"), Espeak)  # no model file
    model = tmp_path / "vi.onnx"
    model.write_bytes(b"model")
    chosen = choose_engine(model)
    assert isinstance(chosen, Piper if shutil.which("piper") else Espeak)


@needs_espeak
def test_a_bulletin_marked_to_be_spoken_is_recorded_once_by_hash(app: FastAPI, session: Session,
                                                                 users: dict) -> None:
    actor, feed = _editor(session, users), ChangeFeed()
    data = BulletinCreate(title=TITLE, body=BODY, speak=True, speak_times=["07:00"])
    first = bulletins.create_bulletin(session, actor=actor, changes=feed, data=data, speaker=_speaker(app))
    second = bulletins.create_bulletin(session, actor=actor, changes=feed, data=data, speaker=_speaker(app))
    clips = session.exec(select(SpeechClip)).all()
    assert len(clips) == 1 and clips[0].engine == "espeak-ng" and clips[0].duration_ms > 1000
    stored = _speaker(app).store.path(clips[0].sha256)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == clips[0].sha256
    assert loudest_sample(stored) > 1000
    rows = [session.get(Bulletin, first.id), session.get(Bulletin, second.id)]
    spoken = bulletin_speech(session, [r for r in rows if r is not None])
    assert {k: (v.audio.sha256, [t.isoformat() for t in v.times]) for k, v in spoken.items()} == {
        first.id: (clips[0].sha256, ["07:00:00"]), second.id: (clips[0].sha256, ["07:00:00"])}


def _refused(app: FastAPI, session: Session, users: dict, speaker: Speaker | None, title: str,
             body: str = "") -> Invalid:
    before = stored_files(_speaker(app).store.root)
    with pytest.raises(Invalid) as info:
        bulletins.create_bulletin(session, actor=_editor(session, users), changes=ChangeFeed(),
                                  data=BulletinCreate(title=title, body=body, speak=True), speaker=speaker)
    session.rollback()
    assert session.exec(select(Bulletin)).all() == []
    assert session.exec(select(SpeechClip)).all() == []
    assert stored_files(_speaker(app).store.root) == before
    return info.value


def test_a_text_too_long_to_read_aloud_is_refused_and_nothing_is_stored(app: FastAPI, session: Session,
                                                                         users: dict) -> None:
    error = _refused(app, session, users, _speaker(app), TITLE, "a" * MAX_SPEECH_CHARS)
    assert error.code == "speech.too_long" and error.params["limit"] == MAX_SPEECH_CHARS


def test_a_missing_engine_is_refused_and_nothing_is_stored(app: FastAPI, session: Session,
                                                           users: dict) -> None:
    missing = Speaker(_speaker(app).store, Espeak(executable="no-such-espeak-ng"))
    assert _refused(app, session, users, missing, TITLE).code == "speech.unavailable"
    assert _refused(app, session, users, None, TITLE).code == "speech.unavailable"


def test_a_failing_engine_is_refused_and_nothing_is_stored(app: FastAPI, session: Session,
                                                           users: dict) -> None:
    failing = Speaker(_speaker(app).store, Espeak(executable=shutil.which("false") or "/bin/false"))
    error = _refused(app, session, users, failing, TITLE)
    assert error.code == "speech.failed"
