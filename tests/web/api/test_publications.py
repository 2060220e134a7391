"""Publishing in one step (issue 13 part 1), approving the whole at once (part 2), and an edit of
approved content that leaves the approved version on air until it is approved (part 3)."""

from sqlmodel import select

from signage_contract import Manifest, SignedManifest, TextItem
from signage_server.models import AuditEvent, Bulletin, ComposedManifest, Playlist, Schedule, Submission

API = "/api/v1"
TITLE, BODY = "Thông báo lịch tiếp công dân", "Thứ Năm hằng tuần, 8 giờ."
ON_AIR = [(TITLE, BODY)]


def _publish(client, user, **fields):
    body = {"title": TITLE, "body": BODY,
            "category": "policy_law", "priority": "priority", "targets": {"unit_ids": [user.unit_id]},
            **fields}
    return client.post(f"{API}/publications", json=body, headers=user.headers)


def _decide(client, user, submission_id: int, state: str, reason: str = ""):
    return client.post(f"{API}/submissions/{submission_id}/decision", json={"state": state, "reason": reason},
                       headers=user.headers)


def _texts(client, app, session, board_id: int) -> list[tuple[str, str]]:
    client.portal.call(app.state.composer.wait_idle)
    session.expire_all()
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board_id)).one()
    manifest = Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload)
    return [(i.title, i.body) for i in manifest.items if isinstance(i, TextItem)]


def test_one_request_makes_bulletin_playlist_and_a_schedule_per_target(client, users, make_board, session):
    board = make_board()
    made = _publish(client, users["editor_a"], targets={"board_ids": [board.id], "tags": ["led"]},
                    window={"valid_from": "2026-12-01T08:00:00+07:00",
                            "valid_until": "2026-12-31T17:00:00+07:00",
                            "weekdays": [0, 2, 4], "daily_start": "07:00", "daily_end": "18:00"})
    assert made.status_code == 201, made.text
    got = made.json()
    assert (got["state"], got["kind"], got["board_ids"]) == ("submitted", "publication", [board.id])
    bulletin = session.get(Bulletin, got["bulletin_id"])
    assert bulletin is not None and bulletin.state == "submitted" and bulletin.priority == "priority"
    assert session.get(Playlist, got["playlist_id"]).state == "submitted"
    schedules = [session.get(Schedule, s) for s in got["schedule_ids"]]
    assert sorted(s.target_kind.value for s in schedules) == ["board", "tag"]
    windows = {(str(s.start_date), str(s.end_date), tuple(s.weekdays), str(s.daily_start)) for s in schedules}
    assert windows == {("2026-12-01", "2026-12-31", (0, 2, 4), "07:00:00")}
    actions = session.exec(select(AuditEvent.action, AuditEvent.object_type)).all()
    assert ("submit", "submission") in actions and ("create", "schedule") in actions


def test_a_bad_target_makes_nothing(client, users, tree, session) -> None:
    refused = _publish(client, users["editor_a"], targets={"unit_ids": [tree.commune_b]})
    assert refused.status_code == 422
    assert refused.json()["code"] == "publication.invalid_reference"
    assert session.exec(select(Bulletin)).all() == [] and session.exec(select(Submission)).all() == []


def test_a_publication_needs_a_title_or_an_image(client, users) -> None:
    refused = _publish(client, users["editor_a"], title="", body="Chỉ có nội dung")
    assert refused.status_code == 422 and "title" in refused.json()["detail"]


def test_one_approval_puts_the_whole_on_the_board(client, app, users, make_board, session) -> None:
    board = make_board()
    got = _publish(client, users["editor_a"]).json()
    assert _texts(client, app, session, board.id) == []
    approved = _decide(client, users["approver_a"], got["id"], "approved")
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    session.expire_all()
    assert {session.get(Schedule, s).state.value for s in got["schedule_ids"]} == {"approved"}
    assert _texts(client, app, session, board.id) == ON_AIR


def test_nobody_approves_their_own_submission(client, users) -> None:
    got = _publish(client, users["admin_a"]).json()
    refused = _decide(client, users["admin_a"], got["id"], "approved")
    assert (refused.status_code, refused.json()["code"]) == (403, "content.four_eyes")
    queue = client.get(f"{API}/submissions/queue", headers=users["admin_a"].headers).json()
    assert queue == []
    theirs = client.get(f"{API}/submissions/queue", headers=users["approver_a"].headers).json()
    assert [s["id"] for s in theirs] == [got["id"]]


def test_a_rejection_reaches_the_author_with_its_reason(client, users, session) -> None:
    got = _publish(client, users["editor_a"]).json()
    no_reason = _decide(client, users["approver_a"], got["id"], "rejected")
    assert no_reason.json()["code"] == "content.reason_needed"
    _decide(client, users["approver_a"], got["id"], "rejected", "Sai giờ tiếp dân")
    mine = client.get(f"{API}/submissions", params={"mine": True}, headers=users["editor_a"].headers).json()
    assert [(s["state"], s["rejection_reason"]) for s in mine] == [("rejected", "Sai giờ tiếp dân")]
    session.expire_all()
    assert session.get(Bulletin, got["bulletin_id"]).state == "rejected"


def test_the_parts_of_a_submission_leave_the_per_part_queue(client, users) -> None:
    _publish(client, users["editor_a"])
    per_part = client.get(f"{API}/approvals", headers=users["approver_a"].headers).json()
    assert per_part == []


def test_a_trusted_editors_publication_is_approved_at_once(client, users, tree) -> None:
    client.put(f"{API}/units/{tree.commune_a}/approval-settings",
               json={"trusted_editors_auto_approve": True}, headers=users["admin_a"].headers)
    assert _publish(client, users["editor_a"]).json()["state"] == "approved"


def test_an_edit_of_an_approved_bulletin_stays_off_air_until_approved(
    client, app, users, make_board, session
) -> None:
    board = make_board()
    got = _publish(client, users["editor_a"]).json()
    _decide(client, users["approver_a"], got["id"], "approved")
    edited = {"body": "Thứ Sáu hằng tuần, 8 giờ."}
    patched = client.patch(f"{API}/bulletins/{got['bulletin_id']}", json=edited,
                           headers=users["editor_a"].headers).json()
    assert (patched["state"], patched["body"]) == ("approved", "Thứ Năm hằng tuần, 8 giờ.")
    assert patched["pending_edit"]["body"] == "Thứ Sáu hằng tuần, 8 giờ."
    assert _texts(client, app, session, board.id) == ON_AIR
    edit = client.get(f"{API}/submissions/queue", headers=users["approver_a"].headers).json()
    assert [(e["kind"], e["id"]) for e in edit] == [("edit", patched["pending_submission_id"])]
    _decide(client, users["approver_a"], patched["pending_submission_id"], "approved")
    assert _texts(client, app, session, board.id) == [(TITLE, "Thứ Sáu hằng tuần, 8 giờ.")]
    url = f"{API}/bulletins/{got['bulletin_id']}"
    after = client.get(url, headers=users["editor_a"].headers).json()
    assert (after["state"], after["pending_edit"]) == ("approved", None)


def test_a_rejected_edit_leaves_the_board_as_it_was(client, app, users, make_board, session) -> None:
    board = make_board()
    got = _publish(client, users["editor_a"]).json()
    _decide(client, users["approver_a"], got["id"], "approved")
    patched = client.patch(f"{API}/bulletins/{got['bulletin_id']}", json={"title": "Sai"},
                           headers=users["editor_a"].headers).json()
    _decide(client, users["approver_a"], patched["pending_submission_id"], "rejected", "Tiêu đề sai")
    assert _texts(client, app, session, board.id) == ON_AIR
    mine = client.get(f"{API}/submissions", params={"mine": True}, headers=users["editor_a"].headers).json()
    assert (mine[0]["kind"], mine[0]["rejection_reason"]) == ("edit", "Tiêu đề sai")


def test_a_second_edit_before_the_decision_replaces_the_first(client, users, session) -> None:
    got = _publish(client, users["editor_a"]).json()
    _decide(client, users["approver_a"], got["id"], "approved")
    url = f"{API}/bulletins/{got['bulletin_id']}"
    first = client.patch(url, json={"body": "Một"}, headers=users["editor_a"].headers).json()
    second = client.patch(url, json={"title": "Hai"}, headers=users["editor_a"].headers).json()
    assert first["pending_submission_id"] == second["pending_submission_id"]
    assert (second["pending_edit"]["title"], second["pending_edit"]["body"]) == ("Hai", "Một")


def test_an_edit_of_an_approved_schedule_waits_beside_it(client, app, users, make_board, session) -> None:
    board = make_board()
    got = _publish(client, users["editor_a"]).json()
    _decide(client, users["approver_a"], got["id"], "approved")
    url = f"{API}/schedules/{got['schedule_ids'][0]}"
    patched = client.patch(url, json={"daily_start": "07:00", "daily_end": "11:00"},
                           headers=users["editor_a"].headers).json()
    assert (patched["state"], patched["daily_start"]) == ("approved", None)
    assert patched["pending_edit"]["daily_end"] == "11:00:00"
    assert _texts(client, app, session, board.id) == ON_AIR  # still on the board meanwhile
    queue = client.get(f"{API}/submissions/queue", headers=users["approver_a"].headers).json()
    assert [(e["kind"], e["schedule_ids"], e["board_ids"]) for e in queue] == [
        ("edit", got["schedule_ids"], [board.id])]
    _decide(client, users["approver_a"], patched["pending_submission_id"], "approved")
    after = client.get(url, headers=users["editor_a"].headers).json()
    assert (after["state"], after["daily_start"], after["daily_end"], after["pending_edit"]) == (
        "approved", "07:00:00", "11:00:00", None)


def test_the_parts_of_a_rejected_publication_can_be_deleted_and_its_record_stays(client, users) -> None:
    got = _publish(client, users["editor_a"]).json()
    _decide(client, users["approver_a"], got["id"], "rejected", "Trùng thông báo đã có")
    editor = users["editor_a"].headers
    for schedule_id in got["schedule_ids"]:
        assert client.delete(f"{API}/schedules/{schedule_id}", headers=editor).status_code == 204
    deleted = client.delete(f"{API}/playlists/{got['playlist_id']}", headers=editor)
    assert deleted.status_code == 204, deleted.text
    deleted = client.delete(f"{API}/bulletins/{got['bulletin_id']}", headers=editor)
    assert deleted.status_code == 204, deleted.text
    mine = client.get(f"{API}/submissions", params={"mine": True}, headers=editor).json()
    assert [(s["title"], s["state"], s["bulletin_id"], s["playlist_id"]) for s in mine] == [
        (TITLE, "rejected", None, None)]


def test_deleting_what_an_edit_waits_on_drops_the_edit(client, users, session) -> None:
    got = _publish(client, users["editor_a"]).json()
    _decide(client, users["approver_a"], got["id"], "approved")
    editor = users["editor_a"].headers
    patched = client.patch(f"{API}/bulletins/{got['bulletin_id']}", json={"body": "Thứ Sáu."}, headers=editor)
    assert patched.json()["pending_submission_id"] is not None
    for schedule_id in got["schedule_ids"]:
        assert client.delete(f"{API}/schedules/{schedule_id}", headers=editor).status_code == 204
    assert client.delete(f"{API}/playlists/{got['playlist_id']}", headers=editor).status_code == 204
    assert client.delete(f"{API}/bulletins/{got['bulletin_id']}", headers=editor).status_code == 204
    assert client.get(f"{API}/submissions/queue", headers=users["approver_a"].headers).json() == []
    session.expire_all()
    left = session.exec(select(Submission)).all()
    assert [(s.kind, s.bulletin_id) for s in left] == [("publication", None)]
