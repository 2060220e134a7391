import io

import pytest
from PIL import Image

API = "/api/v1/media"


def _png(width: int = 40, height: int = 30, color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(client, user, data: bytes, name: str = "ảnh.png", ctype: str = "image/png", **form):
    return client.post(API, files={"file": (name, data, ctype)}, data=form, headers=user.headers)


def test_upload_answers_size_type_and_digest(client, users, changes) -> None:
    response = _upload(client, users["editor_a"], _png(), title="Lễ hội")
    assert response.status_code == 201
    body = response.json()
    assert (body["width"], body["height"], body["content_type"]) == (40, 30, "image/png")
    assert len(body["sha256"]) == 64 and body["state"] == "draft"
    assert changes[-1].media == {body["id"]}


def test_same_image_twice_in_one_unit_is_one_record(client, users) -> None:
    first = _upload(client, users["editor_a"], _png())
    second = _upload(client, users["editor_a"], _png())
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]


@pytest.mark.parametrize(("data", "ctype", "status", "message"), [
    (b"", "image/png", 400, "empty"),
    (_png()[:60], "image/png", 400, "truncated"),
    (b"GIF89a" + b"\0" * 40, "image/gif", 415, "GIF is not accepted"),
])
def test_bad_upload_is_refused_with_a_message(client, users, data, ctype, status, message) -> None:
    response = _upload(client, users["editor_a"], data, ctype=ctype)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_refused_upload_leaves_no_record(client, users) -> None:
    _upload(client, users["editor_a"], b"")
    assert client.get(API, headers=users["editor_a"].headers).json() == []


def test_thumbnail_is_a_jpeg(client, users) -> None:
    media = _upload(client, users["editor_a"], _png()).json()
    response = client.get(f"{API}/{media['id']}/thumbnail", headers=users["editor_a"].headers)
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"


def test_viewer_cannot_upload(client, users) -> None:
    assert _upload(client, users["viewer_a"], _png()).status_code == 403


def test_media_of_another_commune_is_not_found(client, users) -> None:
    media = _upload(client, users["editor_b"], _png()).json()
    assert client.get(f"{API}/{media['id']}", headers=users["editor_a"].headers).status_code == 404
    assert client.get(f"{API}/{media['id']}/content", headers=users["editor_a"].headers).status_code == 404


def test_title_is_nfc(client, users) -> None:
    import unicodedata

    media = _upload(client, users["editor_a"], _png(), title=unicodedata.normalize("NFD", "Ảnh đẹp")).json()
    assert media["title"] == "Ảnh đẹp"


def test_media_state_route_moves_it(client, users) -> None:
    media = _upload(client, users["editor_a"], _png()).json()
    response = client.post(f"{API}/{media['id']}/state", json={"state": "submitted"},
                           headers=users["editor_a"].headers)
    assert response.json()["state"] == "submitted"


def test_a_script_appended_to_a_png_is_not_served(client, users) -> None:
    script = b"<script>alert(document.cookie)</script>"
    media = _upload(client, users["editor_a"], _png() + script).json()
    served = client.get(f"{API}/{media['id']}/content", headers=users["editor_a"].headers)
    assert served.status_code == 200 and script not in served.content
    assert len(served.content) == media["size"]
    with Image.open(io.BytesIO(served.content)) as im:
        assert im.size == (40, 30)


def test_media_validity_is_set_by_patch_checked_in_order_and_marked_expired(client, users) -> None:
    editor = users["editor_a"].headers
    created = _upload(client, users["editor_a"], _png()).json()
    url = f"{API}/{created['id']}"
    assert created["valid_until"] is None and created["expired"] is False
    dated = client.patch(url, json={"valid_from": "2026-11-20T00:00:00+07:00"}, headers=editor)
    assert dated.status_code == 200
    backwards = client.patch(url, json={"valid_until": "2026-11-19T00:00:00+07:00"}, headers=editor)
    assert backwards.status_code == 422
    assert "valid_until must be after valid_from" in backwards.text
    client.patch(url, json={"valid_until": "2026-11-25T00:00:00+07:00"}, headers=editor)
    listed = {m["id"]: m for m in client.get(API, headers=editor).json()}
    assert listed[created["id"]]["expired"] is True
    assert listed[created["id"]]["valid_from"].startswith("2026-11-19T17:00")
