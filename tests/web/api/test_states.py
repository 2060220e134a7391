import pytest

API = "/api/v1/bulletins"


def _bulletin(client, users) -> int:
    return client.post(API, json={"title": "Tin"}, headers=users["editor_a"].headers).json()["id"]


def _move(client, user, bulletin_id: int, state: str, reason: str = ""):
    return client.post(f"{API}/{bulletin_id}/state", json={"state": state, "reason": reason},
                       headers=user.headers)


def test_editor_submits_and_approver_approves_then_publishes(client, users) -> None:
    bid = _bulletin(client, users)
    assert _move(client, users["editor_a"], bid, "submitted").json()["state"] == "submitted"
    assert _move(client, users["approver_a"], bid, "approved").json()["state"] == "approved"
    assert _move(client, users["approver_a"], bid, "published").json()["state"] == "published"


def test_editor_cannot_approve(client, users) -> None:
    bid = _bulletin(client, users)
    _move(client, users["editor_a"], bid, "submitted")
    response = _move(client, users["editor_a"], bid, "approved")
    assert response.status_code == 403
    assert "approver" in response.json()["detail"]


def test_rejection_needs_a_reason(client, users) -> None:
    bid = _bulletin(client, users)
    _move(client, users["editor_a"], bid, "submitted")
    assert _move(client, users["approver_a"], bid, "rejected").status_code == 422
    rejected = _move(client, users["approver_a"], bid, "rejected", "sai chính tả").json()
    assert (rejected["state"], rejected["rejection_reason"]) == ("rejected", "sai chính tả")


def test_draft_cannot_jump_to_published(client, users) -> None:
    bid = _bulletin(client, users)
    response = _move(client, users["admin_a"], bid, "published")
    assert response.status_code == 409
    assert "cannot go from draft to published" in response.json()["detail"]


def test_editing_approved_content_waits_beside_the_approved_version(client, users) -> None:
    bid = _bulletin(client, users)
    _move(client, users["editor_a"], bid, "submitted")
    _move(client, users["approver_a"], bid, "approved")
    patched = client.patch(f"{API}/{bid}", json={"body": "sửa"}, headers=users["editor_a"].headers)
    assert (patched.json()["state"], patched.json()["pending_edit"]["body"]) == ("approved", "sửa")


@pytest.mark.parametrize(("kind", "what"), [
    ("bulletins", "bulletin"), ("playlists", "playlist"), ("schedules", "schedule"), ("media", "media"),
])
def test_every_content_kind_has_a_state_route(client, users, kind, what) -> None:
    response = client.post(f"/api/v1/{kind}/999/state", json={"state": "submitted"},
                           headers=users["editor_a"].headers)
    assert response.status_code == 404
    assert response.json()["detail"] == f"{what} 999 not found"


def test_approver_of_another_commune_cannot_see_it(client, users, password_hash, session, tree) -> None:
    from signage_server.models import Role
    from tests.support.factories import make_user

    approver_b = make_user(session, "approver-b", Role.APPROVER, tree.commune_b, password_hash)
    bid = _bulletin(client, users)
    _move(client, users["editor_a"], bid, "submitted")
    assert _move(client, approver_b, bid, "approved").status_code == 404
