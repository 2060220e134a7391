"""Video items: decoded ahead in a thread, drawn at the clip's frame rate into their region, no
black frame either side, a corrupt or oversized clip skipped and logged once."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pygame
import pytest

from player.core.cache import MediaCache
from player.core.shared import Shared, Snapshot
from player.screen.compositor import Compositor
from player.screen.images import ImageStore
from player.screen.kinds import kind_of
from player.screen.kinds.video import KIND
from player.screen.loop import run_loop
from player.screen.video import Clip, Placement
from signage_contract import Fit, VideoItem
from tests.support.player_factories import NOW, entry, image_bytes, image_item, manifest, media_ref
from tests.support.video_clips import clip_ref, colour_at, make_clip, video_item

SIZE = (480, 270)
RED = (220, 20, 20)
TEXT_BG = (0, 51, 102)
START = NOW - timedelta(hours=1)  # the loop's anchor in manifest()


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small clips, made once per session: 2 s at 10 fps, one colour per second."""
    root = tmp_path_factory.mktemp("clips")
    return {
        "h264": make_clip(root / "a.mp4"),
        "hevc": make_clip(root / "b.mp4", codec="hevc"),
        "vp9": make_clip(root / "c.webm", codec="vp9"),
    }


@pytest.fixture
def screen() -> Iterator[pygame.Surface]:
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode(SIZE)
    pygame.display.quit()


@pytest.fixture(autouse=True)
def _close_clips() -> Iterator[None]:
    yield
    for key in list(KIND.clips):
        KIND._close(key)
    KIND.ends.clear()


def _store(tmp_path: Path, *files: bytes) -> ImageStore:
    media = MediaCache(tmp_path / "media")
    for data in files:
        media.path(hashlib.sha256(data).hexdigest()).write_bytes(data)
    return ImageStore(media, synchronous=True)


def _near(actual: tuple[int, ...], expected: tuple[int, int, int], tolerance: int = 16) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual[:3], expected, strict=True))


def _wait(condition, what: str, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _only_clip() -> Clip:
    assert len(KIND.clips) == 1
    return next(iter(KIND.clips.values()))


def test_a_video_item_is_drawn_by_the_video_kind() -> None:
    ref = media_ref(b"x", 160, 90, "video/mp4")
    item = VideoItem.model_validate(video_item("v", ref))
    assert kind_of(item) is KIND and item.muted


@pytest.mark.parametrize("codec", ["h264", "hevc", "vp9"])
def test_each_codec_is_decoded_ahead_at_the_region_size(clips: dict[str, Path], codec: str) -> None:
    clip = Clip(clips[codec], (320, 180), Fit.CONTAIN, 10.0)
    try:
        _wait(clip.ready, "the first frame")
        assert clip.error is None
        assert clip.advance(0.0) == 0
        picture = clip.picture()
        assert picture is not None and picture.get_size() == (320, 180)
        assert _near(picture.get_at((160, 90)), colour_at(0))
        _wait(lambda: clip.advance(1.05) == 10, "the frame of second 1")
        picture = clip.picture()
        assert picture is not None and _near(picture.get_at((10, 10)), colour_at(1))
    finally:
        clip.close()


def test_contain_letterboxes_and_cover_crops_to_the_region() -> None:
    contained = Placement.of((160, 90), (240, 270), Fit.CONTAIN)
    assert contained.scaled == (240, 135) and contained.offset == (0, 67)
    covered = Placement.of((160, 90), (170, 90), Fit.COVER)  # crops a sliver only
    assert covered.scaled == (170, 96) and covered.crop == pygame.Rect(0, 3, 170, 90)


def test_from_an_image_to_a_clip_and_back_never_shows_a_black_frame(screen, tmp_path, clips) -> None:
    png = image_bytes(100, 100, RED)
    data = clips["h264"].read_bytes()
    store = _store(tmp_path, png, data)
    value = manifest([image_item("i", media_ref(png, 100, 100), duration_s=2, fit="cover"),
                      video_item("v", clip_ref(clips["h264"], 160, 90), duration_s=2)])
    compositor = Compositor(screen, store)
    compositor.update(Snapshot(generation=1, manifest=value), START)
    assert _near(screen.get_at((240, 135)), RED)
    _wait(lambda: _only_clip().ready(), "the clip to be primed before its turn")
    clip = _only_clip()
    seen = []
    for ms in (2000, 2100, 2500, 3050, 3500, 3950, 4000, 4100):
        _wait(clip.frames.full, "the decoder to catch up (this test jumps ahead in time)")
        compositor.update(Snapshot(generation=1, manifest=value), START + timedelta(milliseconds=ms))
        seen.append(tuple(screen.get_at((240, 135)))[:3])
        assert seen[-1] != (0, 0, 0), f"black at {ms} ms"
    assert _near(seen[0], colour_at(0)) and _near(seen[3], colour_at(1)) and _near(seen[-1], RED)


def test_a_contained_clip_is_letterboxed_in_its_background(screen, tmp_path, clips) -> None:
    data = clips["h264"].read_bytes()
    side = {"kind": "text", "id": "t", "title": "Thông báo", "body": "Nội dung"}
    value = manifest([video_item("v", clip_ref(clips["h264"], 160, 90), background="#102030"), side],
                     timeline=[entry(START, NOW + timedelta(days=1), {"main": ["v"], "side": ["t"]},
                                     "split")])
    compositor = Compositor(screen, _store(tmp_path, data))
    compositor.update(Snapshot(generation=1, manifest=value), START)
    _wait(lambda: _only_clip().ready(), "the first frame")
    compositor.update(Snapshot(generation=1, manifest=value), START + timedelta(milliseconds=50))
    assert tuple(screen.get_at((120, 10)))[:3] == (16, 32, 48)  # the band above the picture
    assert _near(screen.get_at((120, 135)), colour_at(0))


def test_a_corrupt_clip_is_skipped_and_logged_once(screen, tmp_path, caplog) -> None:
    junk = b"\x00\x00\x00\x18ftypmp42" + b"not a clip at all" * 200
    value = manifest([video_item("v", media_ref(junk, 160, 90, "video/mp4")),
                      {"kind": "text", "id": "t", "title": "Thông báo", "body": "Nội dung"}])
    compositor = Compositor(screen, _store(tmp_path, junk))
    caplog.set_level(logging.WARNING)
    for step in range(3):
        compositor.update(Snapshot(generation=1, manifest=value), START + timedelta(milliseconds=step))
    _wait(lambda: any(c.error for c in KIND.clips.values()) or compositor.images.bad, "the decoder to fail")
    for step in range(3, 6):
        compositor.update(Snapshot(generation=1, manifest=value), START + timedelta(milliseconds=step))
    assert tuple(screen.get_at((2, 2)))[:3] == TEXT_BG
    assert len([r for r in caplog.records if "cannot play" in r.getMessage()]) == 1


def test_a_clip_above_the_board_class_is_skipped(screen, tmp_path, clips) -> None:
    data = clips["h264"].read_bytes()
    big = clip_ref(clips["h264"], 3840, 2160)  # a 480x270 board is an LED board: 1080p at most
    value = manifest([video_item("v", big),
                      {"kind": "text", "id": "t", "title": "Thông báo", "body": "Nội dung"}])
    compositor = Compositor(screen, _store(tmp_path, data))
    for step in range(2):
        compositor.update(Snapshot(generation=1, manifest=value), START + timedelta(milliseconds=step))
    assert tuple(screen.get_at((2, 2)))[:3] == TEXT_BG and big.sha256 in compositor.images.bad


def test_the_headless_loop_plays_the_clip_frame_by_frame_without_a_black_frame(screen, tmp_path,
                                                                             clips) -> None:
    """The real frame loop with the real clock: an image for a second, then the clip."""
    png = image_bytes(100, 100, RED)
    data = clips["h264"].read_bytes()
    begin = datetime.now(UTC) + timedelta(milliseconds=300)
    value = manifest(
        [image_item("i", media_ref(png, 100, 100), duration_s=1, fit="cover"),
         video_item("v", clip_ref(clips["h264"], 160, 90), duration_s=2)],
        timeline=[entry(begin, begin + timedelta(seconds=3), {"main": ["i", "v"]})],
    )
    shared = Shared()
    shared.update(manifest=value)
    compositor = Compositor(screen, _store(tmp_path, png, data))
    samples: list[tuple[datetime, tuple[int, int, int]]] = []
    stop = threading.Event()

    def watch(comp: Compositor, now: datetime) -> None:
        if now >= begin:
            samples.append((now, tuple(screen.get_at((240, 135)))[:3]))
        if now >= begin + timedelta(seconds=2.9):
            stop.set()

    run_loop(compositor, shared, stop, after_frame=watch, max_seconds=20)
    assert samples and not [s for s in samples if s[1] == (0, 0, 0)]
    assert any(_near(c, RED) for _, c in samples)
    assert any(_near(c, colour_at(0)) for _, c in samples) and any(_near(c, colour_at(1)) for _, c in samples)


def test_a_player_without_clips_does_not_load_ffmpeg() -> None:
    """PyAV (FFmpeg's libraries, ~25 MB resident) is imported when a clip first plays, so a board
    showing images keeps its memory bound (bench_player's 200 images: 189 MB with it, 152 without)."""
    import subprocess
    import sys

    code = ("import sys; import player.app, player.screen.kinds.video, player.screen.video; "
            "from player.screen.kinds import kind_of; sys.exit('av' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], env={"SDL_VIDEODRIVER": "dummy"}, timeout=60,
                          capture_output=True).returncode == 0


def _gradient_frame(width: int, height: int, colorspace: int | None = None):  # type: ignore[no-untyped-def]
    """A decoded-like YUV 4:2:0 frame of colourful gradients (every conversion path shows in it)."""
    import av
    from PIL import Image

    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = Image.linear_gradient("L").rotate(90).resize((width, height))
    frame = av.VideoFrame.from_image(Image.merge("RGB", (red, green, blue))).reformat(format="yuv420p")
    if colorspace is not None:
        frame.colorspace = colorspace
    return frame


@pytest.mark.parametrize(("size", "colorspace"), [((320, 180), None), ((200, 120), None), ((320, 180), 1)])
def test_the_scaler_writes_the_same_pixels_as_pyav(size: tuple[int, int], colorspace: int | None) -> None:
    """FFmpeg's scaler called on the screen's memory gives what PyAV's reformat gives: unscaled,
    scaled, and a clip tagged BT.709 (HD) converted with its own colours."""
    from player.screen.swscale import Scaler

    scaler = Scaler.load()
    assert scaler is not None, "PyAV's libswscale should be found on Linux"
    frame = _gradient_frame(320, 180, colorspace)
    surface = pygame.Surface(size, 0, 32, (0xFF0000, 0xFF00, 0xFF, 0))
    surface.lock()
    context = scaler.convert(None, frame, size, "bgra", surface._pixels_address, surface.get_pitch())
    surface.unlock()
    scaler.free(context)
    scaling = size != (320, 180)
    expected = frame.reformat(width=size[0], height=size[1], format="bgra",
                              interpolation="BILINEAR" if scaling else "POINT")
    plane, pitch = bytes(expected.planes[0]), expected.planes[0].line_size
    worst = 0
    for y in range(0, size[1], 7):
        for x in range(0, size[0], 5):
            got = surface.get_at((x, y))
            blue, green, red = plane[y * pitch + x * 4:y * pitch + x * 4 + 3]
            worst = max(worst, abs(got.r - red), abs(got.g - green), abs(got.b - blue))
    assert worst <= 1


@pytest.mark.parametrize("scaler", ["auto", None], ids=["direct", "pyav"])
def test_both_conversions_draw_the_clip_into_the_screen(screen, clips, scaler) -> None:
    """Straight into the screen's pixels (the scaler) or through PyAV where the scaler is missing;
    a covered clip (cropped) goes through a picture of its own either way."""
    for fit, box in ((Fit.CONTAIN, (240, 270)), (Fit.COVER, (170, 90))):
        clip = Clip(clips["h264"], box, fit, 10.0, "bgra", scaler=scaler)
        try:
            _wait(clip.ready, "the first frame")
            clip.advance(0.0)
            screen.fill((0, 0, 0))
            assert clip.draw(screen, (100, 0))
            assert clip.placement is not None
            inside = (100 + clip.placement.offset[0] + 20, clip.placement.offset[1] + 20)
            assert _near(screen.get_at(inside), colour_at(0))
            assert tuple(screen.get_at((99, 10)))[:3] == (0, 0, 0)  # nothing written left of the box
        finally:
            clip.close()


def test_the_queue_holds_decoded_frames_within_its_byte_budget(clips) -> None:
    from player.screen.video import QUEUE_BYTES, QUEUE_FRAMES

    clip = Clip(clips["h264"], (160, 90), Fit.CONTAIN, 10.0)
    try:
        _wait(clip.frames.full, "the queue to fill")
        one = sum(p.buffer_size for p in clip.frames.queue[0].picture.planes)
        assert clip.frames.maxsize == max(QUEUE_FRAMES[0], min(QUEUE_FRAMES[1], QUEUE_BYTES // one))
        assert clip.frames.maxsize * one <= max(QUEUE_BYTES, QUEUE_FRAMES[0] * one)
    finally:
        clip.close()


def test_a_clip_alone_wakes_the_loop_at_its_own_frame_rate(screen, tmp_path, clips) -> None:
    """A clip at 10 fps: the loop sleeps until its next frame is due, not 60 times a second; a
    ticker beside it brings back the steady 60 fps."""
    data = clips["h264"].read_bytes()
    value = manifest([video_item("v", clip_ref(clips["h264"], 160, 90), duration_s=2, frame_rate=10)])
    compositor = Compositor(screen, _store(tmp_path, data))
    now = START + timedelta(milliseconds=250)
    compositor.update(Snapshot(generation=1, manifest=value), now)
    assert compositor.animating() and not compositor.ticking(now)
    assert compositor.next_wake_s(now) == pytest.approx(0.051, abs=1e-6)  # frame 3 is due at 300 ms
    ticker = {"kind": "ticker", "id": "k", "text": "Tin vắn"}
    both = manifest([video_item("v", clip_ref(clips["h264"], 160, 90), duration_s=2), ticker],
                    timeline=[entry(START, NOW + timedelta(days=1), {"main": ["v"], "ticker": ["k"]},
                                    "mtc")])
    compositor.update(Snapshot(generation=2, manifest=both), now)
    assert compositor.ticking(now) and compositor.next_wake_s(now) == pytest.approx(1 / 60)


def test_a_clip_takes_the_place_of_cached_pictures(screen, tmp_path, clips) -> None:
    """One memory budget: when a clip is prepared, only the pictures drawn last stay decoded, and a
    picture decoded ahead but not drawn yet is let go (it is decoded again when it comes next)."""
    from player.screen.images import ImageKey
    from player.screen.kinds.video import KEEP_IMAGES_WITH_A_CLIP

    pngs = [image_bytes(100, 100, (10 * n, 20, 30)) for n in range(5)]
    data = clips["h264"].read_bytes()
    store = _store(tmp_path, *pngs, data)
    keys = [ImageKey(hashlib.sha256(p).hexdigest(), 100, 100, Fit.CONTAIN, (0, 0, 0)) for p in pngs]
    ahead = keys.pop()
    for key in keys:
        assert store.get(key) is not None
    store.request(ahead)
    store._pending[ahead].result(timeout=10)
    value = manifest([video_item("v", clip_ref(clips["h264"], 160, 90), duration_s=2)])
    Compositor(screen, store).update(Snapshot(generation=1, manifest=value), START)
    assert len(KIND.clips) == 1
    assert [k for k in keys if k in store._surfaces] == keys[-KEEP_IMAGES_WITH_A_CLIP:]
    assert not store.pending()
    assert store.get(ahead) is not None  # decoded again when it is asked for


@pytest.fixture(scope="module")
def toned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s of colours with a 440 Hz tone."""
    return make_clip(tmp_path_factory.mktemp("toned") / "tone.mp4", seconds=3, tone_hz=440)


def _sound_case(screen, tmp_path: Path, clip: Path, audio: dict | None, muted: bool = False):  # type: ignore[no-untyped-def]
    data = clip.read_bytes()
    extra = {} if audio is None else {"audio": audio}
    value = manifest([video_item("v", clip_ref(clip, 160, 90), duration_s=3, frame_rate=10, muted=muted)],
                     **extra)
    compositor = Compositor(screen, _store(tmp_path, data))
    compositor.update(Snapshot(generation=1, manifest=value), START)
    _wait(lambda: _only_clip().ready(), "the first frame")
    return compositor, value


def _play_for(compositor: Compositor, value, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Run the compositor on the real clock from START for ``seconds`` (the mixer plays in real time)."""
    began = time.monotonic()
    while (elapsed := time.monotonic() - began) < seconds:
        compositor.update(Snapshot(generation=1, manifest=value), START + timedelta(seconds=elapsed))
        time.sleep(0.02)


@pytest.fixture
def mixer() -> Iterator[None]:
    pygame.mixer.init(44_100, -16, 2)
    yield
    pygame.mixer.quit()


def test_a_clip_asking_for_sound_plays_its_track_at_the_boards_volume(screen, tmp_path, toned,
                                                                    mixer) -> None:
    compositor, value = _sound_case(screen, tmp_path, toned, {"enabled": True, "volume": 80})
    _play_for(compositor, value, 1.2)
    sound = next(iter(KIND.sounds.values()))
    assert sound.channel is not None and sound.channel.get_busy()
    assert sound.channel.get_volume() == pytest.approx(0.8, abs=0.01)
    assert sound.played >= 2 and not sound.absent and sound.error is None
    playing = sound.channel.get_sound()
    assert playing is not None
    samples = memoryview(playing.get_raw()).cast("h")
    assert max(abs(v) for v in samples[:4410]) > 8000  # the tone, not silence


@pytest.mark.parametrize(("audio", "muted"), [
    ({"enabled": True, "volume": 80}, True),  # the item does not ask for sound
    ({"enabled": False, "volume": 80}, False),  # the board's sound is off
    ({"enabled": True, "volume": 80, "quiet": {"start": "00:00", "end": "23:59"}}, False),  # quiet hours
    (None, False),
], ids=["muted-item", "board-off", "quiet-hours", "no-settings"])
def test_a_clip_stays_silent_unless_the_item_and_the_board_allow_sound(screen, tmp_path, toned, mixer,
                                                                      audio, muted) -> None:
    compositor, value = _sound_case(screen, tmp_path, toned, audio, muted)
    _play_for(compositor, value, 0.5)
    assert KIND.sounds == {} or not any(s.channel and s.channel.get_busy() for s in KIND.sounds.values())
    assert not pygame.mixer.get_busy()


def test_a_clip_without_a_sound_track_plays_its_pictures_silently(screen, tmp_path, clips, mixer) -> None:
    compositor, value = _sound_case(screen, tmp_path, clips["h264"], {"enabled": True, "volume": 80})
    _play_for(compositor, value, 0.5)
    assert all(s.absent for s in KIND.sounds.values()) and not pygame.mixer.get_busy()
    assert _near(screen.get_at((240, 135)), colour_at(0))


def test_a_clip_shown_late_starts_its_sound_where_the_pictures_are(toned, mixer) -> None:
    """1.2 s into the clip (the screen was off, or the board started late): the pieces before are
    skipped and the one under way starts 0.2 s in, so sound and pictures stay in step."""
    from player.screen.video import SOUND_CHUNK_S, ClipSound

    sound = ClipSound(toned, 44_100, 2)
    try:
        _wait(sound.chunks.full, "the sound decoded ahead")
        sound.feed(1.2, 50)
        assert sound.channel is not None and sound.played == 1
        playing = sound.channel.get_sound()
        assert playing is not None
        assert playing.get_length() == pytest.approx(SOUND_CHUNK_S - 0.2, abs=0.01)
    finally:
        sound.close()
