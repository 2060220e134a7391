"""Panel pages of a requisitioned board: the windows set by the unit's approvers with the day's
proof per window, the owner's page (their slides only, nothing else), and owner accounts made by
an admin with their board."""

from __future__ import annotations

import pytest
from sqlmodel import select

from signage_server.models import BoardKind, Role, User
from tests.support.factories import TEST_PASSWORD
from tests.support.panel_client import login

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def shop(make_board, tree):
    return make_board(tree.commune_a, kind=BoardKind.COMMERCIAL)


@SQLITE_ONLY
def test_an_approver_sets_the_windows_and_reads_the_days_proof(client, users, shop) -> None:
    csrf = login(client, "approver-a")
    assert "Khung giờ trưng dụng" in client.get(f"/panel/boards/{shop.id}").text
    added = client.post(f"/panel/boards/{shop.id}/requisition", data={
        "daily_start": "06:00", "daily_end": "22:00", "every_min": "60", "length_min": "5",
        "csrf_token": csrf})
    assert added.status_code == 200 and "Đã thêm khung giờ trưng dụng." in added.text
    assert "5 phút mỗi 60 phút" in added.text and "06:00–22:00" in added.text
    assert "Đã tuân thủ" in added.text and "Ngoài các khung giờ" in added.text
    wrong = client.post(f"/panel/boards/{shop.id}/requisition", data={
        "every_min": "5", "length_min": "60", "csrf_token": csrf})
    assert wrong.status_code == 422


@SQLITE_ONLY
def test_an_admin_makes_an_owner_account_for_a_requisitioned_board(client, users, shop, session) -> None:
    csrf = login(client, "admin-a")
    assert shop.name in client.get("/panel/users").text
    client.post("/panel/users", data={
        "username": "chu-bang", "full_name": "Cửa hàng Minh Anh", "role": "owner",
        "unit_id": str(shop.unit_id), "board_id": str(shop.id), "password": TEST_PASSWORD + " minh anh",
        "csrf_token": csrf})
    owner = session.exec(select(User).where(User.username == "chu-bang")).one()
    assert owner.role == Role.OWNER and owner.board_id == shop.id


@SQLITE_ONLY
def test_the_owner_lands_on_their_board_adds_and_removes_slides_and_sees_nothing_else(
    client, users, shop, session, password_hash
) -> None:
    session.add(User(username="chu-bang", role=Role.OWNER, unit_id=shop.unit_id, board_id=shop.id,
                     password_hash=password_hash))
    session.commit()
    csrf = login(client, "chu-bang")
    home = client.get("/panel/dashboard")
    assert home.url.path == "/panel/owner" and "Bảng của tôi" in home.text
    assert "Đăng tin" not in home.text and "Danh sách phát</a>" not in home.text
    added = client.post("/panel/owner/slides", data={"title": "Khuyến mãi cuối tuần", "body": "Giảm 20%",
                                                     "duration_s": "8", "csrf_token": csrf})
    assert "Đã thêm trang" in added.text and "Khuyến mãi cuối tuần" in added.text
    item_id = added.text.split("/panel/owner/slides/")[1].split("/")[0]
    assert client.get(f"/panel/boards/{shop.id}").status_code == 404
    assert client.get(f"/panel/boards/{shop.id}/requisition").status_code == 404
    assert "Khuyến mãi cuối tuần" not in client.get("/panel/playlists").text
    removed = client.post(f"/panel/owner/slides/{item_id}/remove", data={"csrf_token": csrf})
    assert "Đã xóa trang." in removed.text and "Chưa có trang nào." in removed.text
