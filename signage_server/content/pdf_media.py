"""PDF uploads: a document checked with PDFium (pypdfium2) and rendered to one picture per page,
stored content-addressed beside the images; a ``pdf`` playlist item shows the pages in turn.

What is checked, in this order, before any page is drawn (each refusal a ``MediaRejected`` with its
code, and nothing stored):

* the size while the body is streamed to a temporary file (the store's ``max_bytes``), never
  buffered whole;
* the content starts as a PDF does (``%PDF-`` in the first KiB), whatever the name or type said;
* PDFium opens it: an encrypted document (with a password or only "protected" against printing or
  copying) and a damaged one are refused;
* at most ``MAX_PAGES`` pages, each at most ``MAX_PAGE_SIDE_PT`` points a side (a poster's A0 is
  3370), read from the page tree without drawing;
* drawing all pages stays within ``MAX_RENDER_S`` (checked after each page).

Pages are drawn at the size of the largest board of the uploader's unit that can show them
(``page_long_side_px``: its long side, between ``MIN_PAGE_PX`` and ``MAX_PAGE_PX``), as JPEG; the
player fits them into its region like any image. PDFium is not thread-safe, so every document is
opened and drawn by one worker thread, one upload after another. The original PDF is kept too
(``Media.sha256`` is its digest: the same document uploaded again for a unit is the same record).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import Image
from sqlmodel import Session, col, delete, select

from signage_contract import MediaRef
from signage_server.content import records
from signage_server.content.media_store import CHUNK_BYTES, MediaRejected, MediaStore, _human_bytes
from signage_server.core.errors import NotFound
from signage_server.models import Board, ItemKind, Media, MediaPage, User, utcnow
from signage_server.units.tree import UnitTree

PDF_TYPE = "application/pdf"
PAGE_TYPE = "image/jpeg"
MAX_PAGES = 200
MAX_PAGE_SIDE_PT = 5000.0  # 1.76 m: any poster; PDF allows 14,400 (and more with UserUnit)
MAX_RENDER_S = 120.0
MAX_PAGE_PX = 2160  # a 4K panel's short side: sharp on every board, a few hundred KiB a page
MIN_PAGE_PX = 1080  # a page read on a small LED board still zooms nowhere, but stays legible in the panel
DEFAULT_PAGE_PX = 1920  # no board in the unit yet
PAGE_QUALITY = 90
THUMBNAIL_MAX_PX = 320
MIN_PAGE_S, MAX_PAGE_S = 2.0, 600.0  # PdfItem.page_s
_HEADER_WINDOW = 1024  # readers accept the header anywhere in the first KiB


@dataclass(frozen=True)
class StoredPage:
    sha256: str
    size: int
    width: int
    height: int


@dataclass(frozen=True)
class StoredPdf:
    sha256: str  # of the original PDF
    size: int
    pages: tuple[StoredPage, ...]


def is_pdf(source: BinaryIO, filename: str, declared_type: str | None) -> bool:
    """Whether an upload is meant as a PDF: by its first bytes, its name or its declared type (a file
    named ``.pdf`` that is not one is refused by ``ingest_pdf`` with that reason)."""
    head = b""
    if source.seekable():
        position = source.tell()
        head = source.read(_HEADER_WINDOW)
        source.seek(position)
    return (b"%PDF-" in head or filename.lower().endswith(".pdf")
            or (declared_type or "").split(";")[0].strip().lower() == PDF_TYPE)


def page_long_side_px(session: Session, unit_id: int) -> int:
    """How large to draw pages for a unit: the long side of its largest board (its subtree's boards
    are the ones its content can reach), within ``MIN_PAGE_PX`` .. ``MAX_PAGE_PX``."""
    reach = UnitTree.load(session, utcnow().date()).subtree([unit_id])
    sides = session.exec(select(Board.width, Board.height).where(col(Board.unit_id).in_(reach))).all()
    if not sides:
        return DEFAULT_PAGE_PX
    return max(MIN_PAGE_PX, min(MAX_PAGE_PX, max(max(w, h) for w, h in sides)))


def ingest_pdf(store: MediaStore, source: BinaryIO, long_side_px: int) -> StoredPdf:
    """Check and store one PDF and its pages; raises MediaRejected and stores nothing when it is bad."""
    tmp_dir = store.root / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with _temp_file(tmp_dir, ".pdf") as upload:
        size = _spool(source, upload, store.max_bytes)
        _check_header(upload)
        pages = _WORKER.submit(_render_pages, upload, tmp_dir, long_side_px).result()
        sha256 = _digest(upload)
        try:
            stored = tuple(_store_page(store, page) for page in pages)
            _store_thumbnail(store, pages[0] if pages[0].exists() else store.path(stored[0].sha256), sha256)
        finally:
            for page in pages:
                page.unlink(missing_ok=True)
        store._place(upload, store.path(sha256))
    store.files.saved(store.path(sha256))
    return StoredPdf(sha256=sha256, size=size, pages=stored)


_WORKER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="signage-pdf")


@contextlib.contextmanager
def _temp_file(directory: Path, suffix: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(dir=directory, suffix=suffix)
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _spool(source: BinaryIO, tmp: Path, max_bytes: int) -> int:
    size = 0
    with tmp.open("wb") as out:
        while chunk := source.read(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise MediaRejected(413, f"file too large: the limit is {_human_bytes(max_bytes)} per upload",
                                    "media.too_large", limit=_human_bytes(max_bytes))
            out.write(chunk)
    if size == 0:
        raise MediaRejected(400, "the file is empty (0 bytes)", "media.empty")
    return size


def _check_header(path: Path) -> None:
    with path.open("rb") as f:
        if b"%PDF-" not in f.read(_HEADER_WINDOW):
            raise MediaRejected(415, "not a PDF: the file is named or declared as a PDF but its content "
                                "is not one", "media.pdf_not_pdf")


def _render_pages(pdf_path: Path, tmp_dir: Path, long_side_px: int) -> list[Path]:
    """Open, check and draw every page to a JPEG in ``tmp_dir`` (on the PDFium thread)."""
    try:
        document = pdfium.PdfDocument(pdf_path)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _encrypted() from exc
        raise MediaRejected(400, f"damaged PDF file: {exc}", "media.damaged", actual="PDF") from exc
    written: list[Path] = []
    try:
        _check_document(document)
        deadline = time.monotonic() + MAX_RENDER_S
        for index in range(len(document)):
            written.append(_render_page(document, index, tmp_dir, long_side_px))
            if time.monotonic() > deadline:
                raise MediaRejected(422, f"the PDF takes too long to draw (over {MAX_RENDER_S:g} s)",
                                    "media.pdf_too_slow", limit_s=f"{MAX_RENDER_S:g}")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    finally:
        document.close()
    return written


def _check_document(document: pdfium.PdfDocument) -> None:
    if pdfium_raw.FPDF_GetSecurityHandlerRevision(document.raw) != -1:
        raise _encrypted()
    count = len(document)
    if count == 0:
        raise MediaRejected(400, "damaged PDF file: it has no page", "media.damaged", actual="PDF")
    if count > MAX_PAGES:
        raise MediaRejected(422, f"the PDF has {count} pages; the limit is {MAX_PAGES}",
                            "media.pdf_too_many_pages", pages=count, limit=MAX_PAGES)
    for index in range(count):
        width, height = document.get_page_size(index)
        if max(width, height) > MAX_PAGE_SIDE_PT or min(width, height) <= 0:
            raise MediaRejected(
                422, f"page {index + 1} of the PDF is {width / 72 * 2.54:.0f} x {height / 72 * 2.54:.0f} cm; "
                f"the limit is {MAX_PAGE_SIDE_PT / 72 * 2.54:.0f} cm a side",
                "media.pdf_page_too_large", page=index + 1, width_cm=round(width / 72 * 2.54),
                height_cm=round(height / 72 * 2.54), limit_cm=round(MAX_PAGE_SIDE_PT / 72 * 2.54))


def _encrypted() -> MediaRejected:
    return MediaRejected(422, "the PDF is encrypted (password or protection against copying or printing); "
                         "save it again without protection", "media.pdf_encrypted")


def _render_page(document: pdfium.PdfDocument, index: int, tmp_dir: Path, long_side_px: int) -> Path:
    page = document[index]
    try:
        width, height = page.get_size()
        scale = long_side_px / max(width, height)
        bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), may_draw_forms=False)
        picture = bitmap.to_pil().convert("RGB")
    except pdfium.PdfiumError as exc:
        raise MediaRejected(400, f"damaged PDF file: page {index + 1}: {exc}", "media.damaged",
                            actual="PDF") from exc
    finally:
        page.close()
    fd, name = tempfile.mkstemp(dir=tmp_dir, suffix=".page")
    with os.fdopen(fd, "wb") as out:
        # optimize: twice the encoding time, half the bytes every board downloads (measured on A4 pages)
        picture.save(out, "JPEG", quality=PAGE_QUALITY, subsampling=0, optimize=True)
        out.flush()
        os.fsync(out.fileno())
    return Path(name)


def _store_page(store: MediaStore, page: Path) -> StoredPage:
    sha256 = _digest(page)
    with Image.open(page, formats=["JPEG"]) as im:
        width, height = im.size
    size = page.stat().st_size
    final = store.path(sha256)
    _store_thumbnail(store, page, sha256)
    store._place(page, final)
    store.files.saved(final)
    return StoredPage(sha256=sha256, size=size, width=width, height=height)


def _store_thumbnail(store: MediaStore, page: Path, sha256: str) -> None:
    thumb = store.thumbnail_path(sha256)
    if thumb.is_file():
        return
    with _temp_file(store.root / "tmp", ".thumb") as tmp:
        with Image.open(page, formats=["JPEG"]) as im:
            small = im.copy()
        small.thumbnail((THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX))
        with tmp.open("wb") as out:
            small.save(out, "JPEG", quality=85)
            out.flush()
            os.fsync(out.fileno())
        store._place(tmp, thumb)
    store.files.saved(thumb)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


# --- records -----------------------------------------------------------------------------------


def add_pages(session: Session, media_id: int, stored: StoredPdf) -> None:
    """The page rows of a new PDF record (committed with it)."""
    for position, page in enumerate(stored.pages):
        session.add(MediaPage(media_id=media_id, position=position, sha256=page.sha256, size=page.size,
                              content_type=PAGE_TYPE, width=page.width, height=page.height))


def pages_of(session: Session, media_ids: Iterable[int]) -> dict[int, tuple[MediaRef, ...]]:
    """Each PDF's pages as the boards fetch them, in order."""
    wanted = list(set(media_ids))
    found: dict[int, list[MediaRef]] = {}
    if not wanted:
        return {}
    query = select(MediaPage).where(col(MediaPage.media_id).in_(wanted)).order_by(
        col(MediaPage.media_id), col(MediaPage.position)).execution_options(populate_existing=True)
    for row in session.exec(query):
        found.setdefault(row.media_id, []).append(page_ref(row))
    return {media_id: tuple(refs) for media_id, refs in found.items()}


def page_ref(row: MediaPage) -> MediaRef:
    return MediaRef.model_validate({"sha256": row.sha256, "size": row.size, "content_type": row.content_type,
                                    "width": row.width, "height": row.height})


def page_rows(session: Session, media_id: int) -> list[MediaPage]:
    query = select(MediaPage).where(MediaPage.media_id == media_id).order_by(col(MediaPage.position))
    return list(session.exec(query).all())


def forget_pages(session: Session, media_id: int) -> set[str]:
    """Delete a PDF record's page rows (before the record, in its transaction); their digests."""
    shas = {row.sha256 for row in page_rows(session, media_id)}
    if shas:
        session.execute(delete(MediaPage).where(col(MediaPage.media_id) == media_id))
        session.flush()
    return shas


def drop_unused(session: Session, store: MediaStore, shas: Iterable[str]) -> None:
    """Remove the page files no PDF (nor image) names any more, once their rows are gone."""
    for sha256 in shas:
        if (session.exec(select(MediaPage.id).where(MediaPage.sha256 == sha256)).first() is None
                and session.exec(select(Media.id).where(Media.sha256 == sha256)).first() is None):
            store.delete(sha256)


def page_seconds(seconds: float) -> float:
    """``seconds`` within the bounds of a page's time (``PdfItem.page_s``)."""
    return max(MIN_PAGE_S, min(MAX_PAGE_S, seconds))


def check_kind(kind: ItemKind, media: Media) -> str | None:
    """Why ``media`` cannot be shown by an item of ``kind`` (a PDF only by a ``pdf`` item), or None."""
    document = media.content_type == PDF_TYPE
    if kind is ItemKind.PDF and not document:
        return "a pdf item shows a PDF document; this media is an image"
    if kind is not ItemKind.PDF and document:
        return f"a {kind.value} item cannot show a PDF document; use a pdf item"
    return None


# --- reading (API and panel) ------------------------------------------------------------------


@dataclass(frozen=True)
class PagePublic:
    position: int  # 0 = the first page
    sha256: str
    width: int
    height: int
    size: int


def document_pages(session: Session, *, user: User, media_id: int) -> list[PagePublic]:
    """The pages of a PDF in scope, in order (none for an image)."""
    records.fetch(session, user=user, model=Media, item_id=media_id)
    return [PagePublic(r.position, r.sha256, r.width, r.height, r.size) for r in page_rows(session, media_id)]


def page_file(session: Session, *, user: User, store: MediaStore, media_id: int, position: int) -> Path:
    """The picture of one page of a PDF in scope."""
    records.fetch(session, user=user, model=Media, item_id=media_id)
    query = select(MediaPage).where(MediaPage.media_id == media_id, MediaPage.position == position)
    row = session.exec(query).first()
    path = None if row is None else store.local_path(row.sha256)
    if path is None:
        raise NotFound("media.no_page", f"media {media_id} has no page {position + 1}", id=media_id,
                       page=position + 1)
    return path
