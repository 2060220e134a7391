"""The panel's screen on/off and brightness page of a board and of a unit: in Vietnamese, set by
admins and approvers, refused in words, inherited down the unit tree."""

from __future__ import annotations

from sqlmodel import select

from signage_server.devices.power import effective_for_boards
from signage_server.models import Board, PowerScheduleRow
from tests.support.panel_client import csrf_of, login

NIGHT_FORM = {
    "off-0-start": "22:00", "off-0-end": "05:30", "off-0-days": ["0", "1", "2", "3", "4", "5", "6"],
    "dim-0-start": "19:00", "dim-0-end": "06:00", "dim-0-level": "30",
    "dim-0-days": ["0", "1", "2", "3", "4"],
}


def test_approver_sets_a_unit_schedule_that_its_boards_inherit(client, users, tree, make_board, session):
    board = make_board(tree.commune_a)
    csrf = login(client, "approver-a")
    page = client.get(f"/panel/power/unit/{tree.commune_a}")
    assert page.status_code == 200
    assert "Lịch bật/tắt và độ sáng màn hình" in page.text and "giờ địa phương" in page.text
    saved = client.post(f"/panel/power/unit/{tree.commune_a}", data={**NIGHT_FORM, "csrf_token": csrf})
    assert saved.status_code == 200 and "Đã lưu." in saved.text
    assert 'value="22:00"' in saved.text and 'value="30"' in saved.text
    schedule = effective_for_boards(session, [session.get(Board, board.id)])[board.id]
    assert schedule is not None and schedule.dim[0].days == [0, 1, 2, 3, 4]
    board_page = client.get(f"/panel/power/board/{board.id}")
    assert "Chưa có lịch riêng: đang theo lịch của Xã An Bình." in board_page.text
    login(client, "editor-a")  # an editor reads it without a form
    page = client.get(f"/panel/power/board/{board.id}")
    assert page.status_code == 200 and "<form method=\"post\" action=\"/panel/power" not in page.text
    assert client.get(f"/panel/power/unit/{tree.commune_b}").status_code == 404


def test_a_board_schedule_is_refused_in_vietnamese_then_saved_and_removed(client, users, tree, make_board,
                                                                          session):
    board = make_board(tree.commune_a)
    csrf = login(client, "admin-a")
    answer = client.post(f"/panel/power/unit/{tree.commune_a}",
                         data={"off-0-start": "22:00", "off-0-end": "22:00", "off-0-days": ["0"],
                               "csrf_token": csrf})
    assert answer.status_code == 422
    assert "Tắt màn hình: giờ kết thúc của một khung giờ phải khác giờ bắt đầu." in answer.text
    answer = client.post(f"/panel/power/unit/{tree.commune_a}",
                         data={"dim-0-start": "19:00", "dim-0-end": "", "dim-0-level": "30",
                               "csrf_token": csrf})
    assert answer.status_code == 422 and "cần đủ giờ bắt đầu và kết thúc" in answer.text
    assert session.exec(select(PowerScheduleRow)).first() is None
    client.post(f"/panel/power/board/{board.id}", data={**NIGHT_FORM, "csrf_token": csrf})
    page = client.get(f"/panel/power/board/{board.id}")
    assert "Xóa lịch này" in page.text
    client.post(f"/panel/power/board/{board.id}", data={"remove": "1", "csrf_token": csrf_of(page.text)})
    session.expire_all()
    assert session.exec(select(PowerScheduleRow)).first() is None
