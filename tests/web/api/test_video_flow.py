"""A clip from upload to a board's manifest: probed and stored with its poster, approved, scheduled;
a clip a board cannot play is refused with its reason and leaves no record."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from signage_contract import Manifest, SignedManifest, VideoItem
from signage_server.models import ComposedManifest
from tests.support.publications import publish_with
from tests.support.video_clips import make_clip
from tests.web.api.test_flow import _publish

API = "/api/v1/media"


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("api-clips") / "tin.mp4", seconds=2)


def _upload(client, user, data: bytes, name: str = "bản tin.mp4", ctype: str = "video/mp4"):
    return client.post(API, files={"file": (name, data, ctype)}, data={"title": "Bản tin"},
                       headers=user.headers)


def test_an_uploaded_clip_is_probed_approved_and_reaches_the_board_as_a_video_item(
    client, app, users, tree, session, clip
) -> None:
    uploaded = _upload(client, users["editor_a"], clip.read_bytes())
    assert uploaded.status_code == 201, uploaded.text
    media = uploaded.json()
    assert (media["content_type"], media["width"], media["height"]) == ("video/mp4", 160, 90)
    thumbnail = client.get(f"{API}/{media['id']}/thumbnail", headers=users["editor_a"].headers)
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    _publish(client, users, "media", media["id"])

    board = client.post("/api/v1/boards", json={"name": "Bảng UBND", "unit_id": tree.village_a},
                        headers=users["admin_a"].headers).json()
    editor = users["editor_a"].headers
    playlist = client.post("/api/v1/playlists", json={"name": "Phim"}, headers=editor).json()["id"]
    as_image = client.post(f"/api/v1/playlists/{playlist}/items", headers=editor,
                           json={"kind": "image", "media_id": media["id"]})
    assert as_image.status_code == 422 and as_image.json()["code"] == "content.media_kind"
    added = client.post(f"/api/v1/playlists/{playlist}/items", headers=editor,
                        json={"kind": "video", "media_id": media["id"], "options": {"fit": "cover"}})
    assert added.status_code == 201, added.text
    schedule = client.post("/api/v1/schedules", headers=editor, json={
        "name": "Cả ngày", "layout_id": "fullscreen", "regions": {"main": playlist},
        "target_kind": "unit", "target_unit_id": tree.commune_a,
    }).json()["id"]
    _publish(client, users, "playlists", playlist)
    _publish(client, users, "schedules", schedule)
    client.portal.call(app.state.composer.wait_idle)

    session.expire_all()
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board["id"])).one()
    manifest = Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload)
    videos = [item for item in manifest.items if isinstance(item, VideoItem)]
    assert len(videos) == 1
    video = videos[0]
    assert video.media.sha256 == media["sha256"] and video.fit == "cover" and video.muted
    assert video.frame_rate == 10.0 and video.duration_s == pytest.approx(2.0, abs=0.15)
    assert video.poster is not None and video.poster.content_type == "image/jpeg"
    assert {video.media.sha256, video.poster.sha256} <= set(manifest.media())


@pytest.mark.parametrize(("data", "name", "status", "reason"), [
    (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 400, "tin.mp4", 400, "damaged"),
    (b"\x1a\x45\xdf\xa3" + b"\x00" * 40, "tin.webm", 415, "unsupported file type"),
])
def test_a_clip_that_cannot_play_is_refused_with_its_reason_and_leaves_no_record(
    client, users, data: bytes, name: str, status: int, reason: str
) -> None:
    response = _upload(client, users["editor_a"], data, name=name)
    assert response.status_code == status and reason in response.json()["detail"]
    assert client.get(API, headers=users["editor_a"].headers).json() == []


def test_a_clip_published_with_a_bulletin_becomes_a_video_item(client, users, session, clip) -> None:
    uploaded = _upload(client, users["editor_a"], clip.read_bytes()).json()["id"]
    items = publish_with(client, users["editor_a"], session, "Phim tuyên truyền", uploaded)
    assert [(i.kind, i.options) for i in items] == [("video", {"muted": True})]
    loud = publish_with(client, users["editor_a"], session, "Phim có tiếng", uploaded, clip_sound=True)
    assert [(i.kind, i.options) for i in loud] == [("video", {"muted": False})]
