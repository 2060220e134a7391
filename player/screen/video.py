"""Clips decoded off the frame path: one PyAV thread per clip shown or about to be shown.

The thread decodes and puts each frame, as decoded (YUV, 3 MB for 1080p), into a small bounded
queue; the frame loop takes the newest due frame and has FFmpeg's scaler convert and scale it
straight into the screen's own pixels (screen/swscale.py): one pass, no copy, no allocation per
frame. A clip is opened and primed (its first frames decoded) as soon as the compositor knows it
comes next, so the switch from an image to a clip shows its first frame at once, and its last
frame stays until the next item is drawn over it: no black frame either side.

Frame ``i`` of a clip is due ``i / fps`` seconds after the item started; a due frame that was not
decoded in time counts as late (``Clip.late``), a frame passed over as dropped. A clip that cannot
be opened or decoded sets ``Clip.error``; the kind (screen/kinds/video.py) then marks it bad once.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import pygame

from signage_contract import Fit

from .images import effective_fit, scaled_size
from .swscale import Scaler, _Context

if TYPE_CHECKING:
    import av  # imported when a clip first plays: FFmpeg's libraries weigh ~25 MB of a board's memory

log = logging.getLogger(__name__)
T = TypeVar("T")
# Decoded ahead, as decoded: 3 frames of a 1080p clip (100 ms at 30 fps), 7 of 720p. Each queued
# frame holds one of the decoder's buffers; measured with bench_video's memory run, 4 frames of
# 1080p took the clip to 150 MB, 3 to 144 MB, 2 no lower, and 3 showed no late frame.
QUEUE_BYTES = 10 * 1024 * 1024
QUEUE_FRAMES = (3, 30)  # but never fewer (a 4K clip: 3 frames, 37 MB) nor more than this
PUT_POLL_S = 0.1  # how often a waiting decoder checks that its clip is still wanted


@dataclass(frozen=True)
class Placement:
    """Where a clip of ``source`` size goes in a ``box``: the scaled size and the part of it shown."""

    scaled: tuple[int, int]
    offset: tuple[int, int]  # where the scaled picture's top-left lands, relative to the box
    crop: pygame.Rect  # the part of the scaled picture inside the box

    @classmethod
    def of(cls, source: tuple[int, int], box: tuple[int, int], fit: Fit) -> Placement:
        scaled = scaled_size(source, box, effective_fit(source, box, fit))
        left, top = (box[0] - scaled[0]) // 2, (box[1] - scaled[1]) // 2
        crop = pygame.Rect(max(0, -left), max(0, -top), min(box[0], scaled[0]), min(box[1], scaled[1]))
        return cls(scaled, (max(0, left), max(0, top)), crop)


# The display's 32-bit layouts PyAV can write directly, by the surface's (R, G, B) masks.
NATIVE_FORMATS = {(0xFF0000, 0xFF00, 0xFF): "bgra", (0xFF, 0xFF00, 0xFF0000): "rgba"}
NATIVE_MASKS = {name: masks for masks, name in NATIVE_FORMATS.items()}
_PYGAME_FORMATS: dict[str, Literal["BGRA", "RGBA"]] = {"bgra": "BGRA", "rgba": "RGBA"}


def frame_format(surface: pygame.Surface | None) -> str:
    """The pixel layout to decode into for ``surface``: its own when PyAV has it (a frame is then
    copied, not converted, onto the screen), else RGB."""
    if surface is None or surface.get_bytesize() != 4:
        return "rgb24"
    red, green, blue, _alpha = surface.get_masks()
    return NATIVE_FORMATS.get((red, green, blue), "rgb24")


def put_while_wanted(into: queue.Queue[T], item: T, stop: threading.Event) -> bool:
    """Wait for room in ``into`` and put ``item``; False once ``stop`` is set (the clip was closed)."""
    while not stop.is_set():
        try:
            into.put(item, timeout=PUT_POLL_S)
            return True
        except queue.Full:
            continue
    return False


@dataclass(frozen=True)
class DecodedFrame:
    index: int  # counted from the clip's start, across loops
    picture: av.VideoFrame  # as decoded: the clip's own size and pixel format


class Clip:
    """One showing of a clip in one region: the decoder thread and what the frame loop has taken.

    ``pixel_format`` is the screen's layout (``frame_format``): frames are converted into it."""

    def __init__(self, path: Path, box: tuple[int, int], fit: Fit, fps: float,
                 pixel_format: str = "rgb24", scaler: Scaler | Literal["auto"] | None = "auto") -> None:
        self.path = path
        self.pixel_format = pixel_format if pixel_format in NATIVE_MASKS else "bgra"
        self.box = box
        self.fit = fit
        self.fps = fps
        self.scaler = Scaler.load() if scaler == "auto" else scaler
        self.placement: Placement | None = None
        self.frames: queue.Queue[DecodedFrame] = queue.Queue(QUEUE_FRAMES[1])  # narrowed at the first frame
        self.error: str | None = None
        self.current: DecodedFrame | None = None
        self.surface: pygame.Surface | None = None  # the frame on show, converted (when not drawn direct)
        self.shown = 0  # frames taken for display
        self.late = 0  # due frames that were not decoded in time
        self.dropped = 0  # decoded frames passed over because a later one was already due
        self._late_index = -1
        self._context: _Context | None = None  # the scaler's, for this clip's shape
        self._converted: av.VideoFrame | None = None  # PyAV's converted frame behind ``surface``
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="signage-video", daemon=True)
        self._thread.start()

    # -- decoder thread -------------------------------------------------------------------------
    def _run(self) -> None:
        import av

        try:
            index = 0
            while not self._stop.is_set():
                decoded = self._decode_once(index)
                if decoded == 0:
                    raise ValueError("no frame could be decoded")
                index += decoded  # a clip shorter than its item plays again from its start
        except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
            self.error = str(exc) or type(exc).__name__

    def _decode_once(self, first_index: int) -> int:
        import av

        decoded = 0
        with av.open(str(self.path), "r") as container:
            stream = container.streams.video[0]
            if stream.codec_context.width * stream.codec_context.height > 1920 * 1080:
                stream.thread_type = "AUTO"  # a 4K clip needs FFmpeg's frame threads to keep up
            for frame in container.decode(stream):
                if self.placement is None:
                    self.placement = Placement.of((frame.width, frame.height), self.box, self.fit)
                    size = sum(plane.buffer_size for plane in frame.planes)
                    fewest, most = QUEUE_FRAMES
                    # set before the first put, while only this thread uses the queue
                    self.frames.maxsize = max(fewest, min(most, QUEUE_BYTES // max(1, size)))
                if not self._put(DecodedFrame(first_index + decoded, frame)):
                    return decoded + 1
                decoded += 1
        return decoded

    def _put(self, frame: DecodedFrame) -> bool:
        return put_while_wanted(self.frames, frame, self._stop)

    # -- frame loop -----------------------------------------------------------------------------
    def ready(self) -> bool:
        """Whether the first frame is decoded (or the clip failed, so nobody should wait)."""
        return self.current is not None or not self.frames.empty() or self.error is not None

    def advance(self, elapsed_s: float) -> int:
        """Take the newest frame due ``elapsed_s`` after the start; the index now on show (-1: none)."""
        due = int(elapsed_s * self.fps + 1e-6)
        taken = False
        while self.current is None or self.current.index < due:
            try:
                following = self.frames.get_nowait()
            except queue.Empty:
                if self.current is not None and self.error is None and self._late_index < due:
                    self.late += 1  # once per due frame missed
                    self._late_index = due
                break
            if taken:
                self.dropped += 1  # taken in this call and already superseded: never shown
            else:
                self.shown += 1
            taken = True
            self.current, self.surface, self._converted = following, None, None
        return -1 if self.current is None else self.current.index

    def picture(self) -> pygame.Surface | None:
        """The frame on show at its drawn size, as a surface in the screen's layout (made once per frame)."""
        if self.current is None or self.placement is None:
            return None
        if self.surface is None:
            width, height = self.placement.scaled
            frame = self.current.picture
            if self.scaler is not None:
                red, green, blue = NATIVE_MASKS[self.pixel_format]
                self.surface = pygame.Surface((width, height), 0, 32, (red, green, blue, 0))
                self._convert(self.surface, (0, 0))
            else:  # PyAV converts into a new frame; the surface is made over its pixels
                scaling = (width, height) != (frame.width, frame.height)
                self._converted = frame.reformat(width=width, height=height, format=self.pixel_format,
                                                 interpolation="BILINEAR" if scaling else "POINT", threads=1)
                plane = self._converted.planes[0]  # rows may be padded: the surface takes the pitch
                self.surface = pygame.image.frombuffer(plane, (width, height),
                                                       _PYGAME_FORMATS[self.pixel_format], plane.line_size)
            self.surface.set_alpha(None)  # copied, never blended
        return self.surface

    def draw(self, surface: pygame.Surface, at: tuple[int, int]) -> bool:
        """Put the frame on show onto ``surface`` at ``at`` (the box's top-left); False when none is
        decoded. Into a screen of the same layout the scaler writes the screen's pixels directly."""
        if self.current is None or self.placement is None:
            return False
        placement = self.placement
        x, y = at[0] + placement.offset[0], at[1] + placement.offset[1]
        width, height = placement.scaled
        whole = placement.crop == pygame.Rect(0, 0, width, height)
        inside = surface.get_rect().contains(pygame.Rect(x, y, width, height))
        if self.scaler is not None and whole and inside and frame_format(surface) == self.pixel_format:
            self._convert(surface, (x, y))
            return True
        picture = self.picture()
        assert picture is not None
        surface.blit(picture, (x, y), placement.crop)
        return True

    def _convert(self, surface: pygame.Surface, at: tuple[int, int]) -> None:
        """The scaler writes the frame on show into ``surface`` from ``at``: the caller checked that
        the whole scaled picture lies inside it and that ``surface`` is 32-bit in ``pixel_format``."""
        assert self.scaler is not None and self.current is not None and self.placement is not None
        surface.lock()
        try:
            pitch = surface.get_pitch()
            address = surface._pixels_address + at[1] * pitch + at[0] * 4
            self._context = self.scaler.convert(self._context, self.current.picture, self.placement.scaled,
                                                self.pixel_format, address, pitch)
        finally:
            surface.unlock()

    def close(self) -> None:
        self._stop.set()
        if self._context is not None and self.scaler is not None:
            self.scaler.free(self._context)
            self._context = None

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


SOUND_CHUNK_S = 0.5  # the mixer is handed the sound track in pieces this long
SOUND_AHEAD = 8  # pieces decoded ahead (4 s, 700 KB of 44.1 kHz stereo)
SOUND_EARLY_S = 0.05  # a piece may start this much before it is due (the mixer's own latency)


@dataclass(frozen=True)
class SoundChunk:
    start_s: float  # from the clip's start, across loops of its sound track
    pcm: bytes  # signed 16-bit samples, interleaved, at the mixer's rate and channels


class ClipSound:
    """A clip's sound track, decoded ahead in its own thread at the mixer's format (PyAV resamples),
    handed to one mixer channel in step with the clip's pictures by ``feed`` (frame loop): a piece
    that is already past is skipped, one due is started where the clip is, so a clip shown late or
    resumed after the screen was off stays in step. A clip without a sound track stays silent."""

    def __init__(self, path: Path, rate: int, channels: int) -> None:
        self.path = path
        self.rate = rate
        self.channels = channels
        self.chunks: queue.Queue[SoundChunk] = queue.Queue(SOUND_AHEAD)
        self.channel: pygame.mixer.Channel | None = None
        self.absent = False  # the clip has no sound track
        self.error: str | None = None
        self.played = 0  # pieces handed to the mixer
        self._ready: SoundChunk | None = None  # taken from the queue, not yet handed over
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="signage-video-sound", daemon=True)
        self._thread.start()

    @property
    def frame_bytes(self) -> int:
        return 2 * self.channels

    def _run(self) -> None:
        import av

        try:
            start = 0.0
            while not self._stop.is_set():
                length = self._decode_once(start)
                if length <= 0:
                    return
                start += length  # the track loops with its clip
        except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
            self.error = str(exc) or type(exc).__name__

    def _decode_once(self, start: float) -> float:
        """Put one pass of the sound track from ``start``; its length in seconds (0: none)."""
        import av

        with av.open(str(self.path), "r") as container:
            if not container.streams.audio:
                self.absent = True
                return 0.0
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="stereo" if self.channels == 2 else "mono",
                                          rate=self.rate)
            size = int(self.rate * SOUND_CHUNK_S) * self.frame_bytes
            pending, at, total = bytearray(), start, 0
            for frame in [*container.decode(stream), None]:
                for out in resampler.resample(frame):
                    pending += bytes(out.planes[0])[:out.samples * self.frame_bytes]
                while len(pending) >= size or (frame is None and pending):
                    piece = bytes(pending[:size])
                    del pending[:size]
                    if not self._put(SoundChunk(at, piece)):
                        return 0.0
                    seconds = len(piece) / self.frame_bytes / self.rate
                    at, total = at + seconds, total + len(piece)
        return total / self.frame_bytes / self.rate

    def _put(self, chunk: SoundChunk) -> bool:
        return put_while_wanted(self.chunks, chunk, self._stop)

    def _next(self, elapsed_s: float) -> SoundChunk | None:
        """The first piece not yet over at ``elapsed_s`` (the ones before it are dropped)."""
        while True:
            if self._ready is None:
                try:
                    self._ready = self.chunks.get_nowait()
                except queue.Empty:
                    return None
            seconds = len(self._ready.pcm) / self.frame_bytes / self.rate
            if self._ready.start_s + seconds > elapsed_s:
                return self._ready
            self._ready = None

    def feed(self, elapsed_s: float, volume: int) -> None:
        """Keep the channel playing the sound of ``elapsed_s`` into the clip, at ``volume`` (0-100)."""
        if self.channel is None:
            self.channel = pygame.mixer.find_channel()
            if self.channel is None:
                return  # every channel busy (an announcement): the clip's sound waits
        self.channel.set_volume(volume / 100)
        if not self.channel.get_busy():
            chunk = self._next(elapsed_s)
            if chunk is None or chunk.start_s > elapsed_s + SOUND_EARLY_S:
                return
            skip = max(0, int((elapsed_s - chunk.start_s) * self.rate)) * self.frame_bytes
            self.channel.play(pygame.mixer.Sound(buffer=chunk.pcm[skip:]))
            self._ready, self.played = None, self.played + 1
        elif self.channel.get_queue() is None:
            following = self._next(elapsed_s)
            if following is not None:
                self.channel.queue(pygame.mixer.Sound(buffer=following.pcm))
                self._ready, self.played = None, self.played + 1

    def silence(self) -> None:
        """Stop what plays (quiet hours began, the board's sound was turned off)."""
        if self.channel is not None and pygame.mixer.get_init():
            self.channel.stop()

    def close(self) -> None:
        self._stop.set()
        self.silence()
