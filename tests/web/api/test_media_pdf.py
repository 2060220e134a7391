"""PDF documents through the API: uploaded, their pages listed and served, shown by a pdf item in a
board's manifest; refused with a reason and nothing stored when bad."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from signage_contract import Manifest, PdfItem, SignedManifest
from signage_server.content import pdf_media
from signage_server.models import ComposedManifest, Media, MediaPage
from tests.support.pdfs import blank_pdf, colour_pdf, encrypted_pdf
from tests.support.publications import publish_with

API = "/api/v1/media"


def _upload(client, user, data: bytes, name: str = "Thông báo.pdf", ctype: str = "application/pdf"):
    return client.post(API, files={"file": (name, data, ctype)}, data={"title": "Lịch tiếp dân"},
                       headers=user.headers)


def _publish(client, users, kind: str, object_id: int) -> None:
    for user, state in (("editor_a", "submitted"), ("approver_a", "approved"), ("approver_a", "published")):
        response = client.post(f"/api/v1/{kind}/{object_id}/state", json={"state": state},
                               headers=users[user].headers)
        assert response.status_code == 200, response.text


def test_a_pdf_is_stored_with_its_pages(client, users) -> None:
    response = _upload(client, users["editor_a"], colour_pdf())
    assert response.status_code == 201, response.text
    media = response.json()
    assert media["content_type"] == "application/pdf" and media["original_name"] == "Thông báo.pdf"
    pages = client.get(f"{API}/{media['id']}/pages", headers=users["editor_a"].headers).json()
    assert [p["position"] for p in pages] == [0, 1, 2]
    assert pages[0]["width"] == pdf_media.DEFAULT_PAGE_PX  # no board in the unit yet
    page = client.get(f"{API}/{media['id']}/pages/2", headers=users["editor_a"].headers)
    assert page.status_code == 200 and page.headers["content-type"] == "image/jpeg"
    assert client.get(f"{API}/{media['id']}/pages/3", headers=users["editor_a"].headers).status_code == 404
    thumb = client.get(f"{API}/{media['id']}/thumbnail", headers=users["editor_a"].headers)
    assert thumb.status_code == 200


def test_pages_are_drawn_for_the_largest_board_of_the_unit(client, users, tree) -> None:
    for name, width, height in (("LED xã", 768, 384), ("LCD", 1280, 1440)):
        client.post("/api/v1/boards", headers=users["admin_a"].headers,
                    json={"name": name, "unit_id": tree.village_a, "width": width, "height": height})
    media = _upload(client, users["editor_a"], colour_pdf()).json()
    pages = client.get(f"{API}/{media['id']}/pages", headers=users["editor_a"].headers).json()
    assert pages[0]["width"] == 1440


def test_another_communes_pdf_pages_are_not_found(client, users) -> None:
    media = _upload(client, users["editor_a"], colour_pdf()).json()
    assert client.get(f"{API}/{media['id']}/pages", headers=users["editor_b"].headers).status_code == 404
    assert client.get(f"{API}/{media['id']}/pages/0", headers=users["editor_b"].headers).status_code == 404


@pytest.mark.parametrize(("data", "name", "status", "code"), [
    (b"MZ\x90\x00 an executable named as a document" * 4, "tài liệu.pdf", 415, "media.pdf_not_pdf"),
    (colour_pdf()[:300], "hỏng.pdf", 400, "media.damaged"),
    (encrypted_pdf(colour_pdf()), "mật.pdf", 422, "media.pdf_encrypted"),
    (blank_pdf(201), "dài.pdf", 422, "media.pdf_too_many_pages"),
    (blank_pdf(1, size_pt=(10_000.0, 10_000.0)), "to.pdf", 422, "media.pdf_page_too_large"),
])
def test_a_bad_pdf_is_refused_with_its_reason_and_nothing_stored(client, users, settings, session, data, name,
                                                                  status, code) -> None:
    response = _upload(client, users["editor_a"], data, name=name)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert session.exec(select(Media)).all() == [] and session.exec(select(MediaPage)).all() == []
    stored = [p for p in Path(settings.media_dir).rglob("*") if p.is_file()]
    assert stored == []


def test_a_pdf_over_the_upload_limit_is_refused(client, app, users, settings, session) -> None:
    app.state.media_store.max_bytes = 4096  # what SIGNAGE_MAX_UPLOAD_BYTES sets, small for the test
    response = _upload(client, users["editor_a"], colour_pdf())
    assert response.status_code == 413 and response.json()["code"] == "media.too_large"
    assert session.exec(select(Media)).all() == []
    assert not [p for p in Path(settings.media_dir).rglob("*") if p.is_file()]


def test_an_image_item_cannot_show_a_pdf_and_a_pdf_item_no_image(client, users) -> None:
    editor = users["editor_a"].headers
    document = _upload(client, users["editor_a"], colour_pdf()).json()["id"]
    playlist = client.post("/api/v1/playlists", json={"name": "Tài liệu"}, headers=editor).json()["id"]
    wrong = client.post(f"/api/v1/playlists/{playlist}/items", json={"kind": "image", "media_id": document},
                        headers=editor)
    assert wrong.status_code == 422 and wrong.json()["code"] == "content.pdf_kind_mismatch"


def test_a_pdf_item_reaches_the_board_with_every_page(client, app, users, tree, session) -> None:
    editor = users["editor_a"].headers
    board = client.post("/api/v1/boards", json={"name": "Bảng UBND", "unit_id": tree.village_a},
                        headers=users["admin_a"].headers).json()["id"]
    document = _upload(client, users["editor_a"], colour_pdf()).json()["id"]
    playlist = client.post("/api/v1/playlists", json={"name": "Tài liệu"}, headers=editor).json()["id"]
    added = client.post(f"/api/v1/playlists/{playlist}/items", headers=editor,
                        json={"kind": "pdf", "media_id": document, "options": {"page_s": 6}})
    assert added.status_code == 201, added.text
    schedule = client.post("/api/v1/schedules", headers=editor, json={
        "name": "Cả ngày", "layout_id": "fullscreen", "regions": {"main": playlist},
        "target_kind": "unit", "target_unit_id": tree.commune_a}).json()["id"]
    for kind, ident in (("media", document), ("playlists", playlist), ("schedules", schedule)):
        _publish(client, users, kind, ident)
    client.portal.call(app.state.composer.wait_idle)
    session.expire_all()
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board)).one()
    manifest = Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload)
    [item] = [i for i in manifest.items if isinstance(i, PdfItem)]
    pages = client.get(f"{API}/{document}/pages", headers=editor).json()
    assert [p.sha256 for p in item.pages] == [p["sha256"] for p in pages]
    assert (item.page_s, item.duration_s) == (6.0, 18.0)
    assert {p["sha256"] for p in pages} <= set(manifest.media())
    assert set(row.media_sha256) >= set(manifest.media())  # the board may fetch every page


def test_deleting_a_pdf_removes_its_pages(client, users, settings, session) -> None:
    media = _upload(client, users["editor_a"], colour_pdf()).json()
    assert client.delete(f"{API}/{media['id']}", headers=users["editor_a"].headers).status_code == 204
    assert session.exec(select(MediaPage)).all() == []
    assert not [p for p in Path(settings.media_dir).rglob("*") if p.is_file() and "tmp" not in p.parts]


def test_a_pdf_published_with_a_bulletin_becomes_a_pdf_item(client, users, session) -> None:
    document = _upload(client, users["editor_a"], colour_pdf()).json()["id"]
    items = publish_with(client, users["editor_a"], session, "Lịch tiếp dân", document)
    assert [(i.kind, i.options) for i in items] == [("pdf", {"page_s": items[0].duration_s})]
