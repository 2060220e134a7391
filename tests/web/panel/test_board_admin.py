"""Panel board management: create, edit, re-pair and revoke, each scope-checked, audited and
answered in Vietnamese."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from signage_contract import device as wire
from signage_server.models import AuditEvent, Board, DeviceCredential, PairingTicket, utcnow
from tests.support.panel_client import csrf_of, login

BOARD_FORM = {
    "name": "Bảng chợ Đồng Xuân", "kind": "public", "width": "768", "height": "384",
    "orientation": "landscape", "capture_x": "0", "capture_y": "0", "capture_w": "", "capture_h": "",
    "address": "Số 1 phố Hàng Chiếu", "latitude": "21.038", "longitude": "105.849",
    "tags": "chợ, quảng trường",
}


def _audit(session, action: str, board_id: int) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_type == "board",
        AuditEvent.object_id == str(board_id))).all())


def test_admin_creates_a_board_with_size_capture_tags_and_place(client, users, tree, session) -> None:
    csrf = login(client, "admin-a")
    form = client.get("/panel/boards/new")
    assert form.status_code == 200 and "Bảng mới" in form.text
    answer = client.post("/panel/boards/new", data={**BOARD_FORM, "unit_id": str(tree.commune_a),
                                                    "capture_w": "640", "capture_h": "320",
                                                    "csrf_token": csrf})
    assert answer.status_code == 200 and "Đã tạo bảng." in answer.text
    board = session.exec(select(Board).where(Board.name == "Bảng chợ Đồng Xuân")).one()
    assert (board.width, board.height, board.capture_w, board.capture_h) == (768, 384, 640, 320)
    assert board.tags == ["chợ", "quảng trường"] and board.latitude == 21.038
    assert board.address == "Số 1 phố Hàng Chiếu" and board.unit_id == tree.commune_a
    assert board.id is not None and len(_audit(session, "create", board.id)) == 1


def test_a_capture_rectangle_outside_the_resolution_is_refused_in_vietnamese(client, users, tree,
                                                                            session) -> None:
    csrf = login(client, "admin-a")
    answer = client.post("/panel/boards/new", data={**BOARD_FORM, "unit_id": str(tree.commune_a),
                                                    "capture_x": "700", "capture_w": "200",
                                                    "csrf_token": csrf})
    assert answer.status_code == 422
    assert "Vùng chụp phải nằm trong độ phân giải của bảng." in answer.text
    assert 'value="Bảng chợ Đồng Xuân"' in answer.text  # the form keeps what was typed
    assert session.exec(select(Board)).all() == []


def test_a_number_field_with_letters_names_the_field_in_vietnamese(client, users, tree) -> None:
    csrf = login(client, "admin-a")
    answer = client.post("/panel/boards/new", data={**BOARD_FORM, "unit_id": str(tree.commune_a),
                                                    "width": "rộng", "csrf_token": csrf})
    assert answer.status_code == 422 and "Chiều rộng: phải là số nguyên" in answer.text


def test_a_board_cannot_be_created_in_a_unit_outside_the_admins_area(client, users, tree, session) -> None:
    csrf = login(client, "admin-a")
    answer = client.post("/panel/boards/new", data={**BOARD_FORM, "unit_id": str(tree.commune_b),
                                                    "csrf_token": csrf})
    assert answer.status_code == 422 and "nằm ngoài phạm vi của bạn" in answer.text
    assert session.exec(select(Board)).all() == []


def test_an_editor_sees_no_new_board_link_and_may_not_create(client, users, tree, session) -> None:
    csrf = login(client, "editor-a")
    assert "/panel/boards/new" not in client.get("/panel/boards").text
    answer = client.post("/panel/boards/new", data={**BOARD_FORM, "unit_id": str(tree.commune_a),
                                                    "csrf_token": csrf})
    assert answer.status_code == 422 and "Vai trò của bạn không cho phép" in answer.text
    assert session.exec(select(Board)).all() == []


def test_an_operator_edits_size_capture_tags_and_coordinates(client, users, make_board, session) -> None:
    board = make_board(tags=["cũ"])
    csrf = login(client, "operator-a")
    form = client.get(f"/panel/boards/{board.id}/edit")
    assert form.status_code == 200 and f'value="{board.name}"' in form.text
    answer = client.post(f"/panel/boards/{board.id}/edit", data={
        **BOARD_FORM, "unit_id": str(board.unit_id), "width": "512", "height": "384",
        "capture_x": "0", "capture_y": "0", "capture_w": "512", "capture_h": "256", "tags": "mới",
        "csrf_token": csrf})
    assert answer.status_code == 200 and "Đã lưu bảng." in answer.text
    session.refresh(board)
    assert (board.width, board.height, board.capture_h, board.tags) == (512, 384, 256, ["mới"])
    assert board.longitude == 105.849 and board.name == "Bảng chợ Đồng Xuân"
    [event] = _audit(session, "update", board.id)
    assert event.before is not None and event.before["tags"] == ["cũ"]


def test_a_board_outside_the_area_cannot_be_edited(client, users, tree, make_board) -> None:
    other = make_board(unit_id=tree.commune_b)
    csrf = login(client, "operator-a")
    assert client.get(f"/panel/boards/{other.id}/edit").status_code == 404
    answer = client.post(f"/panel/boards/{other.id}/edit", data={**BOARD_FORM, "unit_id": str(tree.commune_b),
                                                                "csrf_token": csrf})
    assert answer.status_code == 404


def _credential(session, board_id: int, token: str) -> DeviceCredential:
    row = DeviceCredential(board_id=board_id, token_hash=token * 16, hardware_id=f"pc-{token}",
                           created_at=utcnow() - timedelta(days=3))
    session.add(row)
    session.commit()
    return row


def test_revoking_needs_the_confirmation_then_revokes_every_player(client, users, make_board,
                                                                   session) -> None:
    board = make_board()
    first, second = _credential(session, board.id, "a"), _credential(session, board.id, "b")
    login(client, "operator-a")
    page = client.get(f"/panel/boards/{board.id}/devices")
    assert "Số thiết bị phát đang ghép với bảng này: 2." in page.text
    csrf = csrf_of(page.text)
    unconfirmed = client.post(f"/panel/boards/{board.id}/revoke", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 422 and "Hãy đánh dấu ô xác nhận." in unconfirmed.text
    session.refresh(first)
    assert first.revoked_at is None
    done = client.post(f"/panel/boards/{board.id}/revoke", data={"csrf_token": csrf, "confirm": "yes"})
    assert done.status_code == 200 and "Đã thu hồi các thiết bị phát của bảng" in done.text
    session.refresh(first)
    session.refresh(second)
    assert first.revoked_at is not None and second.revoked_at is not None
    assert len(_audit(session, "revoke_devices", board.id)) == 1


def test_repairing_claims_the_new_code_and_revokes_only_the_old_players(client, users, make_board,
                                                                        session) -> None:
    board = make_board()
    old = _credential(session, board.id, "c")
    session.add(PairingTicket(id="t-new", code="ACDEFH", secret_hash="x", hardware_id="new-pc",
                              expires_at=utcnow() + timedelta(hours=1)))
    session.commit()
    csrf = login(client, "operator-a")
    wrong = client.post(f"/panel/boards/{board.id}/repair",
                        data={"csrf_token": csrf, "confirm": "yes", "code": "XXXXXX"})
    assert wrong.status_code == 422 and "Không có thiết bị phát nào hiển thị mã XXXXXX" in wrong.text
    session.refresh(old)
    assert old.revoked_at is None  # a mistyped code leaves the board as it was
    done = client.post(f"/panel/boards/{board.id}/repair",
                       data={"csrf_token": csrf, "confirm": "yes", "code": "acd efh"})
    assert done.status_code == 200 and "Đã ghép bảng với thiết bị phát mới" in done.text
    session.refresh(old)
    ticket = session.get(PairingTicket, "t-new")
    assert old.revoked_at is not None and ticket is not None and ticket.claimed_board_id == board.id
    assert [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.object_type == "board")
                                            .order_by(col(AuditEvent.id)))] == ["pair", "revoke_devices"]


def test_a_badly_formed_pairing_code_is_explained_in_vietnamese(client, users, make_board) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    answer = client.post(f"/panel/boards/{board.id}/repair",
                         data={"csrf_token": csrf, "confirm": "yes", "code": "12"})
    assert answer.status_code == 422 and "Mã ghép nối gồm 6 chữ cái hoặc chữ số" in answer.text


def test_the_board_page_names_its_unit_and_offers_edit_to_operators_only(client, users, make_board) -> None:
    board = make_board()
    login(client, "viewer-a")
    page = client.get(f"/panel/boards/{board.id}")
    assert f"/panel/boards/{board.id}/edit" not in page.text and "Xã An Bình" in page.text
    client.cookies.clear()
    login(client, "operator-a")
    assert f"/panel/boards/{board.id}/edit" in client.get(f"/panel/boards/{board.id}").text


def test_a_player_answered_from_memory_is_refused_once_the_panel_revokes_it(client, users, make_board,
                                                                            session) -> None:
    """Unchanged polls are answered from each instance's memory; revoking from the panel must
    reach that memory too, or the revoked player would go on getting 304s."""
    board = make_board()
    start = client.post(wire.PAIRING_START, json={"hardware_id": "pc-memory", "screen_width": 384})
    ticket = wire.PairingTicket.model_validate(start.json())
    row = session.get(PairingTicket, ticket.ticket_id)
    row.claimed_board_id = board.id
    session.add(row)
    session.commit()
    poll = client.get(wire.PAIRING_POLL.format(ticket_id=ticket.ticket_id),
                      headers={"X-Pairing-Secret": ticket.secret})
    token = wire.PairingStatus.model_validate(poll.json()).credential.token
    auth = {"Authorization": f"Bearer {token}"}
    etag = client.get(wire.DEVICE_MANIFEST, headers=auth).headers["ETag"]
    assert client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": etag}).status_code == 304
    csrf = login(client, "operator-a")
    done = client.post(f"/panel/boards/{board.id}/revoke", data={"csrf_token": csrf, "confirm": "yes"})
    assert done.status_code == 200
    assert client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": etag}).status_code == 401
