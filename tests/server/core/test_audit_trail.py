"""The audit trail: what is recorded, how it is read and exported, and that it cannot be changed."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

API = "/api/v1/bulletins"


def _approved_bulletin(client, users) -> int:
    bid = client.post(API, json={"title": "Tin"}, headers=users["editor_a"].headers).json()["id"]
    client.patch(f"{API}/{bid}", json={"title": "Tin mới"}, headers=users["editor_a"].headers)
    client.post(f"{API}/{bid}/state", json={"state": "submitted"}, headers=users["editor_a"].headers)
    client.post(f"{API}/{bid}/state", json={"state": "approved"}, headers=users["approver_a"].headers)
    return bid


def _events(client, user, **params) -> list[dict]:
    response = client.get("/api/v1/audit", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_step_of_a_bulletin_is_recorded_with_who_and_where(client, users) -> None:
    bid = _approved_bulletin(client, users)
    events = _events(client, users["approver_a"], object_type="bulletin", object_id=str(bid))
    assert [(e["action"], e["actor"]) for e in events] == [
        ("create", "editor-a"), ("update", "editor-a"), ("submit", "editor-a"), ("approve", "approver-a"),
    ]
    assert {e["ip"] for e in events} == {"testclient"}


def test_an_update_records_only_the_changed_fields(client, users) -> None:
    bid = _approved_bulletin(client, users)
    update = _events(client, users["admin_a"], object_type="bulletin", object_id=str(bid))[1]
    assert (update["before"]["title"], update["after"]["title"]) == ("Tin", "Tin mới")
    assert "body" not in update["after"]


def test_events_filter_by_user(client, users) -> None:
    _approved_bulletin(client, users)
    events = _events(client, users["admin"], user_id=users["approver_a"].id)
    assert [e["action"] for e in events] == ["approve"]


def test_other_units_events_stay_hidden(client, users, session, tree, password_hash) -> None:
    from signage_server.models import Role
    from tests.support.factories import make_user

    _approved_bulletin(client, users)
    approver_b = make_user(session, "approver-b", Role.APPROVER, tree.commune_b, password_hash)
    assert _events(client, approver_b) == []
    assert client.get("/api/v1/audit", params={"unit_id": tree.commune_a},
                      headers=approver_b.headers).status_code == 404


def test_editors_cannot_read_the_trail(client, users) -> None:
    assert client.get("/api/v1/audit", headers=users["editor_a"].headers).status_code == 403


def test_the_csv_export_is_utf8_with_a_bom(client, users) -> None:
    _approved_bulletin(client, users)
    response = client.get("/api/v1/audit/export.csv", headers=users["admin_a"].headers)
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbfid,at,at_local,actor")
    assert "Tin mới" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"])
def test_the_database_refuses_to_change_events(client, users, app, statement) -> None:
    _approved_bulletin(client, users)
    with pytest.raises(DBAPIError, match="append-only"), app.state.engine.begin() as conn:
        conn.execute(text(statement))


def _actions(client, users, object_type: str) -> list[tuple[str, str]]:
    events = _events(client, users["admin"], object_type=object_type)
    return [(e["action"], e["actor"]) for e in events]


def test_pairing_rotation_and_revocation_are_recorded(client, users, make_board) -> None:
    from signage_contract import device as wire

    board = make_board()
    ticket = client.post(wire.PAIRING_START, json={"hardware_id": "nuc-7"}).json()
    client.post(f"/api/v1/boards/{board.id}/pairing", json={"code": ticket["code"]},
                headers=users["operator_a"].headers)
    status = client.get(wire.PAIRING_POLL.format(ticket_id=ticket["ticket_id"]),
                        headers={"X-Pairing-Secret": ticket["secret"]}).json()
    client.post(wire.DEVICE_ROTATE, headers={"Authorization": f"Bearer {status['credential']['token']}"})
    client.delete(f"/api/v1/boards/{board.id}/devices", headers=users["operator_a"].headers)
    assert _actions(client, users, "board") == [
        ("pair", "operator-a"), ("rotate_credential", f"board:{board.id}"), ("revoke_devices", "operator-a"),
    ]


def test_user_accounts_and_api_tokens_are_recorded_without_secrets(client, users, tree) -> None:
    created = client.post("/api/v1/users", headers=users["admin_a"].headers, json={
        "username": "thu-ky", "password": "ba con bò vàng trên đồi", "role": "viewer",
        "unit_id": tree.commune_a,
    }).json()
    client.patch(f"/api/v1/users/{created['id']}", json={"password": "bốn con gà trống gáy sớm"},
                 headers=users["admin_a"].headers)
    client.post("/api/v1/auth/api-tokens", json={"name": "script"}, headers=users["editor_a"].headers)
    assert _actions(client, users, "user") == [("create", "admin-a"), ("change_password", "admin-a")]
    assert _actions(client, users, "api_token") == [("create_token", "editor-a")]
    exported = client.get("/api/v1/audit/export.csv", headers=users["admin"].headers).text
    assert "argon2" not in exported and "sgn_" not in exported


@pytest.mark.parametrize(("path", "body", "object_type"), [
    ("/api/v1/boards", {"name": "Bảng chợ"}, "board"),
    ("/api/v1/layouts", {"id": "rieng", "name": "Riêng", "regions": [
        {"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 1}]}, "layout"),
])
def test_boards_and_layouts_are_recorded(client, users, tree, path, body, object_type) -> None:
    response = client.post(path, json={**body, "unit_id": tree.commune_a}, headers=users["admin_a"].headers)
    assert response.status_code == 201, response.text
    assert _actions(client, users, object_type) == [("create", "admin-a")]
