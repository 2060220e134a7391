"""Requisitioned boards through the API: windows set by the unit's admins and approvers, an owner
account limited to its board's own content, approval by the unit's approvers, the signed manifest
carrying the windows, and the report proving them honoured."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from signage_contract import LOCAL_ZONE, Manifest, SignedManifest
from signage_server.core.auth import issue_token
from signage_server.models import BoardKind, ComposedManifest, PlayLog, TokenKind, User
from tests.support.factories import TEST_PASSWORD

# The rules below do not depend on the database; the last test runs on PostgreSQL too (the new role
# is a value of a PostgreSQL enum).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HOURLY = {"daily_start": "06:00:00", "daily_end": "22:00:00", "every_min": 60, "length_min": 5}


@pytest.fixture
def shop(make_board, tree):
    return make_board(tree.commune_a, kind=BoardKind.COMMERCIAL)


@pytest.fixture
def owner(client, session, users, shop) -> dict[str, str]:
    made = client.post("/api/v1/users", headers=users["admin_a"].headers, json={
        "username": "chu-bang", "full_name": "Cửa hàng Minh Anh", "role": "owner",
        "unit_id": shop.unit_id, "board_id": shop.id, "password": TEST_PASSWORD + " minh anh"})
    assert made.status_code == 201, made.text
    assert made.json()["board_id"] == shop.id
    user = session.get(User, made.json()["id"])
    token, _ = issue_token(session, user, TokenKind.SESSION, "test", None)
    return {"Authorization": f"Bearer {token}"}


def _manifest(session, board_id: int) -> Manifest:
    session.expire_all()
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board_id)).one()
    return Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload)


def _rows(client, path: str, headers: dict[str, str]) -> list[dict[str, object]]:
    body = client.get(path, headers=headers).json()
    return body if isinstance(body, list) else body["items"]


@SQLITE_ONLY
def test_windows_are_set_by_the_units_admins_and_approvers_only_on_requisitioned_boards(
    client, users, shop, make_board
) -> None:
    url = f"/api/v1/boards/{shop.id}/requisition-windows"
    assert client.post(url, json=HOURLY, headers=users["editor_a"].headers).status_code == 403
    assert client.post(url, json=HOURLY, headers=users["operator_a"].headers).status_code == 403
    made = client.post(url, json=HOURLY, headers=users["approver_a"].headers)
    assert made.status_code == 201, made.text
    assert [w["id"] for w in client.get(url, headers=users["viewer_a"].headers).json()] == [made.json()["id"]]
    public = make_board()
    refused = client.post(f"/api/v1/boards/{public.id}/requisition-windows", json=HOURLY,
                          headers=users["admin_a"].headers)
    assert refused.status_code == 409 and refused.json()["code"] == "board.not_requisitioned"
    bad = client.post(url, json={**HOURLY, "length_min": 60}, headers=users["admin_a"].headers)
    assert bad.status_code == 422
    other = client.post(url, json=HOURLY, headers=users["editor_b"].headers)
    assert other.status_code == 403
    gone = client.delete(f"{url}/{made.json()['id']}", headers=users["admin_a"].headers)
    assert gone.status_code == 204


@SQLITE_ONLY
def test_an_owner_account_needs_a_requisitioned_board(client, users, make_board, tree) -> None:
    public = make_board()
    for board_id in (public.id, None):
        refused = client.post("/api/v1/users", headers=users["admin_a"].headers, json={
            "username": "chu-bang", "role": "owner", "unit_id": tree.commune_a, "board_id": board_id,
            "password": TEST_PASSWORD + " minh anh"})
        assert refused.status_code == 422, refused.text


@SQLITE_ONLY
def test_the_owner_reaches_nothing_but_its_own_content(client, users, owner, shop, make_board) -> None:
    added = client.post("/api/v1/owner/slides", headers=owner,
                        json={"title": "Khuyến mãi cuối tuần", "body": "Giảm 20%", "duration_s": 8})
    assert added.status_code == 201, added.text
    mine = added.json()
    assert mine["board_id"] == shop.id and [s["state"] for s in mine["slides"]] == ["submitted"]
    for path in ("/api/v1/boards", "/api/v1/playlists", "/api/v1/bulletins", "/api/v1/schedules"):
        assert _rows(client, path, owner) == [], path
    assert client.get(f"/api/v1/boards/{shop.id}", headers=owner).status_code == 404
    assert client.get(f"/api/v1/playlists/{mine['playlist_id']}", headers=owner).status_code == 404
    assert client.post("/api/v1/playlists", json={"name": "x"}, headers=owner).status_code == 403
    assert client.post(f"/api/v1/boards/{shop.id}/requisition-windows", json=HOURLY,
                       headers=owner).status_code == 403
    assert client.get("/api/v1/owner/content", headers=users["editor_a"].headers).status_code == 403


@SQLITE_ONLY
def test_government_editors_cannot_edit_the_owners_playlist(client, users, owner) -> None:
    mine = client.post("/api/v1/owner/slides", headers=owner, json={"title": "Khai trương"}).json()
    editor = users["editor_a"].headers
    playlist, bulletin = mine["playlist_id"], mine["slides"][0]["bulletin_id"]
    assert client.get(f"/api/v1/playlists/{playlist}", headers=editor).status_code == 404
    for path, patch in ((f"playlists/{playlist}", {"name": "x"}), (f"bulletins/{bulletin}", {"title": "x"})):
        assert client.patch(f"/api/v1/{path}", json=patch, headers=editor).status_code == 404
    assert playlist not in [p["id"] for p in _rows(client, "/api/v1/playlists", editor)]
    own = client.post("/api/v1/playlists", json={"name": "Xã"}, headers=editor).json()["id"]
    borrowed = client.post(f"/api/v1/playlists/{own}/items", headers=editor,
                           json={"kind": "bulletin", "bulletin_id": bulletin})
    assert borrowed.status_code == 422


def test_approved_owner_content_and_windows_reach_the_signed_manifest_and_the_report(
    client, app, users, owner, shop, session
) -> None:
    mine = client.post("/api/v1/owner/slides", headers=owner, json={"title": "Khai trương"}).json()
    approver = users["approver_a"].headers
    for kind, ident in (("bulletins", mine["slides"][0]["bulletin_id"]), ("playlists", mine["playlist_id"]),
                        ("schedules", mine["schedule_id"])):
        done = client.post(f"/api/v1/{kind}/{ident}/state", json={"state": "approved"}, headers=approver)
        assert done.status_code == 200, done.text
    client.post(f"/api/v1/boards/{shop.id}/requisition-windows", json=HOURLY, headers=approver)
    client.portal.call(app.state.composer.wait_idle)
    manifest = _manifest(session, shop.id)
    assert manifest.requisition is not None and manifest.requisition.windows
    assert [(s.schedule_id, s.owner) for s in manifest.sources] == [(str(mine["schedule_id"]), True)]

    day = date(2026, 11, 23)
    six = datetime.combine(day, time(6), tzinfo=LOCAL_ZONE).astimezone(UTC)

    def play(n: int, start: datetime, seconds: int, schedule: str) -> PlayLog:
        return PlayLog(board_id=shop.id, record_id=f"r{n}", unit_id=shop.unit_id, region_id="main",
                       item_id="i", schedule_id=schedule, reason="scheduled", category="other",
                       priority="normal", started_at=start, ended_at=start + timedelta(seconds=seconds),
                       duration_s=seconds, received_at=start)

    session.add(play(1, six, 300, "999"))  # the province's, inside the 06:00 window
    session.add(play(2, six + timedelta(minutes=5), 600, str(mine["schedule_id"])))  # the owner's, after
    session.commit()
    url = f"/api/v1/boards/{shop.id}/requisition-report?day={day}"
    report = client.get(url, headers=users["viewer_a"].headers).json()
    assert report["honoured"] is True and len(report["windows"]) == 16
    assert report["windows"][0]["government_s"] == 300 and report["outside_owner_s"] == 600
    session.add(play(3, six + timedelta(hours=1, minutes=2), 60, str(mine["schedule_id"])))
    session.commit()
    report = client.get(url, headers=users["viewer_a"].headers).json()
    assert report["honoured"] is False and report["windows"][1]["owner_s"] == 60
