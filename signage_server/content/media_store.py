"""Content-addressed store of uploaded images (JPEG, PNG, WebP) in the data directory.

An upload is streamed into ``root/tmp`` while it is counted, then checked and decoded with Pillow,
then stored re-encoded from its decoded pixels (see below), hashed, and renamed atomically to
``root/<sha[:2]>/<sha>``, the sha256 being that of the stored file; the same pixels always land on
the same file (deduplication). A JPEG thumbnail goes to ``root/thumbs/<sha[:2]>/<sha>.jpg``. A
rejected upload raises :class:`MediaRejected` (carrying the HTTP status) and leaves nothing behind.

Choices worth knowing:

* The type is detected from the content (magic bytes), never from the name or the client's
  Content-Type. A file whose content is one supported type but whose declared type or extension
  names another (a PNG sent as ``photo.jpg`` / ``image/jpeg``) is rejected with 400 "mislabelled",
  not silently relabelled: such a file usually means a broken export or a disguised file, and the
  editor should learn of it. A generic declared type (``application/octet-stream``, none) and an
  unknown or absent extension are accepted.
* Pixel limit: the header's width x height is compared with ``max_pixels`` before any pixel is
  decoded. Pillow's own global bomb limit is left alone (changing it would affect every caller in
  the process); its warning and error are caught and reported as the same 422 when they fire first.
* Pillow is only ever asked to parse the one format the magic bytes named, so no other plugin
  (e.g. EPS, which runs Ghostscript) sees an upload.
* Nothing of the upload is stored as sent: the stored file is written by Pillow from the decoded
  pixels, in the upload's format. Whatever followed the image's end (a script appended after a
  PNG's IEND, a ZIP after a JPEG) and every metadata block (EXIF with its GPS position and camera
  serial, XMP, PNG text chunks, comments) are left behind. The EXIF orientation is applied to the
  pixels first, so the image stays upright without it; the ICC colour profile is kept (it says
  what the colours mean), transparency too. JPEG is re-encoded at quality 90 (one generation, not
  visible at board sizes), WebP at 90, PNG losslessly. Pillow encodes deterministically, so the
  same upload always gives the same stored bytes and the same sha256.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from PIL import Image, ImageFile, ImageOps

from signage_contract.files import fsync_dir
from signage_server.core.blobs import LocalFiles

ContentType = Literal["image/jpeg", "image/png", "image/webp"]

CHUNK_BYTES = 64 * 1024
THUMBNAIL_MAX_PX = 320
THUMBNAIL_QUALITY = 85
STORED_QUALITY = 90  # JPEG and WebP re-encoding
MAX_FILENAME_BYTES = 200  # UTF-8 bytes; well under the 255 of common file systems

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_PIL_FORMAT: dict[ContentType, str] = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_EXTENSIONS: dict[ContentType, frozenset[str]] = {
    "image/jpeg": frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    "image/png": frozenset({".png"}),
    "image/webp": frozenset({".webp"}),
}
_KNOWN_EXTENSIONS = {ext: ctype for ctype, exts in _EXTENSIONS.items() for ext in exts} | {
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
    ".avif": "image/avif",
}
_DECLARED_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_NAMES: dict[str, str] = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}


class MediaRejected(Exception):
    """An upload that is not stored; ``status_code`` is the HTTP status to answer with, ``code`` and
    ``params`` say why in words the panel translates (as a ``DomainError`` does)."""

    def __init__(self, status_code: int, message: str, code: str = "media.rejected",
                 **params: str | int | float | None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code
        self.params = params


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    size: int
    content_type: ContentType
    width: int  # pixels as stored (upright: the EXIF orientation is applied to them)
    height: int
    safe_name: str
    created: bool  # False when the same image was already stored


def sniff_type(head: bytes) -> str | None:
    """The content type named by the first bytes of a file, or a short description of what it is."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<svg", b"<?xml")) and b"<svg" in head.lower():
        return "SVG"
    return None


class MediaStore:
    """Uploaded images under ``root``; construction touches nothing on disk."""

    def __init__(self, root: Path, max_bytes: int, max_pixels: int, files: LocalFiles | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.files = files or LocalFiles(root)  # how other instances get what this one stores

    # --- paths -------------------------------------------------------------------------------

    def path(self, sha256: str) -> Path:
        """Where the file with this digest lives; raises ValueError unless it is 64 lowercase hex."""
        if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
            raise ValueError("media id must be a sha256 digest: 64 lowercase hexadecimal characters")
        return self.root / sha256[:2] / sha256

    def thumbnail_path(self, sha256: str) -> Path:
        self.path(sha256)  # validates
        return self.root / "thumbs" / sha256[:2] / f"{sha256}.jpg"

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def local_path(self, sha256: str) -> Path | None:
        """The file to serve, fetched from the shared store first if another instance stored it."""
        path = self.path(sha256)
        return path if self.files.ensure(path) else None

    def local_thumbnail(self, sha256: str) -> Path | None:
        path = self.thumbnail_path(sha256)
        return path if self.files.ensure(path) else None

    def delete(self, sha256: str) -> bool:
        """Remove the file and its thumbnail; True when the file was there."""
        path = self.path(sha256)
        thumbnail = self.thumbnail_path(sha256)
        thumbnail.unlink(missing_ok=True)
        self.files.removed(thumbnail)
        self.files.removed(path)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def remove_stale_temp_files(self) -> int:
        """Delete what interrupted uploads (a crash, a power cut) left in ``root/tmp``.

        Call at start-up, before any upload can be in flight; returns how many files were removed.
        """
        tmp_dir = self.root / "tmp"
        if not tmp_dir.is_dir():
            return 0
        removed = 0
        for leftover in tmp_dir.iterdir():
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed

    # --- ingest ------------------------------------------------------------------------------

    def ingest(self, source: BinaryIO, filename: str, declared_type: str | None) -> StoredMedia:
        """Validate and store one upload; raises MediaRejected and stores nothing when it is bad."""
        if ImageFile.LOAD_TRUNCATED_IMAGES:
            # Something in the process turned Pillow's truncation check off; truncated uploads
            # would then be stored and shown half grey on the boards.
            raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        with self._temp_file(tmp_dir, ".upload") as tmp:
            self._spool(source, tmp)
            content_type = self._check_type(tmp, filename, declared_type)
            with self._temp_file(tmp_dir, ".stored") as stored_tmp, \
                    self._temp_file(tmp_dir, ".thumb") as thumb_tmp:
                width, height = self._decode(tmp, content_type, stored_tmp, thumb_tmp)
                sha256, size = _digest(stored_tmp)
                created = self._place(stored_tmp, self.path(sha256))
                thumb = self.thumbnail_path(sha256)
                if not thumb.is_file():
                    self._place(thumb_tmp, thumb)
        self.files.saved(self.path(sha256))
        self.files.saved(thumb)
        return StoredMedia(
            sha256=sha256,
            size=size,
            content_type=content_type,
            width=width,
            height=height,
            safe_name=sanitize_filename(filename),
            created=created,
        )

    @contextlib.contextmanager
    def _temp_file(self, directory: Path, suffix: str) -> Iterator[Path]:
        fd, name = tempfile.mkstemp(dir=directory, suffix=suffix)
        os.close(fd)
        path = Path(name)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)  # already gone when it was renamed into place

    def _spool(self, source: BinaryIO, tmp: Path) -> int:
        """Copy the stream to ``tmp``; stop as soon as it passes ``max_bytes``."""
        size = 0
        with tmp.open("wb") as out:
            while chunk := source.read(CHUNK_BYTES):
                size += len(chunk)
                if size > self.max_bytes:
                    raise MediaRejected(
                        413, f"file too large: the limit is {_human_bytes(self.max_bytes)} per upload",
                        "media.too_large", limit=_human_bytes(self.max_bytes),
                    )
                out.write(chunk)
        if size == 0:
            raise MediaRejected(400, "the file is empty (0 bytes)", "media.empty")
        return size

    def _check_type(self, tmp: Path, filename: str, declared_type: str | None) -> ContentType:
        with tmp.open("rb") as f:
            sniffed = sniff_type(f.read(64))
        if sniffed not in _PIL_FORMAT:
            what = f"{sniffed} is" if sniffed else "this file is"
            raise MediaRejected(415, f"unsupported file type: {what} not accepted; upload JPEG, PNG or WebP",
                                "media.unsupported_type", sniffed=sniffed)
        content_type: ContentType = sniffed  # narrowed by the check above
        actual = _NAMES[content_type]
        declared = _normalise_declared(declared_type)
        if declared not in _GENERIC_TYPES and declared != content_type:
            raise MediaRejected(
                400,
                f"mislabelled file: declared as {declared} but the content is {actual}; "
                f"export it again or correct the type",
                "media.mislabelled_type", declared=declared, actual=actual,
            )
        ext = os.path.splitext(filename.replace("\\", "/").rsplit("/", 1)[-1])[1].lower()
        if ext in _KNOWN_EXTENSIONS and ext not in _EXTENSIONS[content_type]:
            raise MediaRejected(
                400,
                f"mislabelled file: the name ends in {ext} but the content is {actual}; "
                f"rename it or export it again",
                "media.mislabelled_extension", extension=ext, actual=actual,
            )
        return content_type

    def _decode(self, tmp: Path, content_type: ContentType, stored_out: Path,
                thumb_out: Path) -> tuple[int, int]:
        """Check the header size, verify, fully decode, write the file to store (re-encoded, upright)
        and the thumbnail; returns the stored (w, h)."""
        fmt = _PIL_FORMAT[content_type]
        limit = f"the limit is {self.max_pixels / 1e6:g} megapixels"
        try:
            with Image.open(tmp, formats=[fmt]) as im:
                width, height = im.size  # from the header; no pixel decoded yet
                if width * height > self.max_pixels:
                    raise MediaRejected(
                        422,
                        f"image too large: {width}x{height} is {width * height / 1e6:.1f} "
                        f"megapixels; {limit}",
                        "media.too_many_pixels", width=width, height=height,
                        max_megapixels=f"{self.max_pixels / 1e6:g}",
                    )
                im.verify()
            with Image.open(tmp, formats=[fmt]) as im:
                im.load()  # verify() does not decode JPEG data; load() finds truncation
                upright = ImageOps.exif_transpose(im)
                _write_stored(upright, content_type, stored_out)
                _write_thumbnail(upright, thumb_out)
                width, height = upright.size
        except MediaRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaRejected(422, f"image too large: {exc}; {limit}", "media.too_many_pixels",
                                max_megapixels=f"{self.max_pixels / 1e6:g}") from exc
        except Exception as exc:
            # Pillow raises many types for corrupt input (OSError, SyntaxError, struct.error,
            # zlib.error, ValueError, ...): every one of them means "this file is broken".
            raise MediaRejected(400, f"damaged or truncated {_NAMES[content_type]} file: {exc}",
                                "media.damaged", actual=_NAMES[content_type]) from exc
        return width, height

    def _place(self, tmp: Path, final: Path) -> bool:
        """Rename ``tmp`` to ``final`` atomically; False when ``final`` already existed."""
        if final.is_file():
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        fsync_dir(final.parent)
        return True


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _write_stored(im: Image.Image, content_type: ContentType, out: Path) -> None:
    """The image as stored: its pixels in its format, with its colour profile and transparency and
    nothing else (the module's docstring says why)."""
    clean = im.copy()
    clean.info = {key: im.info[key] for key in ("transparency",) if key in im.info}
    options: dict[str, object] = {}
    if content_type == "image/jpeg":
        options = {"quality": STORED_QUALITY, "optimize": True}
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")  # CMYK: the profile no longer applies
    elif content_type == "image/webp":
        options = {"quality": STORED_QUALITY}
    icc = im.info.get("icc_profile")
    if icc and clean.mode == im.mode:
        options["icc_profile"] = icc
    with out.open("wb") as f:
        clean.save(f, _PIL_FORMAT[content_type], **options)
        f.flush()
        os.fsync(f.fileno())


def _write_thumbnail(im: Image.Image, out: Path) -> None:
    thumb = im.copy()
    thumb.thumbnail((THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX))
    if thumb.mode in ("RGBA", "LA", "PA") or (thumb.mode == "P" and "transparency" in thumb.info):
        rgba = thumb.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))  # the admin UI shows thumbnails on white
        flat.paste(rgba, mask=rgba.getchannel("A"))
        thumb = flat
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    with out.open("wb") as f:
        thumb.save(f, "JPEG", quality=THUMBNAIL_QUALITY)
        f.flush()
        os.fsync(f.fileno())


def _normalise_declared(declared_type: str | None) -> str:
    value = (declared_type or "").split(";", 1)[0].strip().lower()
    return _DECLARED_ALIASES.get(value, value)


def _human_bytes(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MiB"
    if n >= 1024:
        return f"{n / 1024:g} KiB"
    return f"{n} bytes"


# --- file names --------------------------------------------------------------------------------

_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
)
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_FALLBACK_NAME = "file"
_MAX_EXTENSION_CHARS = 10


def sanitize_filename(name: str) -> str:
    """A display/download name safe on every file system: never a path, never empty.

    NFC first (Windows keyboards send decomposed Vietnamese), then only the last path component
    (``/`` and ``\\``), no control or format characters (bidi overrides can disguise an extension),
    no characters Windows forbids, no leading dots (hidden files, ``..``), no trailing dots or
    spaces, no reserved device names (``CON.jpg``), at most MAX_FILENAME_BYTES keeping the extension.
    """
    text = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    text = _WINDOWS_FORBIDDEN.sub("_", text)
    text = " ".join(text.split())  # collapse runs of whitespace (tabs, NBSP at the ends)
    text = text.lstrip(". ").rstrip(". ")
    stem, ext = os.path.splitext(text)
    if len(ext) > _MAX_EXTENSION_CHARS:
        stem, ext = text, ""
    if stem.split(".", 1)[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    stem = _truncate_utf8(stem, MAX_FILENAME_BYTES - len(ext.encode("utf-8"))).rstrip(". ")
    if not stem:
        stem = _FALLBACK_NAME
    return stem + ext


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut ``text`` to at most ``max_bytes`` of UTF-8 without splitting a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")
