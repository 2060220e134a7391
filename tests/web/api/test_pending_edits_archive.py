"""An edit of an approved playlist or image waits beside it while the approved version stays on
air (issue 13 part 2), and content can be archived and restored (part 3)."""

import io

from PIL import Image
from sqlmodel import select

from signage_contract import ImageItem, Manifest, SignedManifest, TextItem, TickerItem
from signage_server.models import AuditEvent, ComposedManifest

API = "/api/v1"
TITLE, BODY = "Thông báo lịch tiếp công dân", "Thứ Năm hằng tuần, 8 giờ."


def _publish(client, user, **fields):
    body = {"title": TITLE, "body": BODY, "targets": {"unit_ids": [user.unit_id]}, **fields}
    made = client.post(f"{API}/publications", json=body, headers=user.headers)
    assert made.status_code == 201, made.text
    return made.json()


def _approve(client, user, submission_id: int, state: str = "approved", reason: str = ""):
    return client.post(f"{API}/submissions/{submission_id}/decision", json={"state": state, "reason": reason},
                       headers=user.headers)


def _on_air(client, app, session, board_id: int) -> list:
    """The manifest's items as the board gets them."""
    client.portal.call(app.state.composer.wait_idle)
    session.expire_all()
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board_id)).one()
    return list(Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload).items)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _published(client, users):
    got = _publish(client, users["editor_a"])
    assert _approve(client, users["approver_a"], got["id"]).status_code == 200
    return got


def test_an_edit_of_an_approved_playlist_stays_off_air_until_approved(
    client, app, users, make_board, session
):
    board = make_board()
    got = _published(client, users)
    editor, url = users["editor_a"].headers, f"{API}/playlists/{got['playlist_id']}"
    added = client.post(f"{url}/items", json={"kind": "ticker", "text": "Mất điện chiều nay"}, headers=editor)
    assert added.status_code == 201, added.text
    draft = added.json()
    assert draft["state"] == "approved" and len(draft["items"]) == 1
    new_id = draft["pending_edit"]["items"][1]["id"]
    assert new_id < 0
    ordered = client.post(f"{url}/items/reorder", json={"item_ids": [new_id, draft["items"][0]["id"]]},
                          headers=editor).json()
    assert [i["kind"] for i in ordered["pending_edit"]["items"]] == ["ticker", "bulletin"]
    client.patch(url, json={"name": "Tin mới"}, headers=editor)
    assert [type(i) for i in _on_air(client, app, session, board.id)] == [TextItem]
    queue = client.get(f"{API}/submissions/queue", headers=users["approver_a"].headers).json()
    assert [(s["kind"], s["playlist_id"], s["board_ids"]) for s in queue] == [
        ("edit", got["playlist_id"], [board.id])]
    assert _approve(client, users["approver_a"], queue[0]["id"]).status_code == 200
    assert [type(i) for i in _on_air(client, app, session, board.id)] == [TickerItem, TextItem]
    after = client.get(url, headers=editor).json()
    assert (after["name"], after["pending_edit"], after["state"]) == ("Tin mới", None, "approved")
    assert all(i["id"] > 0 for i in after["items"])


def test_removing_and_changing_items_waits_too_and_a_rejection_keeps_what_is_on_air(
    client, app, users, make_board, session
):
    board = make_board()
    got = _published(client, users)
    editor, url = users["editor_a"].headers, f"{API}/playlists/{got['playlist_id']}"
    item_id = client.get(url, headers=editor).json()["items"][0]["id"]
    changed = client.patch(f"{url}/items/{item_id}", json={"duration_s": 30}, headers=editor).json()
    assert changed["pending_edit"]["items"][0]["duration_s"] == 30 and changed["items"][0]["duration_s"] == 10
    removed = client.delete(f"{url}/items/{item_id}", headers=editor).json()
    assert removed["pending_edit"]["items"] == [] and len(removed["items"]) == 1
    _approve(client, users["approver_a"], removed["pending_submission_id"], "rejected", "Còn cần tin này")
    assert [type(i) for i in _on_air(client, app, session, board.id)] == [TextItem]
    mine = client.get(f"{API}/submissions", params={"mine": True}, headers=editor).json()
    assert (mine[0]["kind"], mine[0]["rejection_reason"]) == ("edit", "Còn cần tin này")
    assert client.get(url, headers=editor).json()["pending_edit"] is None
    # An edit that would show content not yet approved cannot be approved.
    draft_bulletin = client.post(f"{API}/bulletins", json={"title": "Nháp"}, headers=editor).json()
    added = client.post(f"{url}/items", json={"kind": "bulletin", "bulletin_id": draft_bulletin["id"]},
                        headers=editor).json()
    refused = _approve(client, users["approver_a"], added["pending_submission_id"])
    assert (refused.status_code, refused.json()["code"]) == (409, "content.parts_not_approved")
    # A playlist with edits, decided or waiting, can still be deleted once nothing plays it.
    for schedule_id in got["schedule_ids"]:
        client.delete(f"{API}/schedules/{schedule_id}", headers=editor)
    deleted = client.delete(url, headers=editor)
    assert deleted.status_code == 204, deleted.text


def test_an_edit_of_an_approved_image_waits_beside_it(client, app, users, make_board, session):
    board = make_board()
    editor = users["editor_a"].headers
    media = client.post(f"{API}/media", files={"file": ("a.png", _png(), "image/png")}, data={"title": "Cũ"},
                        headers=editor).json()
    got = _publish(client, users["editor_a"], title="", body="", media_ids=[media["id"]])
    _approve(client, users["approver_a"], got["id"])
    assert [type(i) for i in _on_air(client, app, session, board.id)] == [ImageItem]
    patched = client.patch(f"{API}/media/{media['id']}", json={"title": "Mới", "category": "policy_law"},
                           headers=editor).json()
    assert (patched["state"], patched["title"], patched["pending_edit"]["title"]) == ("approved", "Cũ", "Mới")
    assert [type(i) for i in _on_air(client, app, session, board.id)] == [ImageItem]
    _approve(client, users["approver_a"], patched["pending_submission_id"])
    after = client.get(f"{API}/media/{media['id']}", headers=editor).json()
    assert (after["title"], after["category"], after["pending_edit"]) == ("Mới", "policy_law", None)


def test_an_archived_schedule_leaves_the_board_and_comes_back_without_a_new_approval(
    client, app, users, make_board, session
):
    board = make_board()
    got = _published(client, users)
    editor, url = users["editor_a"].headers, f"{API}/schedules/{got['schedule_ids'][0]}"
    archived = client.post(f"{url}/archive", headers=editor)
    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    assert _on_air(client, app, session, board.id) == []
    listed = client.get(f"{API}/schedules", headers=editor).json()
    assert got["schedule_ids"][0] not in [s["id"] for s in listed]
    shelf = client.get(f"{API}/schedules", params={"archived": True}, headers=editor).json()
    assert [s["id"] for s in shelf] == got["schedule_ids"]
    edited = client.patch(url, json={"name": "x"}, headers=editor)
    assert (edited.status_code, edited.json()["code"]) == (409, "content.archived")
    restored = client.post(f"{url}/restore", headers=editor).json()
    assert (restored["state"], restored["archived_at"]) == ("approved", None)
    assert [type(i) for i in _on_air(client, app, session, board.id)] == [TextItem]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == "schedule")).all()
    assert "archive" in actions and "restore" in actions


def test_archiving_what_live_content_uses_says_where_it_is_used_and_needs_an_editor_in_scope(
    client, users
):
    got = _published(client, users)
    editor = users["editor_a"].headers
    refused = client.post(f"{API}/bulletins/{got['bulletin_id']}/archive", headers=editor)
    assert (refused.status_code, refused.json()["code"]) == (409, "content.in_use")
    assert refused.json()["params"]["used_by"] == str(got["playlist_id"])
    in_use = client.post(f"{API}/playlists/{got['playlist_id']}/archive", headers=editor).json()
    assert in_use["params"]["used_by_kind"] == "schedule"
    for schedule_id in got["schedule_ids"]:
        client.post(f"{API}/schedules/{schedule_id}/archive", headers=editor)
    assert client.post(f"{API}/playlists/{got['playlist_id']}/archive", headers=editor).status_code == 200
    assert client.post(f"{API}/bulletins/{got['bulletin_id']}/archive", headers=editor).status_code == 200
    assert client.get(f"{API}/bulletins", headers=editor).json() == []
    # Restoring the schedule brings back what it plays, so it plays whole again.
    client.post(f"{API}/schedules/{got['schedule_ids'][0]}/restore", headers=editor)
    assert [b["id"] for b in client.get(f"{API}/bulletins", headers=editor).json()] == [got["bulletin_id"]]
    assert client.get(f"{API}/playlists/{got['playlist_id']}", headers=editor).json()["archived_at"] is None
    url = f"{API}/bulletins/{got['bulletin_id']}/restore"
    assert client.post(url, headers=users["viewer_a"].headers).status_code == 403
    assert client.post(url, headers=users["editor_b"].headers).status_code == 404
