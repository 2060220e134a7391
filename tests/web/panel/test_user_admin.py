"""Panel users and API tokens: change role and unit, reset a password (strength rules kept),
reactivate; API tokens issued for an account of the area, shown once, listed and revoked."""

from __future__ import annotations

import re

from sqlmodel import select

from signage_server.core.auth import user_for_token
from signage_server.models import ApiToken, AuditEvent, Role, TokenKind, User
from tests.support.panel_client import login

STRONG = "mật khẩu đủ dài 123"


def _user(session, user_id: int) -> User:
    session.expire_all()
    found = session.get(User, user_id)
    assert found is not None
    return found


def test_admin_changes_role_unit_and_name(client, users, tree, session) -> None:
    editor = _user(session, users["editor_a"].id)
    csrf = login(client, "admin")
    page = client.get(f"/panel/users/{editor.id}")
    assert page.status_code == 200 and "Người dùng editor-a" in page.text
    answer = client.post(f"/panel/users/{editor.id}", data={
        "role": "approver", "unit_id": str(tree.commune_b), "full_name": "Trần Văn Bình", "csrf_token": csrf})
    assert answer.status_code == 200 and "Đã lưu người dùng." in answer.text
    editor = _user(session, editor.id)
    assert (editor.role, editor.unit_id) == (Role.APPROVER, tree.commune_b)
    assert editor.full_name == "Trần Văn Bình"
    event = session.exec(select(AuditEvent).where(AuditEvent.object_type == "user",
                                                  AuditEvent.action == "update")).one()
    assert event.after is not None and event.after["role"] == "approver"
    assert "password_hash" not in event.after


def test_a_weak_new_password_is_refused_with_advice_in_vietnamese(client, users, session) -> None:
    editor = _user(session, users["editor_a"].id)
    before = editor.password_hash
    csrf = login(client, "admin-a")
    answer = client.post(f"/panel/users/{editor.id}/password", data={"password": "qwertyqwerty",
                                                                    "csrf_token": csrf})
    assert answer.status_code == 422 and "mật khẩu: quá dễ đoán" in answer.text
    editor = _user(session, editor.id)
    assert editor.password_hash == before


def test_resetting_a_password_logs_the_user_out_and_the_new_one_works(client, users, session) -> None:
    editor = _user(session, users["editor_a"].id)
    csrf = login(client, "admin-a")
    answer = client.post(f"/panel/users/{editor.id}/password", data={"password": STRONG, "csrf_token": csrf})
    assert answer.status_code == 200 and "Đã đổi mật khẩu" in answer.text
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "change_password")).one()
    client.cookies.clear()
    login(client, "editor-a", STRONG)


def test_a_deactivated_user_can_be_reactivated(client, users, session) -> None:
    editor = _user(session, users["editor_a"].id)
    csrf = login(client, "admin-a")
    client.post(f"/panel/users/{editor.id}/deactivate", data={"csrf_token": csrf})
    editor = _user(session, editor.id)
    assert not editor.active
    answer = client.post(f"/panel/users/{editor.id}/activate", data={"csrf_token": csrf})
    assert "Đã mở lại tài khoản." in answer.text
    editor = _user(session, editor.id)
    assert editor.active


def test_a_user_outside_the_admins_area_is_not_found(client, users) -> None:
    csrf = login(client, "admin-a")
    outsider = users["editor_b"]
    assert client.get(f"/panel/users/{outsider.id}").status_code == 404
    assert client.post(f"/panel/users/{outsider.id}/password",
                       data={"password": STRONG, "csrf_token": csrf}).status_code == 404


def _issue(client, csrf: str, user_id: int, name: str = "Hệ thống nguồn tỉnh", days: str = "30"):
    return client.post("/panel/tokens", data={"user_id": str(user_id), "name": name,
                                              "expires_in_days": days, "csrf_token": csrf})


def test_an_api_token_is_shown_once_and_acts_as_its_account(client, users, session) -> None:
    editor = _user(session, users["editor_a"].id)
    csrf = login(client, "admin-a")
    answer = _issue(client, csrf, editor.id)
    assert answer.status_code == 200 and "chỉ hiển thị một lần" in answer.text
    plain = re.search(r'<code id="issued-token">([^<]+)</code>', answer.text)
    assert plain and answer.headers["cache-control"] == "no-store"
    acting = user_for_token(session, plain[1])
    assert acting is not None and acting.id == editor.id
    listed = client.get("/panel/tokens").text
    assert "Hệ thống nguồn tỉnh" in listed and plain[1] not in listed and "(giờ Việt Nam)" in listed
    row = session.exec(select(ApiToken).where(ApiToken.kind == TokenKind.API)).one()
    assert row.expires_at is not None and row.token_hash != plain[1]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "create_token")).one()
    assert event.after is not None and plain[1] not in str(event.after)


def test_a_revoked_token_no_longer_works(client, users, session) -> None:
    csrf = login(client, "admin-a")
    answer = _issue(client, csrf, users["operator_a"].id)
    plain = re.search(r'<code id="issued-token">([^<]+)</code>', answer.text)
    assert plain
    row = session.exec(select(ApiToken).where(ApiToken.kind == TokenKind.API)).one()
    done = client.post(f"/panel/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert done.status_code == 200 and "Đã thu hồi mã truy cập." in done.text
    session.expire_all()
    assert user_for_token(session, plain[1]) is None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "revoke_token")).one()


def test_tokens_cannot_be_issued_or_revoked_outside_the_area(client, users, session) -> None:
    csrf = login(client, "admin-a")
    refused = _issue(client, csrf, users["editor_b"].id)
    assert refused.status_code == 422
    assert "Người dùng này không tồn tại hoặc nằm ngoài phạm vi" in refused.text
    client.cookies.clear()
    other_csrf = login(client, "admin")
    _issue(client, other_csrf, users["editor_b"].id)
    row = session.exec(select(ApiToken).where(ApiToken.kind == TokenKind.API)).one()
    client.cookies.clear()
    csrf = login(client, "admin-a")
    assert "Hệ thống nguồn tỉnh" not in client.get("/panel/tokens").text
    answer = client.post(f"/panel/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert answer.status_code == 422 and "Mã truy cập API này không tồn tại" in answer.text
    session.refresh(row)
    assert row.revoked_at is None


def test_the_tokens_page_is_for_admins(client, users) -> None:
    login(client, "editor-a")
    assert client.get("/panel/tokens").status_code == 403
