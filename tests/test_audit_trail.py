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
    from tests.conftest import make_user

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
    assert response.content.startswith(b"\xef\xbb\xbfid,at,actor")
    assert "Tin mới" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"])
def test_the_database_refuses_to_change_events(client, users, app, statement) -> None:
    _approved_bulletin(client, users)
    with pytest.raises(DBAPIError, match="append-only"), app.state.engine.begin() as conn:
        conn.execute(text(statement))
