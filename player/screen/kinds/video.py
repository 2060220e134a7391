"""Video items: a clip per showing, decoded ahead in its own thread (screen/video.py), its newest due
frame blitted into the region at the clip's frame rate.

The compositor prepares a clip as soon as it knows it comes next (``prepare``), and a new layer
waits for its first frame (``prepared``), so neither side of a clip shows a black frame. A clip
that cannot be opened or decoded, or that is above what this board class plays
(``signage_contract/video.py``), is marked bad in the image store: logged once, skipped by the
timeline from the next frame on, never a frozen screen.

Sound: a clip plays muted unless its item asks for sound (``VideoItem.muted`` false) and the
board's audio settings allow it now (on, volume above 0, outside quiet hours): its sound track is
then decoded ahead (``ClipSound``) and played through pygame.mixer in step with its pictures, and
stops when quiet hours begin or the clip ends. No audio device is logged once; the clip plays on.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta

import pygame

from signage_contract import VideoItem
from signage_contract.video import LIMITS, beyond, board_class

from ..images import ImageStore
from ..render import rgb
from ..video import Clip, ClipSound, frame_format
from . import ItemKind, Scene

log = logging.getLogger(__name__)
MAX_CLIPS = 4  # what is on screen and what comes next, over a few regions
# While a clip plays its decoded frames (video.QUEUE_BYTES) take the place of cached pictures:
# what is on screen beside it and the next one stay (a 1080p picture is 8 MB)
KEEP_IMAGES_WITH_A_CLIP = 2
FRAME_MARGIN_S = 0.001  # the loop wakes this long after a frame is due, so it is due when it looks
ShowingKey = tuple[str, str, tuple[int, int, int, int], datetime]


def showing_key(item: VideoItem, rect: pygame.Rect, started_at: datetime) -> ShowingKey:
    return item.id, item.media.sha256, (rect.x, rect.y, rect.w, rect.h), started_at


class VideoKind(ItemKind[VideoItem]):
    model = VideoItem
    animated = True

    def __init__(self) -> None:
        self.clips: OrderedDict[ShowingKey, Clip] = OrderedDict()
        self.ends: dict[ShowingKey, datetime] = {}  # when each showing is over
        self.sounds: dict[ShowingKey, ClipSound] = {}  # the clips playing their sound
        self.no_audio = False  # the mixer cannot start here: every clip stays silent

    def playable(self, item: VideoItem, images: ImageStore) -> bool:
        return images.media.has(item.media.sha256) and item.media.sha256 not in images.bad

    def prepare(
        self, item: VideoItem, rect: pygame.Rect, started_at: datetime, images: ImageStore, now: datetime
    ) -> None:
        self._close_ended(now)
        key = showing_key(item, rect, started_at)
        if key in self.clips or item.media.sha256 in images.bad or not images.media.has(item.media.sha256):
            return
        reason = self._beyond_board(item)
        if reason is not None:
            self._fail(item, images, reason)
            return
        display = pygame.display.get_surface() if pygame.display.get_init() else None
        self.clips[key] = Clip(images.media.path(item.media.sha256), rect.size, item.fit, item.frame_rate,
                               frame_format(display))
        images.make_room(KEEP_IMAGES_WITH_A_CLIP)
        self.ends[key] = started_at + timedelta(seconds=item.duration_s)
        while len(self.clips) > MAX_CLIPS:
            self._close(next(iter(self.clips)))

    def prepared(self, item: VideoItem, rect: pygame.Rect, started_at: datetime) -> bool:
        clip = self.clips.get(showing_key(item, rect, started_at))
        return clip is None or clip.ready()

    def next_frame_s(self, item: VideoItem, started_at: datetime, now: datetime) -> float:
        """Until just after the clip's next frame is due (its frame rate, not the loop's 60 fps)."""
        elapsed = (now - started_at).total_seconds()
        due_next = (int(elapsed * item.frame_rate + 1e-6) + 1) / item.frame_rate
        return max(0.0, due_next - elapsed) + FRAME_MARGIN_S

    def redraw_key(self, item: VideoItem, rect: pygame.Rect, scene: Scene) -> tuple[object, ...]:
        """The index of the frame on show: the region is drawn again only when a new one is due."""
        key = showing_key(item, rect, scene.started_at)
        clip = self.clips.get(key)
        if clip is None:
            self.prepare(item, rect, scene.started_at, scene.images, scene.now)
            clip = self.clips.get(key)
            if clip is None:
                return ("unplayable",)
        self.clips.move_to_end(key)
        self._close_earlier(key)
        if clip.error is not None:
            self._fail(item, scene.images, clip.error)
            return ("failed",)
        elapsed = (scene.now - scene.started_at).total_seconds()
        shown = clip.advance(elapsed)
        if shown >= 0:
            self._sound(key, item, scene, elapsed)
        return (shown,)

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: VideoItem, scene: Scene) -> bool:
        clip = self.clips.get(showing_key(item, rect, scene.started_at))
        if clip is None or clip.current is None or clip.placement is None:
            return False  # not decoded yet: what was there stays on screen
        if clip.placement.scaled != rect.size:
            surface.fill(rgb(item.background), rect)
        return clip.draw(surface, rect.topleft)

    def clip(self, item: VideoItem, rect: pygame.Rect, started_at: datetime) -> Clip | None:
        """The showing's clip, for its frame counts."""
        return self.clips.get(showing_key(item, rect, started_at))

    def _close_earlier(self, playing: ShowingKey) -> None:
        """Stop the clips of the region's earlier showings: they have ended."""
        for key in [k for k in self.clips if k[2] == playing[2] and k[3] < playing[3]]:
            self._close(key)

    def _close_ended(self, now: datetime) -> None:
        """Stop the clips whose showing is over (the next item is on screen by now)."""
        for key in [k for k, ends in self.ends.items() if ends <= now]:
            self._close(key)

    def _close(self, key: ShowingKey) -> None:
        self.clips.pop(key).close()
        self.ends.pop(key, None)
        sound = self.sounds.pop(key, None)
        if sound is not None:
            sound.close()

    def _sound(self, key: ShowingKey, item: VideoItem, scene: Scene, elapsed: float) -> None:
        """Play the clip's sound where the item and the board allow it now; silence it otherwise."""
        audio = scene.audio
        allowed = (not item.muted and audio is not None and not self.no_audio
                   and audio.allows(scene.now.astimezone(scene.zone)))
        sound = self.sounds.get(key)
        if not allowed or audio is None:
            if sound is not None:
                sound.silence()
            return
        if sound is None:
            try:
                if not pygame.mixer.get_init():
                    pygame.mixer.init()
                mixing = pygame.mixer.get_init()
                if mixing is None or mixing[2] not in (1, 2):
                    raise pygame.error(f"a mixer of {mixing} is neither mono nor stereo")
                rate, _size, channels = mixing
            except pygame.error as exc:
                log.warning("no audio output, clips play without sound: %s", exc)
                self.no_audio = True
                return
            sound = self.sounds[key] = ClipSound(self.clips[key].path, rate, channels)
        sound.feed(elapsed, audio.volume)

    def _fail(self, item: VideoItem, images: ImageStore, reason: str) -> None:
        sha = item.media.sha256
        if sha in images.bad:
            return
        log.warning("video %s (item %s) cannot play (%s); skipped", sha[:12], item.id, reason)
        images.bad.add(sha)
        images.failures += 1  # the compositor resolves again, without this clip
        for key in [k for k in self.clips if k[1] == sha]:
            self._close(key)

    @staticmethod
    def _beyond_board(item: VideoItem) -> str | None:
        display = pygame.display.get_surface() if pygame.display.get_init() else None
        if display is None:
            return None
        refused = beyond(LIMITS[board_class(display.get_size())], item.media.width, item.media.height,
                         item.frame_rate, item.bitrate)
        return None if refused is None else f"{refused.message} on this board"

KIND = VideoKind()
