"""Screenshots uploaded by boards: validated JPEGs and thumbnails in the data directory.

Files live under ``DATA_DIR/screenshots/<board_id>/``: ``<name>.jpg`` and ``<name>.thumb.jpg``;
the database holds the metadata. Each board keeps its latest ``keep`` screenshots; older ones are
deleted (rows and files) when a new one arrives. A file is written to a temporary name and renamed
into place before its row is committed, so a row never names a missing file; a crash in between
leaves at worst an orphan file, removed when the board's history is trimmed.
"""

from __future__ import annotations

import io
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageFile
from sqlmodel import Session, col, select

from signage_server.content.media_store import THUMBNAIL_MAX_PX, THUMBNAIL_QUALITY, MediaRejected, sniff_type
from signage_server.core.blobs import LocalFiles
from signage_server.models import Screenshot, ScreenshotRequestRow

THUMB_SUFFIX = ".thumb.jpg"


@dataclass(frozen=True)
class CheckedImage:
    width: int
    height: int


class ScreenshotStore:
    def __init__(self, root: Path, max_bytes: int, max_pixels: int, keep: int,
                 files: LocalFiles | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.keep = keep
        self.files = files or LocalFiles(root)  # how other instances get what this one stores

    def local(self, path: Path) -> Path | None:
        """``path`` ready to serve, fetched from the shared store if another instance received it."""
        return path if self.files.ensure(path) else None

    def image_path(self, shot: Screenshot) -> Path:
        return self.root / str(shot.board_id) / shot.file_name

    def thumbnail_path(self, shot: Screenshot) -> Path:
        return self.root / str(shot.board_id) / (Path(shot.file_name).stem + THUMB_SUFFIX)

    def check(self, data: bytes) -> CheckedImage:
        """Validate a JPEG upload (size, type, pixel count, complete decode)."""
        if ImageFile.LOAD_TRUNCATED_IMAGES:
            raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
        if not data:
            raise MediaRejected(400, "the screenshot is empty (0 bytes)")
        if len(data) > self.max_bytes:
            raise MediaRejected(413, f"screenshot too large: the limit is {self.max_bytes} bytes")
        if sniff_type(data[:64]) != "image/jpeg":
            raise MediaRejected(415, "a screenshot must be a JPEG image")

        try:
            with Image.open(io.BytesIO(data), formats=["JPEG"]) as im:
                width, height = im.size
                if width * height > self.max_pixels:
                    raise MediaRejected(422, f"screenshot too large: {width}x{height} pixels")
                im.load()
        except MediaRejected:
            raise
        except Exception as exc:  # Pillow raises many types for corrupt input
            raise MediaRejected(400, f"damaged or truncated JPEG: {exc}") from exc
        return CheckedImage(width, height)

    def write(self, board_id: int, data: bytes) -> str:
        """Write the image and its thumbnail; returns the file name (not yet in the database)."""
        directory = self.root / str(board_id)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # what boards show: not for other users
        name = secrets.token_hex(12) + ".jpg"
        _atomic_write(directory / name, data)

        with Image.open(io.BytesIO(data), formats=["JPEG"]) as im:
            thumb = im.convert("RGB")
            thumb.thumbnail((THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX))
            out = io.BytesIO()
            thumb.save(out, "JPEG", quality=THUMBNAIL_QUALITY)
        _atomic_write(directory / (Path(name).stem + THUMB_SUFFIX), out.getvalue())
        self.files.saved(directory / name)
        self.files.saved(directory / (Path(name).stem + THUMB_SUFFIX))
        return name

    def remove(self, shot: Screenshot) -> None:
        for path in (self.image_path(shot), self.thumbnail_path(shot)):
            path.unlink(missing_ok=True)
            self.files.removed(path)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_screenshot(
    session: Session,
    store: ScreenshotStore,
    board_id: int,
    data: bytes,
    taken_at: datetime,
    received_at: datetime,
    request_id: str | None,
) -> Screenshot:
    """Validate, store, fulfil the request it answers, trim the board's history; commits."""
    checked = store.check(data)
    name = store.write(board_id, data)
    shot = Screenshot(board_id=board_id, taken_at=taken_at, received_at=received_at,
                      request_id=request_id, file_name=name, size=len(data),
                      width=checked.width, height=checked.height)
    session.add(shot)
    session.flush()
    if request_id:
        request = session.get(ScreenshotRequestRow, request_id)
        if request is not None and request.board_id == board_id and request.fulfilled_at is None:
            request.fulfilled_at, request.screenshot_id = received_at, shot.id
            session.add(request)
    session.commit()
    session.refresh(shot)
    _trim(session, store, board_id)
    return shot


def _trim(session: Session, store: ScreenshotStore, board_id: int) -> None:
    old = session.exec(
        select(Screenshot).where(Screenshot.board_id == board_id)
        .order_by(col(Screenshot.received_at).desc(), col(Screenshot.id).desc()).offset(store.keep)
    ).all()
    if not old:
        return
    for shot in old:
        for request in session.exec(
            select(ScreenshotRequestRow).where(ScreenshotRequestRow.screenshot_id == shot.id)
        ).all():
            request.screenshot_id = None
            session.add(request)
        session.delete(shot)
    session.commit()
    for shot in old:
        store.remove(shot)
