"""Panel villages: list a commune's villages, add, rename and remove (retired, refused while in
use, naming why), scope-checked and audited."""

from __future__ import annotations

from sqlmodel import select

from signage_server.models import AdminUnit, AuditEvent, UnitLevel
from tests.support.panel_client import login


def _village(session, name: str) -> AdminUnit:
    session.expire_all()
    return session.exec(select(AdminUnit).where(AdminUnit.name == name)).one()


def test_the_communes_villages_are_listed(client, users, tree) -> None:
    login(client, "viewer-a")
    page = client.get(f"/panel/villages?unit_id={tree.commune_a}")
    assert page.status_code == 200 and "Thôn Đông" in page.text and "Thêm thôn" not in page.text


def test_an_editor_adds_renames_and_removes_a_village(client, users, tree, session) -> None:
    csrf = login(client, "editor-a")
    added = client.post("/panel/villages", data={"unit_id": str(tree.commune_a), "name": "Thôn Tây",
                                                 "division_type": "thôn", "csrf_token": csrf})
    assert added.status_code == 200 and "Đã thêm thôn." in added.text and "Thôn Tây" in added.text
    village = _village(session, "Thôn Tây")
    assert village.level == UnitLevel.VILLAGE and village.parent_id == tree.commune_a
    renamed = client.post(f"/panel/villages/{village.id}/rename",
                          data={"name": "Tổ dân phố 3", "division_type": "tổ dân phố", "csrf_token": csrf})
    assert "Đã đổi tên thôn." in renamed.text
    village = _village(session, "Tổ dân phố 3")
    unconfirmed = client.post(f"/panel/villages/{village.id}/remove", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 422
    removed = client.post(f"/panel/villages/{village.id}/remove", data={"csrf_token": csrf, "confirm": "yes"})
    assert "Đã xóa thôn." in removed.text and "Tổ dân phố 3" not in removed.text
    assert _village(session, "Tổ dân phố 3").valid_to is not None  # retired, kept for history
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.object_type == "unit"))]
    assert actions == ["create", "rename", "remove"]


def test_a_village_with_a_board_is_not_removed_and_the_page_says_why(client, users, tree, make_board,
                                                                     session) -> None:
    make_board(unit_id=tree.village_a)
    csrf = login(client, "editor-a")
    answer = client.post(f"/panel/villages/{tree.village_a}/remove",
                         data={"csrf_token": csrf, "confirm": "yes"})
    assert answer.status_code == 422 and "Thôn Đông vẫn đang được dùng" in answer.text
    assert _village(session, "Thôn Đông").valid_to is None


def test_villages_of_another_commune_are_out_of_reach(client, users, tree) -> None:
    csrf = login(client, "editor-b")
    answer = client.post(f"/panel/villages/{tree.village_a}/rename",
                         data={"name": "Thôn Lạ", "division_type": "thôn", "csrf_token": csrf})
    assert answer.status_code == 404
