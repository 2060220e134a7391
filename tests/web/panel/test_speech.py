"""Spoken announcements in the panel: an editor marks a bulletin to be read aloud and an approver
approves it; a text that cannot be read aloud is refused in Vietnamese and nothing is stored; an
operator sets a board's loudspeaker (volume, quiet hours)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlmodel import Session, select

from signage_server.content.speech import MAX_SPEECH_CHARS
from signage_server.models import BoardAudio, Bulletin, ContentState, SpeechClip
from tests.support.panel_client import login
from tests.support.speech import needs_espeak

TITLE = "Thông báo lịch tiêm chủng"


@needs_espeak
def test_an_editor_marks_a_bulletin_to_be_read_aloud_and_an_approver_approves_it(
        client, users, session: Session) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/bulletins", data={"title": TITLE, "body": "Sáng thứ Bảy.", "speak": "true",
                                                   "speak_times": "07:00, 17:30", "csrf_token": csrf})
    assert answer.status_code == 200, answer.text
    row = session.exec(select(Bulletin)).one()
    assert (row.speak, row.speak_times) == (True, ["07:00", "17:30"])
    assert 'name="speak" value="true" checked' in client.get(f"/panel/bulletins/{row.id}").text
    assert len(session.exec(select(SpeechClip)).all()) == 1
    sent = client.post(f"/panel/bulletins/{row.id}/state", data={"state": "submitted", "csrf_token": csrf})
    assert sent.status_code in (200, 303), sent.text
    approver = login(client, "approver-a")
    decided = client.post(f"/panel/approvals/bulletin/{row.id}/state",
                          data={"state": "approved", "reason": "", "csrf_token": approver})
    assert decided.status_code == 200, decided.text
    session.expire_all()
    assert session.get(Bulletin, row.id).state == ContentState.APPROVED


def test_a_text_too_long_to_read_aloud_is_refused_in_vietnamese_and_nothing_is_stored(
        app: FastAPI, client, users, session: Session) -> None:
    media_root: Path = app.state.media_store.root
    csrf = login(client, "editor-a")
    answer = client.post("/panel/bulletins", data={"title": TITLE, "body": "a" * MAX_SPEECH_CHARS,
                                                   "speak": "true", "csrf_token": csrf})
    assert answer.status_code == 422
    assert (f"Văn bản đọc thành tiếng dài tối đa {MAX_SPEECH_CHARS} ký tự" in answer.text)
    assert session.exec(select(Bulletin)).all() == [] and session.exec(select(SpeechClip)).all() == []
    assert not media_root.exists() or [p for p in media_root.rglob("*") if p.is_file()] == []


def test_a_bad_read_aloud_time_is_refused_and_the_draft_kept(client, users, session: Session) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/bulletins", data={"title": TITLE, "speak": "true", "speak_times": "7h sáng",
                                                   "csrf_token": csrf})
    assert answer.status_code == 422 and TITLE in answer.text
    assert session.exec(select(Bulletin)).all() == []


def test_an_operator_sets_the_boards_loudspeaker(client, users, session: Session, make_board) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    page = client.get(f"/panel/boards/{board.id}/audio")
    assert page.status_code == 200 and "Loa phát thanh" in page.text and "Giờ yên lặng" in page.text
    saved = client.post(f"/panel/boards/{board.id}/audio", data={
        "enabled": "true", "volume": "70", "quiet_start": "22:00", "quiet_end": "05:30", "csrf_token": csrf})
    assert saved.status_code == 200, saved.text
    row = session.get(BoardAudio, board.id)
    assert row is not None and (row.enabled, row.volume, str(row.quiet_start), str(row.quiet_end)) == (
        True, 70, "22:00:00", "05:30:00")


def test_quiet_hours_without_an_end_are_refused_in_vietnamese(client, users, session: Session,
                                                              make_board) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    answer = client.post(f"/panel/boards/{board.id}/audio", data={
        "enabled": "true", "volume": "70", "quiet_start": "22:00", "csrf_token": csrf})
    assert answer.status_code == 422
    assert "Giờ yên lặng cần có cả giờ bắt đầu và giờ kết thúc" in answer.text
    assert session.get(BoardAudio, board.id) is None
