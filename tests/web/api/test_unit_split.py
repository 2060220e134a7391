"""POST /api/v1/units/split: one unit becomes two or more new ones from a date; boards, accounts and
villages go where the admin says, everything else (and the content) to the first new unit."""

from __future__ import annotations

from sqlmodel import select

from signage_server.models import (
    AdminUnit,
    AuditEvent,
    Board,
    Bulletin,
    LineageKind,
    UnitLevel,
    UnitLineage,
    User,
)
from tests.support.factories import add_unit

SPLIT = "/api/v1/units/split"
PARTS = [{"code": "91101", "name": "Xã An Bình Đông"}, {"code": "91102", "name": "Xã An Bình Tây"}]


def _body(tree, **extra) -> dict:
    return {"from_id": tree.commune_a, "effective": "2026-12-01", "parts": PARTS,
            "note": "Nghị quyết 99/NQ-HĐND", **extra}


def test_a_split_gives_each_board_account_and_village_to_its_new_unit(client, session, users, tree,
                                                                      make_board) -> None:
    east, west = make_board(unit_id=tree.commune_a), make_board(unit_id=tree.commune_a)
    village_b = add_unit(session, "91001-02", UnitLevel.VILLAGE, "Thôn Tây", tree.commune_a)
    session.add(Bulletin(title="Lịch tiếp dân", unit_id=tree.commune_a))
    session.commit()
    answer = client.post(SPLIT, headers=users["admin"].headers, json=_body(
        tree, boards={str(west.id): 1}, users={str(users["editor_a"].id): 1}, villages={str(village_b): 1}))
    assert answer.status_code == 200, answer.text
    first, second = answer.json()["new_unit_ids"]
    session.expire_all()
    assert session.get(Board, east.id).unit_id == first and session.get(Board, west.id).unit_id == second
    assert session.get(User, users["editor_a"].id).unit_id == second
    assert session.get(User, users["viewer_a"].id).unit_id == first
    assert session.get(AdminUnit, village_b).parent_id == second
    assert session.get(AdminUnit, tree.village_a).parent_id == first
    assert session.exec(select(Bulletin)).one().unit_id == first
    old = session.get(AdminUnit, tree.commune_a)
    assert str(old.valid_to) == "2026-12-01"
    edges = session.exec(select(UnitLineage)).all()
    assert {(e.kind, e.to_unit_id) for e in edges} == {(LineageKind.SPLIT, first),
                                                       (LineageKind.SPLIT, second)}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "split")).one()
    assert event.after["new_unit_ids"] == [first, second]


def test_a_board_of_another_unit_cannot_be_given_away(client, users, tree, make_board) -> None:
    foreign = make_board(unit_id=tree.commune_b)
    answer = client.post(SPLIT, headers=users["admin"].headers, json=_body(tree, boards={str(foreign.id): 1}))
    assert answer.status_code == 422 and answer.json()["code"] == "unit.split_foreign"


def test_a_part_that_does_not_exist_is_refused(client, users, tree, make_board) -> None:
    board = make_board(unit_id=tree.commune_a)
    answer = client.post(SPLIT, headers=users["admin"].headers, json=_body(tree, boards={str(board.id): 2}))
    assert answer.status_code == 422 and answer.json()["code"] == "unit.split_foreign"


def test_a_code_in_use_on_the_date_is_refused(client, users, tree) -> None:
    parts = [{"code": "91002", "name": "Trùng mã"}, PARTS[1]]
    answer = client.post(SPLIT, headers=users["admin"].headers, json=_body(tree, parts=parts))
    assert answer.status_code == 409 and answer.json()["code"] == "unit.code_taken"


def test_one_part_is_not_a_split(client, users, tree) -> None:
    answer = client.post(SPLIT, headers=users["admin"].headers, json=_body(tree, parts=PARTS[:1]))
    assert answer.status_code == 422


def test_a_unit_outside_the_scope_is_not_found(client, users, tree) -> None:
    body = _body(tree, from_id=tree.commune_b)
    assert client.post(SPLIT, headers=users["admin_a"].headers, json=body).status_code == 404
    assert client.post(SPLIT, headers=users["editor_a"].headers, json=_body(tree)).status_code == 403
