def _new_user(unit_id: int, role: str = "editor", username: str = "nguyen-van-a") -> dict:
    return {"username": username, "password": "a long password", "role": role, "unit_id": unit_id}


def test_admin_creates_a_user_within_scope(client, users, tree) -> None:
    response = client.post("/api/v1/users", json=_new_user(tree.village_a), headers=users["admin_a"].headers)
    assert response.status_code == 201
    assert "password_hash" not in response.json()


def test_admin_cannot_create_a_user_outside_scope(client, users, tree) -> None:
    response = client.post("/api/v1/users", json=_new_user(tree.commune_b), headers=users["admin_a"].headers)
    assert response.status_code == 404


def test_non_admin_cannot_manage_users(client, users, tree) -> None:
    response = client.get("/api/v1/users", headers=users["editor_a"].headers)
    assert response.status_code == 403


def test_user_list_is_limited_to_scope(client, users) -> None:
    names = {u["username"] for u in client.get("/api/v1/users", headers=users["admin_a"].headers).json()}
    assert "editor-b" not in names and "editor-a" in names


def test_short_password_is_refused_with_a_message(client, users, tree) -> None:
    body = _new_user(tree.commune_a) | {"password": "short"}
    response = client.post("/api/v1/users", json=body, headers=users["admin"].headers)
    assert response.status_code == 422
    assert "password" in response.json()["detail"]


def test_deactivated_user_loses_access(client, users) -> None:
    target = users["viewer_a"]
    assert client.delete(f"/api/v1/users/{target.id}", headers=users["admin_a"].headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=target.headers).status_code == 401
