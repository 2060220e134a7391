"""Remote care on the board page: the PC facts, the clock warning, restart, reboot only where the
player allows it, the log level, and a fetched log shown."""

from __future__ import annotations

from sqlmodel import select

from signage_server.health.care import OBJECT_TYPE
from signage_server.models import AuditEvent, BoardLogFetch, BoardStatus, utcnow
from tests.support.panel_client import csrf_of, login


def _status(session, board_id: int, **fields) -> None:
    now = utcnow()
    session.add(BoardStatus(board_id=board_id, last_seen_at=now, seen_since=now, changed_at=now, **fields))
    session.commit()


def test_board_page_shows_the_pc_and_warns_of_a_wrong_clock(client, users, session, make_board) -> None:
    board = make_board()
    _status(session, board.id, os_name="Linux 6.1 (x86_64)", temperature_c=58.5, free_disk_bytes=5 * 2**30,
            clock_offset_s=-600.0, log_level="INFO")
    login(client, "viewer-a")
    page = client.get(f"/panel/boards/{board.id}").text
    assert "Linux 6.1 (x86_64)" in page and "58.5 °C" in page and "5120 MB" in page
    assert "Đồng hồ của bảng lệch 10 phút" in page
    assert "Chăm sóc từ xa" not in page  # viewers do not care for boards


def test_operator_restarts_and_sets_the_log_level(client, users, session, make_board) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    page = client.post(f"/panel/boards/{board.id}/care", data={"csrf_token": csrf, "action": "restart"})
    assert page.status_code == 200 and "Đã gửi lệnh khởi động lại" in page.text
    csrf = csrf_of(page.text)
    page = client.post(f"/panel/boards/{board.id}/care",
                       data={"csrf_token": csrf, "action": "log_level", "level": "DEBUG"})
    assert "Đã gửi mức nhật ký mới" in page.text
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == OBJECT_TYPE)).all()
    assert sorted(actions) == ["log_level", "restart"]


def test_reboot_is_offered_only_where_the_player_allows_it(client, users, session, make_board) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    page = client.get(f"/panel/boards/{board.id}").text
    assert "Khởi động lại máy tính" not in page and "không cho phép khởi động lại máy từ xa" in page
    refused = client.post(f"/panel/boards/{board.id}/care", data={"csrf_token": csrf, "action": "reboot"})
    assert "việc này chỉ được bật trong tệp cấu hình" in refused.text
    _status(session, board.id, allow_reboot=True)
    page = client.get(f"/panel/boards/{board.id}").text
    assert "Khởi động lại máy tính" in page


def test_a_fetched_log_shows_on_the_board_page(client, users, session, make_board) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    page = client.post(f"/panel/boards/{board.id}/logs", data={"csrf_token": csrf, "lines": "50"})
    assert "Đã yêu cầu nhật ký" in page.text and "Đang chờ bảng gửi nhật ký" in page.text
    row = session.exec(select(BoardLogFetch).where(BoardLogFetch.board_id == board.id)).one()
    assert row.line_count == 50
    row.text, row.fulfilled_at = "INFO player: <started>\nWARNING player.net: slow link", utcnow()
    session.add(row)
    session.commit()
    page = client.get(f"/panel/boards/{board.id}").text
    assert "INFO player: &lt;started&gt;" in page and "slow link" in page
