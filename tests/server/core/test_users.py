"""User accounts as a service: the refusals carry stable codes, the trail never holds a password."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from signage_server.core import users as service
from signage_server.core.errors import Conflict, Forbidden, Invalid, NotFound
from signage_server.models import AuditEvent, Role, User
from signage_server.schemas import UserCreate


def _user(session: Session, user_id: int) -> User:
    found = session.get(User, user_id)
    assert found is not None
    return found


def _body(unit_id: int, username: str = "new-editor",
          password: str = "a long enough passphrase") -> UserCreate:
    return UserCreate(username=username, password=password, role=Role.EDITOR, unit_id=unit_id)


def test_a_created_user_is_audited_without_the_password(session, users, tree) -> None:
    admin = _user(session, users["admin_a"].id)
    made = service.create_user(session, actor=admin, ip="10.0.0.9", body=_body(tree.commune_a))
    event = session.exec(select(AuditEvent).where(AuditEvent.object_id == str(made.id))).one()
    assert event.action == "create" and event.ip == "10.0.0.9" and event.actor == "admin-a"
    assert event.after is not None and "password_hash" not in event.after


@pytest.mark.parametrize(("body", "kind", "code"), [
    (lambda tree: _body(tree.commune_a, username="editor-a"), Conflict, "user.username_taken"),
    (lambda tree: _body(tree.commune_a, password="new-editor-passphrase"), Invalid, "user.weak_password"),
    (lambda tree: _body(999_999), Invalid, "user.unknown_unit"),
    (lambda tree: _body(tree.commune_b), NotFound, "unit.not_found"),
])
def test_refusals_have_stable_codes(session, users, tree, body, kind, code) -> None:
    admin = _user(session, users["admin_a"].id)
    with pytest.raises(kind) as refused:
        service.create_user(session, actor=admin, ip="", body=body(tree))
    assert refused.value.code == code


def test_only_admins_manage_users(session, users) -> None:
    editor = _user(session, users["editor_a"].id)
    with pytest.raises(Forbidden) as refused:
        service.list_users(session, actor=editor)
    assert refused.value.message == "this needs one of the roles: admin"


def test_an_admin_cannot_deactivate_themselves(session, users) -> None:
    admin = _user(session, users["admin_a"].id)
    with pytest.raises(Conflict) as refused:
        service.deactivate_user(session, actor=admin, ip="", user_id=users["admin_a"].id)
    assert refused.value.code == "user.self_deactivation"


def test_users_outside_scope_are_not_found(session, users) -> None:
    admin = _user(session, users["admin_a"].id)
    with pytest.raises(NotFound) as refused:
        service.get_user(session, actor=admin, user_id=users["editor_b"].id)
    assert refused.value.code == "user.not_found"
    assert refused.value.message == f"user {users['editor_b'].id} not found"
