"""/api/v1/api-tokens: admins issue, list and revoke the API tokens of the accounts in their scope;
the plain token is in the creation answer only and never in a log or the audit trail."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from signage_server.models import ApiToken, AuditEvent

TOKENS = "/api/v1/api-tokens"


def _issue(client, admin, owner_id: int, name: str = "hệ thống nguồn"):
    return client.post(TOKENS, json={"user_id": owner_id, "name": name}, headers=admin.headers)


def test_an_admin_issues_a_token_for_an_account_of_the_scope_shown_once(client, users) -> None:
    made = _issue(client, users["admin_a"], users["editor_a"].id)
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    body = made.json()
    assert body["username"] == "editor-a" and len(body["token"]) >= 32
    listed = client.get(TOKENS, headers=users["admin_a"].headers).json()
    assert [t["name"] for t in listed] == ["hệ thống nguồn"]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert body["token"] not in client.get(TOKENS, headers=users["admin_a"].headers).text


def test_the_token_acts_as_its_account(client, users) -> None:
    token = _issue(client, users["admin_a"], users["editor_a"].id).json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "editor-a"


def test_an_account_outside_the_scope_is_not_found(client, users) -> None:
    assert _issue(client, users["admin_a"], users["editor_b"].id).status_code == 404


def test_only_admins_manage_tokens(client, users) -> None:
    assert client.get(TOKENS, headers=users["editor_a"].headers).status_code == 403
    assert _issue(client, users["approver_a"], users["editor_a"].id).status_code == 403


def test_a_token_of_another_area_is_not_listed_nor_revoked(client, users) -> None:
    made = _issue(client, users["admin"], users["editor_b"].id).json()
    assert client.get(TOKENS, headers=users["admin_a"].headers).json() == []
    assert client.delete(f"{TOKENS}/{made['id']}", headers=users["admin_a"].headers).status_code == 404


def test_a_revoked_token_stops_working_and_stays_listed(client, users) -> None:
    made = _issue(client, users["admin_a"], users["editor_a"].id).json()
    assert client.delete(f"{TOKENS}/{made['id']}", headers=users["admin_a"].headers).status_code == 204
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {made['token']}"})
    assert me.status_code == 401
    listed = client.get(TOKENS, headers=users["admin_a"].headers).json()
    assert listed[0]["revoked_at"] is not None


def test_unknown_fields_are_refused(client, users) -> None:
    answer = client.post(TOKENS, json={"user_id": users["editor_a"].id, "name": "x", "token": "mine"},
                         headers=users["admin_a"].headers)
    assert answer.status_code == 422


def test_the_plain_token_is_neither_logged_nor_audited(client, session, users,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = _issue(client, users["admin_a"], users["editor_a"].id).json()["token"]
    assert token not in caplog.text
    trail = [str(e.before) + str(e.after) for e in session.exec(select(AuditEvent)).all()]
    assert any("hệ thống nguồn" in t for t in trail) and not any(token in t for t in trail)
    assert all(token not in r.token_hash for r in session.exec(select(ApiToken)).all())
