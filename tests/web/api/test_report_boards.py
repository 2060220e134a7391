"""GET /api/v1/reports/boards and the reports page's board list: the report board by board,
searched, filtered by link state and unit, paged on the server like every other list."""

from __future__ import annotations

from signage_server.models import Board, BoardStatus, utcnow
from tests.support.panel_client import login

BOARDS = "/api/v1/reports/boards"


def _board(session, unit_id: int, name: str) -> Board:
    board = Board(name=name, unit_id=unit_id)
    session.add(board)
    session.commit()
    return board


def _boards(session, unit_id: int, n: int) -> list[Board]:
    return [_board(session, unit_id, f"Bảng {i:02d}") for i in range(n)]


def test_boards_are_paged_by_name(client, session, users, tree) -> None:
    _boards(session, tree.commune_a, 30)
    page = client.get(BOARDS, params={"unit_id": tree.province, "page": 2, "per_page": 25},
                      headers=users["admin"].headers).json()
    assert page["total"] == 30 and page["pages"] == 2 and page["page"] == 2
    assert [r["name"] for r in page["rows"]] == [f"Bảng {i:02d}" for i in range(25, 30)]
    assert page["rows"][0]["unit_name"] == "Xã An Bình" and page["rows"][0]["link"] == "never_seen"


def test_search_unit_and_link_state_filter_the_list(client, session, users, tree) -> None:
    seen = _board(session, tree.commune_a, "Bảng chợ")
    _board(session, tree.commune_a, "Bảng đình")
    _board(session, tree.commune_b, "Bảng chợ Bắc")
    now = utcnow()
    session.add(BoardStatus(board_id=seen.id, online=True, last_seen_at=now, seen_since=now, changed_at=now))
    session.commit()
    ask = {"unit_id": tree.province, "q": "chợ"}
    headers = users["admin"].headers
    assert [r["name"] for r in client.get(BOARDS, params=ask, headers=headers).json()["rows"]] == [
        "Bảng chợ", "Bảng chợ Bắc"]
    within = client.get(BOARDS, params={**ask, "within": tree.commune_b}, headers=headers).json()
    assert [r["name"] for r in within["rows"]] == ["Bảng chợ Bắc"]
    online = client.get(BOARDS, params={"unit_id": tree.province, "link": "online"}, headers=headers).json()
    assert [r["name"] for r in online["rows"]] == ["Bảng chợ"]


def test_a_unit_outside_the_scope_is_not_found(client, users, tree) -> None:
    answer = client.get(BOARDS, params={"unit_id": tree.commune_b}, headers=users["viewer_a"].headers)
    assert answer.status_code == 404
    answer = client.get(BOARDS, params={"unit_id": tree.commune_a, "within": tree.commune_b},
                        headers=users["viewer_a"].headers)
    assert answer.status_code == 404


def test_the_reports_page_pages_and_searches_its_boards(client, session, users, tree) -> None:
    _boards(session, tree.commune_a, 30)
    login(client, "admin")
    page = client.get("/panel/reports", params={"unit_id": tree.province, "page": 2})
    assert page.status_code == 200 and "Bảng 29" in page.text and "Bảng 03" not in page.text
    assert "Trang 2 / 2" in page.text or "2 / 2" in page.text
    found = client.get("/panel/reports", params={"unit_id": tree.province, "q": "Bảng 07"})
    assert "Bảng 07" in found.text and "Bảng 08" not in found.text
