"""Panel unit split: name the unit and its new units, choose where each board, account and village
goes, then apply on confirmation; admins only, refusals in Vietnamese."""

from __future__ import annotations

from sqlmodel import select

from signage_server.models import AdminUnit, Board, UnitLineage, User
from tests.support.panel_client import login


def _form(tree, csrf: str, **extra: object) -> dict[str, object]:
    return {"from_id": str(tree.commune_a), "effective": "2026-12-01", "note": "Nghị quyết 99/NQ-HĐND",
            "part_code": ["91101", "91102", ""], "part_name": ["Xã An Bình Đông", "Xã An Bình Tây", ""],
            "csrf_token": csrf, **extra}


def test_the_preview_offers_a_new_unit_for_each_board_and_writes_nothing(client, users, tree, make_board,
                                                                         session) -> None:
    board = make_board(unit_id=tree.commune_a)
    csrf = login(client, "admin")
    page = client.post("/panel/units/split/preview", data=_form(tree, csrf))
    assert page.status_code == 200 and "Nơi chuyển đến" in page.text
    assert f'name="boards-{board.id}"' in page.text and "Xã An Bình Tây (91102)" in page.text
    assert "Thôn Đông" in page.text and "01/12/2026" in page.text
    session.expire_all()
    assert session.get(AdminUnit, tree.commune_a).valid_to is None  # type: ignore[union-attr]
    assert session.exec(select(UnitLineage)).all() == []


def test_applying_needs_the_confirmation_then_splits_as_chosen(client, users, tree, make_board,
                                                               session) -> None:
    board = make_board(unit_id=tree.commune_a)
    csrf = login(client, "admin")
    chosen = {f"boards-{board.id}": "1", f"users-{users['editor_a'].id}": "1"}
    unconfirmed = client.post("/panel/units/split", data=_form(tree, csrf, **chosen))
    assert unconfirmed.status_code == 422 and "Hãy đánh dấu ô xác nhận." in unconfirmed.text
    done = client.post("/panel/units/split", data=_form(tree, csrf, confirm="yes", **chosen))
    assert done.status_code == 200 and "Đã áp dụng việc chia tách đơn vị." in done.text
    session.expire_all()
    west = session.exec(select(AdminUnit).where(AdminUnit.code == "91102")).one()
    assert session.get(Board, board.id).unit_id == west.id  # type: ignore[union-attr]
    assert session.get(User, users["editor_a"].id).unit_id == west.id  # type: ignore[union-attr]


def test_a_code_in_use_is_refused_in_vietnamese(client, users, tree) -> None:
    csrf = login(client, "admin")
    form = _form(tree, csrf, part_code=["91002", "91102"])
    page = client.post("/panel/units/split/preview", data=form)
    assert page.status_code == 409 or page.status_code == 422
    assert "Đã có đơn vị mang mã 91002 vào ngày đó" in page.text


def test_only_admins_see_the_page(client, users) -> None:
    login(client, "editor-a")
    assert client.get("/panel/units/split").status_code == 403
