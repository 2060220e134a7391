"""Panel pages that write: media upload, bulletins and their approval, pairing, playlists, schedules,
users. Each write goes through the same functions as the JSON API."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from PIL import Image
from sqlmodel import select

from signage_contract import device as wire
from signage_server.models import Bulletin, ContentState, Media, Playlist, PlaylistItem, Schedule, User
from tests.support.panel_client import csrf_of, login


def _png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_upload_stores_the_image_and_serves_its_thumbnail(client, users, session) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/media", files={"file": ("áp thấp.png", _png(), "image/png")},
                         data={"category": "incidents"}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 201, answer.text
    row = session.get(Media, answer.json()["id"])
    assert row is not None and row.title == "áp thấp" and row.width == 64
    thumb = client.get(answer.json()["thumbnail"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert "áp thấp" in client.get("/panel/media").text


def test_rejected_upload_says_why_in_vietnamese_with_the_apis_code(client, users) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/media", files={"file": ("notes.txt", b"just text", "text/plain")},
                         headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 415
    said = "Loại tệp này không được chấp nhận; hãy tải lên ảnh JPEG, PNG hoặc WebP."
    assert answer.json()["detail"] == said
    assert answer.json()["code"] == "media.unsupported_type"


def test_approver_approves_an_image_from_the_library(client, users, session, tree) -> None:
    row = Media(unit_id=tree.commune_a, sha256="0" * 64, size=10, content_type="image/png", width=4, height=4,
                title="Bản đồ ngập", state=ContentState.SUBMITTED)
    session.add(row)
    session.commit()
    csrf = login(client, "approver-a")
    client.post(f"/panel/media/{row.id}/state", data={"state": "approved", "csrf_token": csrf})
    session.refresh(row)
    assert row.state == ContentState.APPROVED


def test_viewer_cannot_upload(client, users) -> None:
    csrf = login(client, "viewer-a")
    answer = client.post("/panel/media", files={"file": ("a.png", _png(), "image/png")},
                         headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 403


def test_editor_submits_and_approver_approves(client, users, session) -> None:
    csrf = login(client, "editor-a")
    editor_page = client.post("/panel/bulletins", data={
        "title": "Lịch cắt điện", "body": "Thứ Bảy, 8 giờ đến 11 giờ.", "category": "socio_economic",
        "csrf_token": csrf})
    bulletin = session.exec(select(Bulletin).where(Bulletin.title == "Lịch cắt điện")).one()
    client.post(f"/panel/bulletins/{bulletin.id}/state", data={"state": "submitted", "csrf_token": csrf_of(
        editor_page.text)})
    client.cookies.clear()
    csrf = login(client, "approver-a")
    client.post(f"/panel/bulletins/{bulletin.id}/state", data={"state": "approved", "csrf_token": csrf})
    session.refresh(bulletin)
    assert bulletin.state == ContentState.APPROVED


def test_refused_transition_shows_the_api_message(client, users, session, tree) -> None:
    row = Bulletin(title="Bản nháp", unit_id=tree.commune_a)
    session.add(row)
    session.commit()
    csrf = login(client, "approver-a")
    answer = client.post(f"/panel/bulletins/{row.id}/state", data={"state": "approved", "csrf_token": csrf})
    assert answer.status_code == 422 and "không thể chuyển sang" in answer.text


def test_invalid_bulletin_keeps_the_draft_and_says_why(client, users) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/bulletins", data={"title": "   ", "body": "Nội dung giữ lại",
                                                   "csrf_token": csrf})
    assert answer.status_code == 422
    assert "title" in answer.text and "Nội dung giữ lại" in answer.text


def test_operator_pairs_a_player_by_its_code(client, users, make_board) -> None:
    board = make_board()
    ticket = client.post(wire.PAIRING_START, json={"hardware_id": "mini-pc-3"}).json()
    csrf = login(client, "operator-a")
    answer = client.post(f"/panel/boards/{board.id}/pairing",
                         data={"code": ticket["code"].lower(), "csrf_token": csrf})
    assert answer.status_code == 200 and "mini-pc-3" in answer.text


def test_unknown_pairing_code_says_why(client, users, make_board) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    answer = client.post(f"/panel/boards/{board.id}/pairing", data={"code": "ACDEFH", "csrf_token": csrf})
    assert answer.status_code == 422 and "Không có thiết bị phát nào hiển thị mã ACDEFH" in answer.text


def test_editor_gets_no_pairing_form(client, users, make_board) -> None:
    board = make_board()
    login(client, "editor-a")
    assert "/pairing" not in client.get(f"/panel/boards/{board.id}").text


def _playlist_with_items(session, tree, count: int) -> Playlist:
    playlist = Playlist(name="Buổi sáng", unit_id=tree.commune_a)
    session.add(playlist)
    session.commit()
    for n in range(count):
        session.add(PlaylistItem(playlist_id=playlist.id, position=n + 1, kind="ticker", text=f"Tin {n}"))
    session.commit()
    return playlist


def _order(session, playlist_id: int) -> list[str]:
    session.expire_all()
    rows = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist_id)
                        .order_by(PlaylistItem.position)).all()
    return [r.text for r in rows]


def test_moving_an_item_up_reorders_the_playlist(client, users, session, tree) -> None:
    playlist = _playlist_with_items(session, tree, 3)
    last = _order(session, playlist.id)
    item = session.exec(select(PlaylistItem).where(PlaylistItem.text == last[2])).one()
    csrf = login(client, "editor-a")
    client.post(f"/panel/playlists/{playlist.id}/items/{item.id}/move", data={"direction": "up",
                                                                              "csrf_token": csrf})
    assert _order(session, playlist.id) == ["Tin 0", "Tin 2", "Tin 1"]


def test_setting_a_duration_updates_the_item(client, users, session, tree) -> None:
    playlist = _playlist_with_items(session, tree, 1)
    item = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)).one()
    csrf = login(client, "editor-a")
    client.post(f"/panel/playlists/{playlist.id}/items/{item.id}/duration",
                data={"duration_s": "25", "csrf_token": csrf})
    session.refresh(item)
    assert item.duration_s == 25


def test_a_bulletin_items_duration_may_be_fixed_or_follow_its_pages(client, users, session, tree) -> None:
    playlist = _playlist_with_items(session, tree, 0)
    bulletin = Bulletin(title="Lịch tiếp công dân", unit_id=tree.commune_a)
    session.add(bulletin)
    session.commit()
    item = PlaylistItem(playlist_id=playlist.id, position=1, kind="bulletin", bulletin_id=bulletin.id,
                        options={"align": "center"})
    session.add(item)
    session.commit()
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/items/{item.id}/duration",
                       data={"duration_s": "30", "fixed": "true", "csrf_token": csrf})
    assert "Cố định (các trang chia nhau)" in page.text
    session.refresh(item)
    assert item.duration_s == 30 and item.options == {"align": "center", "duration_fixed": True}
    client.post(f"/panel/playlists/{playlist.id}/items/{item.id}/duration",
                data={"duration_s": "30", "csrf_token": csrf})
    session.refresh(item)
    assert item.options == {"align": "center", "duration_fixed": False}


def test_adding_a_bulletin_item(client, users, session, tree) -> None:
    playlist = _playlist_with_items(session, tree, 0)
    bulletin = Bulletin(title="Phòng chống bão", unit_id=tree.commune_a)
    session.add(bulletin)
    session.commit()
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/items", data={
        "kind": "bulletin", "bulletin_id": str(bulletin.id), "duration_s": "15", "csrf_token": csrf})
    assert page.status_code == 200 and "Phòng chống bão" in page.text
    assert session.exec(select(PlaylistItem).where(PlaylistItem.bulletin_id == bulletin.id)).one()


def test_schedule_form_targets_a_commune(client, users, session, tree, layout) -> None:
    playlist = _playlist_with_items(session, tree, 1)
    csrf = login(client, "editor-a")
    page = client.post("/panel/schedules", data={
        "name": "Giờ hành chính", "layout_id": layout.id, "region:main": str(playlist.id),
        "target_kind": "unit", "target_unit_id": str(tree.commune_a), "target_board_id": "",
        "weekdays": ["0", "1", "2"], "daily_start": "07:00", "daily_end": "17:00", "priority": "0",
        "csrf_token": csrf})
    assert page.status_code == 200, page.text
    row = session.exec(select(Schedule).where(Schedule.name == "Giờ hành chính")).one()
    assert row.target_unit_id == tree.commune_a and row.weekdays == [0, 1, 2]


def test_schedule_form_sets_the_programme_fields(client, users, session, tree, layout) -> None:
    """Issue 12: weight, priority interval and exclusive are set in the form; an exclusive one is
    marked in the list."""
    playlist = _playlist_with_items(session, tree, 1)
    csrf = login(client, "editor-a")
    page = client.post("/panel/schedules", data={
        "name": "Quốc tang", "layout_id": layout.id, "region:main": str(playlist.id),
        "target_kind": "unit", "target_unit_id": str(tree.commune_a), "weight": "3",
        "priority_every_min": "5", "exclusive": "1", "csrf_token": csrf})
    assert page.status_code == 200, page.text
    row = session.exec(select(Schedule).where(Schedule.name == "Quốc tang")).one()
    assert (row.weight, row.priority_every_min, row.exclusive) == (3, 5, True)
    assert "độc quyền, tắt:" in page.text
    plain = client.post("/panel/schedules", data={
        "name": "Thường", "layout_id": layout.id, "region:main": str(playlist.id), "target_kind": "unit",
        "target_unit_id": str(tree.commune_a), "csrf_token": csrf})
    assert plain.status_code == 200
    row = session.exec(select(Schedule).where(Schedule.name == "Thường")).one()
    assert (row.weight, row.priority_every_min, row.exclusive) == (1, 10, False)


def test_schedule_form_error_comes_from_the_api(client, users, session, tree, layout) -> None:
    csrf = login(client, "editor-a")
    page = client.post("/panel/schedules", data={
        "name": "Thiếu vùng", "layout_id": layout.id, "target_kind": "unit",
        "target_unit_id": str(tree.commune_a), "csrf_token": csrf})
    assert page.status_code == 422 and "regions" in page.text


def test_board_week_shows_an_approved_schedule(client, users, session, tree, layout, make_board) -> None:
    board = make_board()
    playlist = _playlist_with_items(session, tree, 1)
    playlist.state = ContentState.APPROVED
    schedule = Schedule(name="Cả tuần", layout_id=layout.id, target_kind="unit",
                        target_unit_id=tree.commune_a, unit_id=tree.commune_a, state=ContentState.APPROVED)
    session.add_all([playlist, schedule])
    session.commit()
    from signage_server.models import ScheduleRegion
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
    session.commit()
    login(client, "viewer-a")
    week = client.get(f"/panel/boards/{board.id}/week").text
    assert week.count("Cả tuần") >= 7
    detail = client.get(f"/panel/boards/{board.id}").text
    assert "Cả tuần" in detail and "Tin 0" in detail
    assert "Cả tuần 100 %" in detail  # the airtime plan: it has every hour to itself
    unit_week = client.get(f"/panel/schedules/week?unit_id={tree.commune_a}").text
    assert "Cả tuần" in unit_week


def test_users_page_is_for_admins(client, users) -> None:
    login(client, "editor-a")
    assert client.get("/panel/users").status_code == 403


def test_admin_creates_a_user_in_scope(client, users, session, tree) -> None:
    csrf = login(client, "admin-a")
    page = client.post("/panel/users", data={
        "username": "bien-tap-2", "password": "mật khẩu đủ dài 123", "role": "editor",
        "unit_id": str(tree.commune_a), "full_name": "Nguyễn Thị Hoa", "csrf_token": csrf})
    assert page.status_code == 200 and "Nguyễn Thị Hoa" in page.text
    assert session.exec(select(User).where(User.username == "bien-tap-2")).one().unit_id == tree.commune_a


def test_a_weak_password_is_explained_in_the_readers_language(client, users, tree) -> None:
    csrf = login(client, "admin-a")
    form = {"username": "bien-tap-3", "password": "qwertyqwerty", "role": "editor",
            "unit_id": str(tree.commune_a), "csrf_token": csrf}
    page = client.post("/panel/users", data=form)
    assert page.status_code == 422 and "mật khẩu: quá dễ đoán. Lặp lại như" in page.text
    client.get("/panel/language/en?next=/panel/users")
    assert "password: too easy to guess. Repeats like" in client.post("/panel/users", data=form).text


def test_admin_of_commune_cannot_create_users_elsewhere(client, users, tree) -> None:
    csrf = login(client, "admin-a")
    page = client.post("/panel/users", data={
        "username": "ngoai-pham-vi", "password": "mật khẩu đủ dài 123", "role": "editor",
        "unit_id": str(tree.commune_b), "csrf_token": csrf})
    assert page.status_code == 422 and "Đơn vị này không tồn tại hoặc nằm ngoài phạm vi của bạn." in page.text


def test_board_page_shows_health_and_uptime(client, users, make_board) -> None:
    board = make_board()
    login(client, "viewer-a")
    page = client.get(f"/panel/boards/{board.id}").text
    assert "chưa kết nối lần nào" in page and "Thời gian hoạt động, 7 ngày qua" in page
    assert "Chụp màn hình ngay" not in page  # viewers do not ask boards for screenshots


def test_operator_asks_a_board_for_a_screenshot(client, users, session, make_board) -> None:
    from signage_server.models import ScreenshotRequestRow

    board = make_board()
    csrf = login(client, "operator-a")
    page = client.post(f"/panel/boards/{board.id}/screenshot", data={"csrf_token": csrf})
    assert page.status_code == 200 and "Đã yêu cầu chụp màn hình" in page.text
    assert session.exec(select(ScreenshotRequestRow).where(ScreenshotRequestRow.board_id == board.id)).one()


def test_lists_mark_expired_bulletins_and_images(client, users, session, tree) -> None:
    over = datetime(2026, 11, 25, 17, tzinfo=UTC)
    session.add(Bulletin(title="Lịch cắt điện ngày 25/11", unit_id=tree.commune_a, valid_until=over))
    session.add(Bulletin(title="Tiêm vắc-xin", unit_id=tree.commune_a))
    session.add(Media(unit_id=tree.commune_a, sha256="a" * 64, size=1, content_type="image/png", width=1,
                      height=1, title="Áp phích cũ", valid_until=over))
    session.commit()
    login(client, "editor-a")
    rows = client.get("/panel/bulletins").text.split("<tr")
    marked = [row for row in rows if "hết hạn" in row]
    assert len(marked) == 1 and "Lịch cắt điện ngày 25/11" in marked[0]
    assert "hết hạn" in client.get("/panel/media").text


def test_a_bulletin_item_may_scroll_instead_of_paging(client, users, session, tree) -> None:
    playlist = _playlist_with_items(session, tree, 0)
    bulletin = Bulletin(title="Lịch tiếp công dân", unit_id=tree.commune_a)
    session.add(bulletin)
    session.commit()
    csrf = login(client, "editor-a")
    client.post(f"/panel/playlists/{playlist.id}/items", data={
        "kind": "bulletin", "bulletin_id": str(bulletin.id), "flow": "scroll", "csrf_token": csrf})
    item = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)).one()
    assert item.options == {"flow": "scroll"}
    page = client.get(f"/panel/playlists/{playlist.id}")
    assert '<option value="scroll" selected>Cuộn lên</option>' in page.text
    client.post(f"/panel/playlists/{playlist.id}/items/{item.id}/duration",
                data={"duration_s": "10", "flow": "pages", "csrf_token": csrf})
    session.refresh(item)
    assert item.options == {"flow": "pages", "duration_fixed": False}
