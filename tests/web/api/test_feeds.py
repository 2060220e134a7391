"""The feeds API: editors of the unit manage feeds in their scope, only admins and approvers
trust one, and an address that is not http(s) is refused."""

from __future__ import annotations

import pytest


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"  # the feed rules are not the database's; keep it quick


def _playlist(client, headers) -> int:
    made = client.post("/api/v1/playlists", json={"name": "Tin"}, headers=headers)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _body(playlist_id: int, **fields) -> dict:
    return {"name": "Cổng tin xã", "url": "https://example.vn/rss", "target": "ticker",
            "playlist_id": playlist_id, **fields}


def test_an_editor_creates_a_feed_that_needs_approval(client, users) -> None:
    editor = users["editor_a"].headers
    made = client.post("/api/v1/feeds", json=_body(_playlist(client, editor)), headers=editor)
    assert made.status_code == 201, made.text
    assert (made.json()["trusted"], made.json()["status"]) == (False, "new")
    assert [f["id"] for f in client.get("/api/v1/feeds", headers=editor).json()] == [made.json()["id"]]
    other = client.get(f"/api/v1/feeds/{made.json()['id']}", headers=users["editor_b"].headers)
    assert other.status_code == 404


def test_only_an_approver_or_admin_trusts_a_feed(client, users) -> None:
    editor = users["editor_a"].headers
    body = _body(_playlist(client, editor), trusted=True)
    refused = client.post("/api/v1/feeds", json=body, headers=editor)
    assert (refused.status_code, refused.json()["code"]) == (403, "feed.trust_role_needed")
    made = client.post("/api/v1/feeds", json={**body, "trusted": False}, headers=editor).json()
    trusted = client.patch(f"/api/v1/feeds/{made['id']}", json={"trusted": True},
                           headers=users["approver_a"].headers)
    assert trusted.json()["trusted"] is True
    moved = client.patch(f"/api/v1/feeds/{made['id']}", json={"url": "https://other.vn/rss"}, headers=editor)
    assert moved.json()["trusted"] is False  # a new address needs a new trust


def test_a_feed_address_must_be_http(client, users) -> None:
    editor = users["editor_a"].headers
    refused = client.post("/api/v1/feeds", json=_body(_playlist(client, editor), url="file:///etc/passwd"),
                          headers=editor)
    assert refused.status_code == 422


def test_a_viewer_cannot_create_a_feed(client, users) -> None:
    playlist = _playlist(client, users["editor_a"].headers)
    refused = client.post("/api/v1/feeds", json=_body(playlist), headers=users["viewer_a"].headers)
    assert refused.status_code == 403
