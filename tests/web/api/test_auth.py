from datetime import timedelta

from sqlmodel import select

from signage_server.models import ApiToken, TokenKind
from tests.support.factories import TEST_PASSWORD


def _login(client, username: str, password: str = TEST_PASSWORD):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_password_login_gives_a_bearer_token_that_works(client, users) -> None:
    response = _login(client, "editor-a")
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "editor-a"


def test_wrong_password_is_refused(client, users) -> None:
    response = _login(client, "editor-a", "wrong password")
    assert response.status_code == 401
    assert "wrong user name or password" in response.json()["detail"]


def test_login_token_is_stored_only_as_its_hash_with_an_expiry(client, users, session, settings) -> None:
    token = _login(client, "viewer-a").json()["access_token"]
    rows = session.exec(select(ApiToken).where(ApiToken.kind == TokenKind.SESSION)).all()
    assert all(r.token_hash != token for r in rows)
    newest = max(rows, key=lambda r: r.id)
    assert newest.expires_at - newest.created_at == timedelta(hours=settings.token_ttl_hours)


def test_expired_token_is_refused(client, users, session) -> None:
    token = _login(client, "viewer-a").json()["access_token"]
    row = max(session.exec(select(ApiToken)).all(), key=lambda r: r.id)
    row.expires_at = row.created_at - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_request_without_token_is_401(client, users) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401


def test_named_api_token_can_be_created_listed_and_revoked(client, users) -> None:
    headers = users["editor_a"].headers
    created = client.post("/api/v1/auth/api-tokens", json={"name": "nhập liệu"}, headers=headers).json()
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    listed = client.get("/api/v1/auth/api-tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["nhập liệu"]
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/auth/api-tokens/{created['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_a_user_cannot_revoke_another_users_token(client, users) -> None:
    created = client.post("/api/v1/auth/api-tokens", json={"name": "x"}, headers=users["editor_a"].headers)
    response = client.delete(
        f"/api/v1/auth/api-tokens/{created.json()['id']}", headers=users["editor_b"].headers
    )
    assert response.status_code == 404
