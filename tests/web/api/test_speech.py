"""Spoken announcements through the JSON API: a bulletin marked ``speak`` and its refusals, an
emergency marked ``speak``, and a board's audio settings (role, scope, validation, audit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from signage_contract import Manifest, SignedManifest, TextItem
from signage_server.content.speech import MAX_SPEECH_CHARS
from signage_server.models import AuditEvent, Bulletin, ComposedManifest, Override, SpeechClip
from tests.support.speech import needs_espeak
from tests.web.api.test_pending_edits_archive import _approve, _on_air, _published

TITLE = "Thông báo lịch tiêm chủng"


@needs_espeak
def test_a_bulletin_marked_to_be_spoken_is_recorded_and_says_so(client, users, session: Session) -> None:
    answer = client.post("/api/v1/bulletins", json={"title": TITLE, "speak": True, "speak_times": ["07:00"]},
                         headers=users["editor_a"].headers)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["speak"], answer.json()["speak_times"]) == (True, ["07:00"])
    assert len(session.exec(select(SpeechClip)).all()) == 1


@pytest.mark.parametrize(("fields", "code"), [
    ({"body": "a" * MAX_SPEECH_CHARS}, "speech.too_long"),
    ({"speak_times": ["25:00"]}, "request.invalid"),
    ({"speak_times": ["07:00"] * 25}, "request.invalid"),
])
def test_a_bulletin_that_cannot_be_spoken_is_refused_with_its_code(client, users, session: Session,
                                                                   fields: dict, code: str) -> None:
    answer = client.post("/api/v1/bulletins", json={"title": TITLE, "speak": True, **fields},
                         headers=users["editor_a"].headers)
    assert answer.status_code == 422 and answer.json()["code"] == code
    assert session.exec(select(Bulletin)).all() == [] and session.exec(select(SpeechClip)).all() == []


@needs_espeak
def test_an_emergency_marked_to_be_spoken_is_recorded(client, users, session: Session, make_board) -> None:
    board = make_board()
    body = {"title": "Bão số 3 đổ bộ", "body": "Bà con không ra khơi.", "risk_level": 4, "speak": True,
            "target": {"board_ids": [board.id]},
            "expires_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}
    answer = client.post("/api/v1/overrides", json=body, headers=users["operator_a"].headers)
    assert answer.status_code == 201, answer.text
    row = session.exec(select(Override)).one()
    assert row.speak and len(session.exec(select(SpeechClip)).all()) == 1


def test_a_board_has_no_audio_until_an_operator_turns_it_on(client, users, session: Session,
                                                            make_board) -> None:
    board = make_board()
    url = f"/api/v1/boards/{board.id}/audio"
    assert client.get(url, headers=users["viewer_a"].headers).json() == {"enabled": False, "volume": 80,
                                                                         "quiet": None}
    wanted = {"enabled": True, "volume": 65, "quiet": {"start": "21:30", "end": "06:00"}}
    assert client.put(url, json=wanted, headers=users["editor_a"].headers).status_code == 403
    saved = client.put(url, json=wanted, headers=users["operator_a"].headers)
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"enabled": True, "volume": 65, "quiet": {"start": "21:30:00", "end": "06:00:00"}}
    assert client.get(url, headers=users["viewer_a"].headers).json() == saved.json()
    assert session.exec(select(AuditEvent).where(AuditEvent.object_type == "board_audio")).first() is not None


@pytest.mark.parametrize("wanted", [
    {"enabled": True, "volume": 101},
    {"enabled": True, "quiet": {"start": "22:00", "end": "22:00"}},
])
def test_bad_audio_settings_are_refused(client, users, make_board, wanted: dict) -> None:
    board = make_board()
    answer = client.put(f"/api/v1/boards/{board.id}/audio", json=wanted, headers=users["operator_a"].headers)
    assert answer.status_code == 422


def test_audio_settings_of_a_board_outside_the_scope_are_not_found(client, users, make_board, tree) -> None:
    board = make_board(unit_id=tree.commune_b)
    answer = client.put(f"/api/v1/boards/{board.id}/audio", json={"enabled": True},
                        headers=users["operator_a"].headers)
    assert answer.status_code == 404


@needs_espeak
def test_an_approved_bulletin_edited_to_be_spoken_is_spoken_once_the_edit_is_approved(
        client, app, users, session: Session, make_board) -> None:
    board = make_board()
    client.put(f"/api/v1/boards/{board.id}/audio", json={"enabled": True, "volume": 70},
               headers=users["operator_a"].headers)
    got = _published(client, users)
    patched = client.patch(f"/api/v1/bulletins/{got['bulletin_id']}", json={"speak": True},
                           headers=users["editor_a"].headers).json()
    assert [i.speech for i in _on_air(client, app, session, board.id) if isinstance(i, TextItem)] == [None]
    assert _approve(client, users["approver_a"], patched["pending_submission_id"]).status_code == 200
    [spoken] = [i for i in _on_air(client, app, session, board.id) if isinstance(i, TextItem)]
    clip = session.exec(select(SpeechClip)).one()
    assert spoken.speech is not None and spoken.speech.audio.sha256 == clip.sha256
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board.id)).one()
    manifest = Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload)
    assert manifest.audio is not None and manifest.audio.volume == 70
    assert clip.sha256 in row.media_sha256  # the board may fetch it
