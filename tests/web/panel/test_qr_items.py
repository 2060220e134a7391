"""A QR code in the panel: the add-item form takes its address and caption; a bad address or caption
is refused in Vietnamese with nothing stored; a schedule that would show it too fine to scan on a
board is refused at approval, in Vietnamese, naming the board."""

from __future__ import annotations

import pytest
from sqlmodel import select

from signage_contract import qr
from signage_server.models import (
    Board,
    ContentState,
    ItemKind,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
)
from tests.support.panel_client import login

PORTAL = "https://gopy.quangngai.gov.vn/"


@pytest.fixture
def playlist(session, tree) -> Playlist:
    row = Playlist(name="Góp ý", unit_id=tree.commune_a)
    session.add(row)
    session.commit()
    return row


def _items(session, playlist: Playlist) -> list[PlaylistItem]:
    return list(session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)).all())


def test_a_qr_code_is_added_with_its_address_and_caption(client, users, session, playlist) -> None:
    csrf = login(client, "editor-a")
    form = client.get(f"/panel/playlists/{playlist.id}")
    assert '<option value="qr">Mã QR</option>' in form.text and 'data-kinds="qr"' in form.text
    page = client.post(f"/panel/playlists/{playlist.id}/items", data={
        "kind": "qr", "text": PORTAL, "caption": " Góp ý, phản ánh với tỉnh ", "duration_s": "15",
        "bulletin_id": "", "media_id": "", "csrf_token": csrf})
    assert page.status_code == 200, page.text
    (item,) = _items(session, playlist)
    assert (item.kind, item.text, item.options, item.duration_s) == (
        ItemKind.QR, PORTAL, {"caption": "Góp ý, phản ánh với tỉnh"}, 15)
    assert f"{PORTAL} — Góp ý, phản ánh với tỉnh" in page.text


@pytest.mark.parametrize(("text", "caption", "said"), [
    ("ftp://gopy.quangngai.gov.vn/", "", "Mã QR cần một địa chỉ bắt đầu bằng http:// hoặc https://."),
    ("gopy.quangngai.gov.vn", "", "Mã QR cần một địa chỉ bắt đầu bằng http:// hoặc https://."),
    (PORTAL + "x" * 300, "",
     f"Địa chỉ quá dài để bảng hiển thị thành mã QR: tối đa {qr.max_url_chars()} ký tự."),
    (PORTAL, "x" * 81, "Chú thích của mã QR quá dài: tối đa 80 ký tự."),
])
def test_a_bad_address_or_caption_is_refused_in_vietnamese_and_nothing_stored(
    client, users, session, playlist, text, caption, said
) -> None:
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/items", data={
        "kind": "qr", "text": text, "caption": caption, "csrf_token": csrf})
    assert page.status_code == 422
    assert said in page.text
    assert _items(session, playlist) == []


def test_approving_a_schedule_that_shows_the_code_too_fine_is_refused_in_vietnamese(
    client, users, session, tree, playlist
) -> None:
    board = Board(name="Bảng chợ Tịnh Khê", unit_id=tree.commune_a, width=192, height=96)
    session.add_all([board, PlaylistItem(playlist_id=playlist.id, position=1, kind=ItemKind.QR, text=PORTAL)])
    playlist.state = ContentState.APPROVED
    session.commit()
    schedule = Schedule(name="Cả ngày", layout_id="fullscreen", target_kind=TargetKind.BOARD,
                        target_board_id=board.id, unit_id=tree.commune_a, state=ContentState.SUBMITTED,
                        submitted_by=users["editor_a"].id)
    session.add(schedule)
    session.flush()
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id or 0))
    session.commit()
    csrf = login(client, "approver-a")
    page = client.post(f"/panel/schedules/{schedule.id}/state",
                       data={"state": "approved", "csrf_token": csrf})
    assert page.status_code == 422
    assert ("Mã QR sẽ quá mịn để quét được trên bảng “Bảng chợ Tịnh Khê”: trong vùng “main” (192×96 px) "
            "mỗi ô của mã chỉ được 2 px, cần ít nhất 3 px.") in page.text
    session.refresh(schedule)
    assert schedule.state == ContentState.SUBMITTED
