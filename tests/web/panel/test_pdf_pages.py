"""PDF documents in the panel: uploaded like an image, refused in Vietnamese with the API's code,
every page shown on the document's page, and added to a playlist with the seconds of each page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from signage_server.models import Media, MediaPage, PlaylistItem
from tests.support.panel_client import csrf_of, login
from tests.support.pdfs import blank_pdf, colour_pdf, encrypted_pdf


def _upload(client, csrf: str, data: bytes, name: str = "Lịch tiếp dân.pdf"):
    return client.post("/panel/media", files={"file": (name, data, "application/pdf")},
                       data={"category": "policy_law"}, headers={"X-CSRF-Token": csrf})


def test_a_pdf_is_uploaded_and_its_page_shows_every_page(client, users, session) -> None:
    csrf = login(client, "editor-a")
    answer = _upload(client, csrf, colour_pdf())
    assert answer.status_code == 201, answer.text
    media_id = answer.json()["id"]
    row = session.get(Media, media_id)
    assert row is not None and row.title == "Lịch tiếp dân" and row.content_type == "application/pdf"
    page = client.get(f"/panel/media/{media_id}").text
    assert "Tài liệu PDF, 3 trang" in page
    for position in range(3):
        assert f'src="/panel/media/{media_id}/pages/{position}"' in page
        picture = client.get(f"/panel/media/{media_id}/pages/{position}")
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert client.get(f"/panel/media/{media_id}/pages/3").status_code == 404
    assert "PDF · " in client.get("/panel/media").text


@pytest.mark.parametrize(("data", "name", "said"), [
    (b"PK\x03\x04 a zip archive, not a document" * 8, "văn bản.pdf",
     "Tệp được đặt tên hoặc ghi là PDF nhưng nội dung không phải là tài liệu PDF."),
    (encrypted_pdf(colour_pdf()), "mật.pdf",
     "Tệp PDF đã bị mã hóa (có mật khẩu, hoặc khóa sao chép hay in); hãy lưu lại tệp mà không đặt bảo vệ."),
    (blank_pdf(201), "dài.pdf",
     "Tệp PDF có 201 trang; giới hạn là 200 trang. Hãy tách thành các tài liệu nhỏ hơn."),
    (blank_pdf(1, size_pt=(6000.0, 842.0)), "băng rôn.pdf",
     "Trang 1 của tệp PDF có kích thước 212 × 30 cm; giới hạn là 176 cm mỗi cạnh."),
    (colour_pdf()[:500], "hỏng.pdf", "Tệp PDF bị hỏng hoặc không đầy đủ; hãy xuất lại tệp."),
])
def test_a_bad_pdf_is_refused_in_vietnamese_and_nothing_is_stored(client, users, session, settings, data,
                                                                   name, said) -> None:
    csrf = login(client, "editor-a")
    answer = _upload(client, csrf, data, name)
    assert answer.status_code in (400, 415, 422)
    assert answer.json()["detail"] == said
    assert session.exec(select(Media)).all() == [] and session.exec(select(MediaPage)).all() == []
    assert not [p for p in Path(settings.media_dir).rglob("*") if p.is_file()]


def test_a_pdf_item_takes_the_seconds_as_each_pages(client, users, session) -> None:
    csrf = login(client, "editor-a")
    media_id = _upload(client, csrf, colour_pdf()).json()["id"]
    made = client.post("/panel/playlists", data={"name": "Tài liệu", "csrf_token": csrf},
                       follow_redirects=False)
    playlist = int(made.headers["location"].rsplit("/", 1)[-1])
    page = client.get(f"/panel/playlists/{playlist}")
    client.post(f"/panel/playlists/{playlist}/items", data={
        "kind": "pdf", "media_id": str(media_id), "duration_s": "12", "csrf_token": csrf_of(page.text)})
    item = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist)).one()
    assert (item.kind, item.media_id, item.options) == ("pdf", media_id, {"page_s": 12.0})
    refused = client.post(f"/panel/playlists/{playlist}/items", data={
        "kind": "image", "media_id": str(media_id), "csrf_token": csrf_of(page.text)})
    assert "Tài liệu PDF được trình chiếu bằng mục “PDF”" in refused.text
