"""Panel unit reorganisation: a preview of what moves (nothing written), then the merge applied
from its date on confirmation; admins only, within scope, refusals in Vietnamese."""

from __future__ import annotations

from sqlmodel import select

from signage_server.models import AdminUnit, AuditEvent, Board, UnitLineage
from tests.support.panel_client import login


def _form(tree, csrf: str, **extra: str) -> dict[str, object]:
    return {"from_ids": [str(tree.commune_b)], "target": "existing", "into_id": str(tree.commune_a),
            "effective": "2026-12-01", "note": "Nghị quyết 1234/NQ-UBTVQH15", "csrf_token": csrf, **extra}


def test_the_preview_lists_what_moves_and_writes_nothing(client, users, tree, make_board, session) -> None:
    board = make_board(unit_id=tree.commune_b)
    csrf = login(client, "admin")
    page = client.post("/panel/units/reorganise/preview", data=_form(tree, csrf))
    assert page.status_code == 200 and board.name in page.text and "Phường Bắc Sơn (91002)" in page.text
    assert "Vào: Xã An Bình" in page.text
    session.expire_all()
    assert session.get(AdminUnit, tree.commune_b).valid_to is None  # type: ignore[union-attr]
    assert session.exec(select(UnitLineage)).all() == []


def test_applying_needs_the_confirmation_then_merges_from_the_date(client, users, tree, make_board,
                                                                   session) -> None:
    board = make_board(unit_id=tree.commune_b)
    csrf = login(client, "admin")
    unconfirmed = client.post("/panel/units/reorganise", data=_form(tree, csrf))
    assert unconfirmed.status_code == 422 and "Hãy đánh dấu ô xác nhận." in unconfirmed.text
    done = client.post("/panel/units/reorganise", data=_form(tree, csrf, confirm="yes"))
    assert done.status_code == 200 and "Đã áp dụng việc sắp xếp đơn vị." in done.text
    session.expire_all()
    old = session.get(AdminUnit, tree.commune_b)
    moved = session.get(Board, board.id)
    assert old is not None and str(old.valid_to) == "2026-12-01"
    assert moved is not None and moved.unit_id == tree.commune_a
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "reorganise")).one()


def test_a_unit_cannot_be_merged_into_itself(client, users, tree) -> None:
    csrf = login(client, "admin")
    page = client.post("/panel/units/reorganise/preview", data=_form(tree, csrf, into_id=str(tree.commune_b)))
    assert page.status_code == 422 and "Không thể sáp nhập một đơn vị vào chính nó." in page.text


def test_a_commune_admin_cannot_reorganise_units_outside_the_area(client, users, tree) -> None:
    csrf = login(client, "admin-a")
    page = client.post("/panel/units/reorganise/preview", data=_form(tree, csrf))
    assert page.status_code == 422 and "Đơn vị này không tồn tại hoặc nằm ngoài phạm vi" in page.text


def test_the_reorganisation_page_is_for_admins(client, users) -> None:
    login(client, "editor-a")
    assert client.get("/panel/units/reorganise").status_code == 403
