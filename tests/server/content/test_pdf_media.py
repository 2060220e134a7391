"""PDF uploads in the store: pages drawn in order at the size asked, every bad document refused
with its reason and nothing left behind. Every PDF is made by the test (tests/support/pdfs.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from signage_server.content import pdf_media
from signage_server.content.media_store import MediaRejected, MediaStore
from tests.support.pdfs import PAGE_COLOURS, blank_pdf, colour_pdf, encrypted_pdf

MAX_BYTES = 2 * 1024 * 1024


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media", max_bytes=MAX_BYTES, max_pixels=4_000_000)


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def centre_colour(store: MediaStore, sha256: str) -> tuple[int, int, int]:
    with Image.open(store.path(sha256)) as im:
        return im.convert("RGB").getpixel((im.width // 2, im.height // 2))  # type: ignore[return-value]


def near(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= 12 for x, y in zip(a, b, strict=True))


def test_pages_are_stored_in_order_at_the_size_asked(store: MediaStore) -> None:
    stored = pdf_media.ingest_pdf(store, io.BytesIO(colour_pdf()), 1280)
    assert len(stored.pages) == 3
    for page, colour in zip(stored.pages, PAGE_COLOURS, strict=False):
        assert page.width == 1280 and abs(page.height - 905) <= 1  # 420 x 297: long side 1280
        assert near(centre_colour(store, page.sha256), colour)
        assert store.thumbnail_path(page.sha256).is_file()
    assert store.path(stored.sha256).read_bytes().startswith(b"%PDF-")  # the original, kept
    assert store.thumbnail_path(stored.sha256).is_file()  # the library's thumbnail: page 1
    assert not list((store.root / "tmp").iterdir())


def test_the_same_document_gives_the_same_files(store: MediaStore) -> None:
    document = colour_pdf()
    first = pdf_media.ingest_pdf(store, io.BytesIO(document), 1080)
    files = tree(store.root)
    again = pdf_media.ingest_pdf(store, io.BytesIO(document), 1080)
    assert again == first and tree(store.root) == files


def refused(store: MediaStore, data: bytes) -> MediaRejected:
    before = tree(store.root)
    with pytest.raises(MediaRejected) as info:
        pdf_media.ingest_pdf(store, io.BytesIO(data), 1080)
    assert tree(store.root) == before, "a refused PDF left files behind"
    return info.value


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"", 400, "media.empty"),
    (b"<html>not a pdf</html>" * 10, 415, "media.pdf_not_pdf"),
    (colour_pdf()[:400], 400, "media.damaged"),
    (b"%PDF-1.7\n" + b"\x00garbage" * 200, 400, "media.damaged"),
    (encrypted_pdf(colour_pdf()), 422, "media.pdf_encrypted"),
    (encrypted_pdf(colour_pdf(), user_password=""), 422, "media.pdf_encrypted"),  # opens, but protected
    (blank_pdf(pdf_media.MAX_PAGES + 1), 422, "media.pdf_too_many_pages"),
    (blank_pdf(2, size_pt=(14_400.0, 14_400.0)), 422, "media.pdf_page_too_large"),
])
def test_a_bad_document_is_refused_with_its_reason(store: MediaStore, data: bytes, status: int,
                                                    code: str) -> None:
    error = refused(store, data)
    assert (error.status_code, error.code) == (status, code)


def test_too_many_pages_says_how_many(store: MediaStore) -> None:
    error = refused(store, blank_pdf(pdf_media.MAX_PAGES + 1))
    assert error.params == {"pages": pdf_media.MAX_PAGES + 1, "limit": pdf_media.MAX_PAGES}
    assert "201 pages; the limit is 200" in error.message


def test_a_file_over_the_limit_is_refused_while_it_streams(tmp_path: Path) -> None:
    small = MediaStore(tmp_path / "media", max_bytes=4096, max_pixels=4_000_000)
    error = refused(small, colour_pdf())
    assert (error.status_code, error.code) == (413, "media.too_large")


def test_the_most_pages_allowed_are_drawn(store: MediaStore) -> None:
    stored = pdf_media.ingest_pdf(store, io.BytesIO(blank_pdf(pdf_media.MAX_PAGES)), 1080)
    assert len(stored.pages) == pdf_media.MAX_PAGES
    assert len({p.sha256 for p in stored.pages}) == 1  # blank pages are one file


@pytest.mark.parametrize(("name", "declared", "head", "expected"), [
    ("tài liệu.pdf", None, b"junk", True),
    ("scan.bin", "application/pdf", b"junk", True),
    ("scan.jpg", "image/jpeg", b"%PDF-1.4", True),
    ("ảnh.jpg", "image/jpeg", b"\xff\xd8\xff", False),
])
def test_a_pdf_is_known_by_content_name_or_type(name: str, declared: str | None, head: bytes,
                                                 expected: bool) -> None:
    source = io.BytesIO(head + b"\0" * 100)
    assert pdf_media.is_pdf(source, name, declared) is expected
    assert source.tell() == 0
