"""Panel emergency page: issue (create, confirm step), live status fragment, cancel, roles, CSRF,
escaping, scope, and readable text on every risk colour."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from signage_contract import RISK_COLORS
from signage_server.models import Override, OverrideReceipt, OverrideState, utcnow
from signage_server.web.panel.routes.emergency import contrast, text_colour
from tests.support.panel_client import login
from tests.support.paths import REPOSITORY

CSS = REPOSITORY / "signage_server/web/panel/static/panel.css"


def _prepare(client, csrf: str, **fields):
    data = {"csrf_token": csrf, "title": "Bão số 13 đổ bộ", "body": "Ở trong nhà", "risk_level": "4",
            "target": "all", "expiry_hours": "6", **fields}
    return client.post("/panel/emergency", data=data)


def _override_id(html: str) -> int:
    found = re.search(r'action="/panel/emergency/(\d+)/confirm"', html)
    assert found, html
    return int(found[1])


def test_the_confirm_step_says_how_many_pages_the_text_takes_on_the_smallest_board(client, users,
                                                                                   make_board) -> None:
    make_board(width=384, height=192)
    make_board()
    long_body = " ".join(["Người dân ven suối sơ tán ngay đến nhà văn hóa bản, không qua ngầm, tràn."] * 4)
    page = _prepare(client, login(client, "operator-a"), body=long_body)
    found = re.search(r"hiển thị thành (\d+) trang luân phiên trên bảng 384x192", page.text)
    assert found and int(found[1]) > 1, page.text


def test_create_shows_the_boards_it_would_take_over(client, users, make_board, session) -> None:
    first, second = make_board(), make_board()
    page = _prepare(client, login(client, "operator-a"))
    assert page.status_code == 200 and "Sẽ tiếp quản 2 bảng" in page.text
    assert f"<li>{first.name}</li>" in page.text and f"<li>{second.name}</li>" in page.text
    assert "Xác nhận phát khẩn cấp" in page.text
    row = session.get(Override, _override_id(page.text))
    assert row.state is OverrideState.PENDING_CONFIRMATION


def test_confirm_makes_it_active_and_status_lists_the_board(client, users, make_board, session) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    override_id = _override_id(_prepare(client, csrf).text)
    detail = client.post(f"/panel/emergency/{override_id}/confirm", data={"csrf_token": csrf})
    assert detail.status_code == 200 and 'hx-trigger="every 2s"' in detail.text
    session.expire_all()
    assert session.get(Override, override_id).state is OverrideState.ACTIVE
    fragment = client.get(f"/panel/emergency/{override_id}/status")
    assert fragment.status_code == 200 and board.name in fragment.text
    assert f"/panel/boards/{board.id}" in fragment.text and "<html" not in fragment.text


def test_cancel_ends_the_override(client, users, make_board, session) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _override_id(_prepare(client, csrf).text)
    client.post(f"/panel/emergency/{override_id}/confirm", data={"csrf_token": csrf})
    listing = client.post(f"/panel/emergency/{override_id}/cancel", data={"csrf_token": csrf})
    assert listing.status_code == 200 and "Không có tin khẩn cấp nào đang hiệu lực." in listing.text
    session.expire_all()
    assert session.get(Override, override_id).state is OverrideState.CANCELLED
    assert 'hx-trigger="every 2s"' not in client.get(f"/panel/emergency/{override_id}").text


@pytest.mark.parametrize(("user", "listed"), [("operator-a", True), ("admin-a", True), ("editor-a", False),
                                              ("viewer-a", False)])
def test_menu_entry_only_for_operators_and_admins(client, users, user, listed) -> None:
    login(client, user)
    assert ('href="/panel/emergency"' in client.get("/panel/boards").text) is listed


def test_editor_is_refused(client, users, make_board) -> None:
    make_board()
    csrf = login(client, "editor-a")
    assert client.get("/panel/emergency").status_code == 403
    assert _prepare(client, csrf).status_code == 403


def test_post_without_csrf_is_refused(client, users, make_board, session) -> None:
    make_board()
    login(client, "operator-a")
    answer = client.post("/panel/emergency", data={"title": "x", "risk_level": "3", "target": "all",
                                                   "expiry_hours": "6"})
    assert answer.status_code == 403 and session.exec(select(Override)).all() == []


def test_title_with_markup_is_escaped(client, users, make_board) -> None:
    make_board()
    page = _prepare(client, login(client, "operator-a"), title="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


def test_operator_cannot_target_another_communes_board(client, users, make_board, tree) -> None:
    other = make_board(unit_id=tree.commune_b)
    page = _prepare(client, login(client, "operator-a"), target="boards", board_ids=[str(other.id)])
    assert page.status_code == 422 and "Bảng này không tồn tại hoặc nằm ngoài phạm vi của bạn." in page.text


def test_form_offers_each_risk_level_in_words_with_its_colour_as_a_hint(client, users) -> None:
    login(client, "operator-a")
    page = client.get("/panel/emergency")
    words = [(1, "rủi ro thiên tai nhỏ", "xanh dương nhạt"),
             (2, "rủi ro thiên tai trung bình", "vàng nhạt"),
             (3, "rủi ro thiên tai lớn", "da cam"), (4, "rủi ro thiên tai rất lớn", "đỏ"),
             (5, "thảm họa", "tím")]
    for level, meaning, colour in words:
        assert f'class="risk risk-{level}"' in page.text
        assert f"Cấp độ {level}: {meaning} (màu {colour})" in page.text


@pytest.mark.parametrize("level", sorted(RISK_COLORS))
def test_text_on_each_risk_colour_meets_wcag_aa(level: int) -> None:
    back = RISK_COLORS[level]
    fore = text_colour(back)
    assert contrast(fore, back) >= 4.5
    assert f".risk-{level} {{ background: {back}; color: {fore}; }}" in CSS.read_text()


def test_a_takeover_of_many_boards_is_counted_per_unit_not_named(client, users, make_board, tree) -> None:
    for _ in range(25):
        make_board()
    for _ in range(12):
        make_board(unit_id=tree.commune_b)
    page = _prepare(client, login(client, "admin"))
    assert "Sẽ tiếp quản 37 bảng" in page.text
    assert "<li>Xã An Bình: 25 bảng</li><li>Phường Bắc Sơn: 12 bảng</li>" in page.text
    assert "<li>Bảng 1</li>" not in page.text


def test_units_beyond_the_listed_ones_are_summed(client, users, make_board, tree, monkeypatch) -> None:
    from signage_server.web.panel import takeover_view

    monkeypatch.setattr(takeover_view, "NAMES_LISTED", 2)
    monkeypatch.setattr(takeover_view, "UNITS_LISTED", 1)
    for unit in (tree.commune_a, tree.commune_a, tree.commune_b):
        make_board(unit_id=unit)
    page = _prepare(client, login(client, "admin"))
    assert "<li>Xã An Bình: 2 bảng</li><li>1 đơn vị khác: 1 bảng</li>" in page.text


def test_the_status_lists_boards_needing_attention_first_and_counts_them_all(client, users, make_board,
                                                                              session, monkeypatch) -> None:
    from signage_server.web.panel import takeover_view

    monkeypatch.setattr(takeover_view, "STATUS_ROWS", 4)
    boards = [make_board() for _ in range(6)]
    csrf = login(client, "operator-a")
    override_id = _override_id(_prepare(client, csrf).text)
    client.post(f"/panel/emergency/{override_id}/confirm", data={"csrf_token": csrf})
    shown = boards[-1]  # its receipt says it shows the emergency: listed last, so not at all
    session.add(OverrideReceipt(override_id=override_id, board_id=shown.id, received_at=utcnow(),
                                displayed_at=utcnow()))
    session.commit()
    fragment = client.get(f"/panel/emergency/{override_id}/status").text
    assert len(re.findall(r'href="/panel/boards/\d+"', fragment)) == 4
    assert f'href="/panel/boards/{shown.id}"' not in fragment
    assert "Còn 2 bảng đã được đếm ở trên nhưng không liệt kê" in fragment
    assert re.search(r"<strong>1</strong>", fragment) and re.search(r"<strong>5</strong>", fragment)
