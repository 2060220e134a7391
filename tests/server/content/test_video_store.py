"""Video uploads: probed from their bytes, refused with the reason (nothing stored), or kept with a
poster frame stored as an ordinary image."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image

from signage_contract.video import LIMITS, BoardClass, VideoLimits, board_class
from signage_server.content.media_store import MediaRejected, MediaStore
from signage_server.content.video_store import ingest_video
from tests.support.video_clips import colour_at, make_clip


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("upload-clips")
    mpeg4 = root / "mpeg4.mp4"
    with av.open(str(mpeg4), "w", format="mp4") as container:  # a codec boards are not asked to play
        stream = container.add_stream("mpeg4", rate=Fraction(10))
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(20):
            container.mux(stream.encode(av.VideoFrame(64, 48, "yuv420p")))
        container.mux(stream.encode(None))
    return {
        "h264": make_clip(root / "a.mp4"),
        "hevc": make_clip(root / "b.mp4", codec="hevc"),
        "vp9": make_clip(root / "c.webm", codec="vp9"),
        "short": make_clip(root / "short.mp4", seconds=0.2),
        "fast": make_clip(root / "fast.mp4", fps=120, seconds=1),
        "mpeg4": mpeg4,
    }


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media", max_bytes=10_000_000, max_pixels=40_000_000)


def _stored_files(store: MediaStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(("codec", "name", "declared"), [
    ("h264", "tin.mp4", "video/mp4"),
    ("hevc", "tin.mp4", None),
    ("vp9", "tin.webm", "video/webm"),
])
def test_a_playable_clip_is_stored_with_its_facts_and_a_poster_image(
    store, clips, codec: str, name: str, declared: str | None
) -> None:
    stored = ingest_video(store, io.BytesIO(clips[codec].read_bytes()), name, declared)
    facts = stored.facts
    assert (facts.codec, facts.width, facts.height, facts.fps) == (codec, 160, 90, 10.0)
    assert facts.duration_s == pytest.approx(2.0, abs=0.15) and facts.bitrate > 0
    assert store.path(stored.sha256).read_bytes() == clips[codec].read_bytes()
    poster = stored.poster
    assert (poster.content_type, poster.width, poster.height) == ("image/jpeg", 160, 90)
    with Image.open(store.path(poster.sha256)) as image:
        pixel = image.convert("RGB").getpixel((80, 45))
    assert all(abs(a - b) <= 16 for a, b in zip(pixel, colour_at(1), strict=True))  # a second in
    assert store.thumbnail_path(poster.sha256).is_file()
    assert not list((store.root / "tmp").iterdir())


REFUSED = {
    "not a video": ("junk", "tin.mp4", None, 415, "video.unsupported_type"),
    "webm named mp4": ("vp9", "tin.mp4", None, 400, "media.mislabelled_extension"),
    "mp4 declared webm": ("h264", "tin", "video/webm", 400, "media.mislabelled_type"),
    "codec not played": ("mpeg4", "tin.mp4", None, 422, "video.codec"),
    "too short": ("short", "tin.mp4", None, 422, "video.duration"),
    "too many frames per second": ("fast", "tin.mp4", None, 422, "video.fps"),
    "truncated": ("truncated", "tin.mp4", None, 400, "video.damaged"),
    "empty": ("empty", "tin.mp4", None, 400, "media.empty"),
}


@pytest.mark.parametrize(("clip", "name", "declared", "status", "code"), REFUSED.values(), ids=REFUSED.keys())
def test_a_clip_a_board_cannot_play_is_refused_with_its_reason_and_nothing_is_stored(
    store, clips, clip: str, name: str, declared: str | None, status: int, code: str
) -> None:
    if clip == "junk":
        data = b"\x00\x00\x00\x20NOTAVIDEO" * 40
    elif clip == "truncated":
        data = clips["h264"].read_bytes()[:600]
    elif clip == "empty":
        data = b""
    else:
        data = clips[clip].read_bytes()
    with pytest.raises(MediaRejected) as refused:
        ingest_video(store, io.BytesIO(data), name, declared)
    assert (refused.value.status_code, refused.value.code) == (status, code)
    assert refused.value.message
    assert _stored_files(store) == []


def test_resolution_and_bitrate_limits_are_refused_with_the_figures(store, clips) -> None:
    small = VideoLimits(max_width=120, max_height=90, max_fps=30, max_bitrate=40_000_000)
    with pytest.raises(MediaRejected, match="160x90 is above 120x90") as refused:
        ingest_video(store, io.BytesIO(clips["h264"].read_bytes()), "a.mp4", None, limits=small)
    assert refused.value.code == "video.resolution"
    thin = VideoLimits(max_width=1920, max_height=1080, max_fps=30, max_bitrate=1_000)
    with pytest.raises(MediaRejected, match="Mbit/s is above") as refused:
        ingest_video(store, io.BytesIO(clips["h264"].read_bytes()), "a.mp4", None, limits=thin)
    assert refused.value.code == "video.bitrate" and _stored_files(store) == []


def test_an_upload_over_the_byte_limit_is_refused_while_it_arrives(store, clips) -> None:
    data = clips["h264"].read_bytes()
    with pytest.raises(MediaRejected) as refused:
        ingest_video(store, io.BytesIO(data), "a.mp4", None, max_bytes=len(data) - 1)
    assert refused.value.status_code == 413 and _stored_files(store) == []


def test_board_classes_by_screen_size() -> None:
    assert board_class((768, 512)) is BoardClass.LED
    assert board_class((1080, 1920)) is BoardClass.FULL_HD
    assert board_class((3840, 2160)) is BoardClass.UHD
    assert LIMITS[BoardClass.LED].fits(1080, 1920) and not LIMITS[BoardClass.LED].fits(2560, 1440)
