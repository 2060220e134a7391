"""The approval workflow: four-eyes, trusted editors, parts before the whole, the queue, rejection."""

from signage_server.models import Role
from tests.support.factories import make_user


def _create(client, user, kind: str, body: dict) -> int:
    response = client.post(f"/api/v1/{kind}", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _move(client, user, kind: str, object_id: int, state: str, reason: str = ""):
    return client.post(f"/api/v1/{kind}/{object_id}/state", json={"state": state, "reason": reason},
                       headers=user.headers)


def _bulletin(client, user) -> int:
    return _create(client, user, "bulletins", {"title": "Lịch tiêm chủng"})


def test_nobody_decides_on_their_own_submission(client, users) -> None:
    bid = _bulletin(client, users["admin_a"])
    _move(client, users["admin_a"], "bulletins", bid, "submitted")
    refused = _move(client, users["admin_a"], "bulletins", bid, "approved")
    assert refused.status_code == 403
    assert "four-eyes" in refused.json()["detail"]
    assert _move(client, users["approver_a"], "bulletins", bid, "approved").json()["state"] == "approved"


def test_a_trusted_editors_unit_approves_their_submission_at_once(client, users, tree) -> None:
    put = client.put(f"/api/v1/units/{tree.commune_a}/approval-settings",
                     json={"trusted_editors_auto_approve": True}, headers=users["admin_a"].headers)
    assert put.json() == {"unit_id": tree.commune_a, "trusted_editors_auto_approve": True}
    bid = _bulletin(client, users["editor_a"])
    assert _move(client, users["editor_a"], "bulletins", bid, "submitted").json()["state"] == "approved"


def test_auto_approval_is_off_by_default(client, users, tree) -> None:
    got = client.get(f"/api/v1/units/{tree.commune_a}/approval-settings", headers=users["editor_a"].headers)
    assert got.json()["trusted_editors_auto_approve"] is False


def test_only_admins_change_the_unit_setting(client, users, tree) -> None:
    response = client.put(f"/api/v1/units/{tree.commune_a}/approval-settings",
                          json={"trusted_editors_auto_approve": True}, headers=users["approver_a"].headers)
    assert response.status_code == 403


def test_a_playlist_waits_for_the_bulletins_it_shows(client, users) -> None:
    editor, approver = users["editor_a"], users["approver_a"]
    bid = _bulletin(client, editor)
    pid = _create(client, editor, "playlists", {"name": "Tin sáng"})
    client.post(f"/api/v1/playlists/{pid}/items", json={"kind": "bulletin", "bulletin_id": bid},
                headers=editor.headers)
    _move(client, editor, "playlists", pid, "submitted")
    blocked = _move(client, approver, "playlists", pid, "approved")
    assert blocked.status_code == 409
    detail = blocked.json()["detail"]
    assert detail == f"approve what this shows first; not approved yet: bulletin {bid} (draft)"
    _move(client, editor, "bulletins", bid, "submitted")
    _move(client, approver, "bulletins", bid, "approved")
    assert _move(client, approver, "playlists", pid, "approved").json()["state"] == "approved"


def test_a_schedule_waits_for_its_playlists(client, users, layout) -> None:
    editor, approver = users["editor_a"], users["approver_a"]
    pid = _create(client, editor, "playlists", {"name": "Tin"})
    sid = _create(client, editor, "schedules", {
        "name": "Cả ngày", "layout_id": layout.id, "regions": {"main": pid}, "target_kind": "unit",
        "target_unit_id": users["editor_a"].unit_id,
    })
    _move(client, editor, "schedules", sid, "submitted")
    blocked = _move(client, approver, "schedules", sid, "approved")
    assert (blocked.status_code, f"playlist {pid} (draft)" in blocked.json()["detail"]) == (409, True)


def test_the_queue_lists_what_awaits_the_callers_decision(client, users, session, tree, password_hash):
    bid = _bulletin(client, users["editor_a"])
    pid = _create(client, users["editor_a"], "playlists", {"name": "Tin"})
    own = _bulletin(client, users["admin_a"])
    for kind, ident, who in (("bulletins", bid, "editor_a"), ("playlists", pid, "editor_a"),
                             ("bulletins", own, "admin_a")):
        _move(client, users[who], kind, ident, "submitted")
    queue = client.get("/api/v1/approvals", headers=users["admin_a"].headers).json()
    assert [(e["kind"], e["id"]) for e in queue] == [("bulletin", bid), ("playlist", pid)]
    approver_b = make_user(session, "approver-b", Role.APPROVER, tree.commune_b, password_hash)
    assert client.get("/api/v1/approvals", headers=approver_b.headers).json() == []


def test_editors_cannot_read_the_queue(client, users) -> None:
    assert client.get("/api/v1/approvals", headers=users["editor_a"].headers).status_code == 403


def test_the_editor_sees_who_rejected_and_why_then_resubmits(client, users) -> None:
    editor, approver = users["editor_a"], users["approver_a"]
    bid = _bulletin(client, editor)
    _move(client, editor, "bulletins", bid, "submitted")
    _move(client, approver, "bulletins", bid, "rejected", "thiếu nguồn tin")
    seen = client.get(f"/api/v1/bulletins/{bid}", headers=editor.headers).json()
    assert (seen["state"], seen["rejection_reason"], seen["reviewed_by"]) == ("rejected", "thiếu nguồn tin",
                                                                              approver.id)
    assert seen["reviewed_at"] is not None
    again = _move(client, editor, "bulletins", bid, "submitted").json()
    assert (again["state"], again["rejection_reason"], again["submitted_by"]) == ("submitted", "", editor.id)


def test_an_edit_of_approved_content_needs_another_decision(client, users) -> None:
    editor, approver = users["editor_a"], users["approver_a"]
    bid = _bulletin(client, editor)
    _move(client, editor, "bulletins", bid, "submitted")
    _move(client, approver, "bulletins", bid, "approved")
    client.patch(f"/api/v1/bulletins/{bid}", json={"body": "sửa lại"}, headers=editor.headers)
    # The approved bulletin stays on air; its edit waits in the submissions queue beside it.
    assert client.get(f"/api/v1/bulletins/{bid}", headers=approver.headers).json()["state"] == "approved"
    queue = client.get("/api/v1/submissions/queue", headers=approver.headers).json()
    assert [(e["kind"], e["bulletin_id"], e["pending"]["body"]) for e in queue] == [("edit", bid, "sửa lại")]


def test_auto_approval_still_waits_for_the_parts(client, users, tree) -> None:
    client.put(f"/api/v1/units/{tree.commune_a}/approval-settings",
               json={"trusted_editors_auto_approve": True}, headers=users["admin_a"].headers)
    editor = users["editor_a"]
    bid = _bulletin(client, editor)
    pid = _create(client, editor, "playlists", {"name": "Tin"})
    client.post(f"/api/v1/playlists/{pid}/items", json={"kind": "bulletin", "bulletin_id": bid},
                headers=editor.headers)
    assert _move(client, editor, "playlists", pid, "submitted").json()["state"] == "submitted"
