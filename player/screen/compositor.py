"""The compositor: compose what the timeline says at ``now``, redraw only what changed.

Regions are placed for this screen first (screen/arrange.py: the layout's variant for its
orientation, closed up over empty regions). Static regions (images, text bulletins, the clock
between minutes) are drawn only when their
content changes, into the back buffer that ``display.update`` presents; a region switches only once
its next picture is decoded (prepared ahead, off the frame path), so a switch never shows a blank
frame; at start the last frame of the previous run is on screen meanwhile (screen/last_frame.py),
and with none kept a layer is drawn at once, its pictures as they decode. Tickers are redrawn every
frame over their own strip. It reads the network thread's results through a ``Snapshot`` and never
waits on the network; the loop around it is screen/loop.py.

Power (``signage_contract/power.py``, the manifest's ``power``): while the schedule has the screen
off it shows black (mode ``("off",)``, no play is recorded; the loop's power hook powers the display
down); an emergency override wakes it at full brightness. Below 100 % the layers are drawn into an
off-screen ``canvas`` and each changed rectangle is copied to the display and multiplied down
(a software dim of the output, only where something changed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import pygame

from signage_contract import (
    LOCAL_TIMEZONE,
    EmergencyOverride,
    Fit,
    Item,
    Letterbox,
    Manifest,
    Region,
    RegionRole,
)
from signage_contract.power import FULL_BRIGHTNESS, screen_plan
from signage_contract.speech import AudioSettings

from ..core.shared import Snapshot
from ..core.timeline import Frame, RegionShow, resolve
from . import override_screen, render
from .arrange import arrange
from .images import ImageKey, ImageStore
from .kinds import ItemKind, Scene, kind_of

log = logging.getLogger(__name__)
Reopen = Callable[[Manifest | None], pygame.Surface | None]
TICKER_FPS = 60
IDLE_WAIT_S = 0.2  # how soon a static slide notices a new manifest or a decoded image


def utc_now() -> datetime:
    return datetime.now(UTC)


def region_rect(screen: pygame.Rect, x: float, y: float, w: float, h: float) -> pygame.Rect:
    """Relative region -> pixels; edges are rounded so neighbouring regions share a border exactly."""
    left, top = round(x * screen.w), round(y * screen.h)
    return pygame.Rect(left, top, round((x + w) * screen.w) - left, round((y + h) * screen.h) - top)


@dataclass
class _Shown:
    key: tuple[object, ...]
    rect: pygame.Rect


class Compositor:
    """Turns (snapshot, now) into pixels on ``screen``; shared by the live loop and ``render``."""

    def __init__(
        self, screen: pygame.Surface, images: ImageStore, reopen: Reopen | None = None
    ) -> None:
        self.display = screen  # the window's surface
        self.screen = screen  # where layers are drawn: the display, or the canvas while dimmed
        self.images = images
        self.reopen = reopen  # a new window when a new manifest names another geometry
        self.frame: Frame | None = None
        self.generation = -1
        self.shown: dict[str, _Shown] = {}
        self.mode: tuple[object, ...] = ()
        self.dirty: list[pygame.Rect] = []
        self.layout_key: tuple[object, ...] = ()
        self.failures_seen = 0
        # Whether the screen holds a picture (drawn, or the last frame restored at start): a new
        # layer waits for its images only then; on a black screen it is drawn at once, text first.
        self.on_screen = False
        self.screen_on = True  # False while the power schedule has the screen off
        self.audio: AudioSettings | None = None  # the manifest's, for clips with sound
        self.brightness = FULL_BRIGHTNESS
        self.power_generation = -1
        self.power_next: datetime | None = None
        self.power_wanted = (True, FULL_BRIGHTNESS)
        self._moving: tuple[Frame | None, tuple[int, int], list[tuple[ItemKind[Any], Any, datetime]]] = (
            None, (0, 0), [])

    @property
    def size(self) -> tuple[int, int]:
        return self.screen.get_size()

    def playable(self, item: Item) -> bool:
        kind = kind_of(item)
        return kind is None or kind.playable(item, self.images)

    def duration_of(self, item: Item, region: Region) -> float:
        """How long ``item`` plays in ``region`` of this screen (a paged text: as its pages need)."""
        kind = kind_of(item)
        if kind is None:
            return item.duration_s
        rect = region_rect(self.screen.get_rect(), region.x, region.y, region.w, region.h)
        return kind.duration_s(item, rect, self.screen.get_size())

    def update(self, snap: Snapshot, now: datetime) -> list[pygame.Rect]:
        """Bring the screen up to ``now``; return the rectangles that changed."""
        self.dirty = []
        frame = self.frame
        changed = snap.generation != self.generation or self.images.failures != self.failures_seen
        if snap.generation != self.generation and self.reopen is not None:
            self._follow(snap.manifest)
        if frame is None or changed or now >= frame.next_change_at:
            self.generation, self.failures_seen = snap.generation, self.images.failures
            resolved = resolve(snap.manifest, now, self.playable, snap.overrides, self.duration_of,
                               self.size)
            frame = self.frame = arrange(resolved, self.size)
            self._prepare_next(snap.manifest, frame, now)
        zone = render.board_zone(snap.manifest.timezone if snap.manifest else LOCAL_TIMEZONE)
        self.audio = snap.manifest.audio if snap.manifest else None
        on, level = self._power(snap, now, zone)
        if frame.override is not None:  # over everything, the pairing code included; wakes the screen
            on, level = True, FULL_BRIGHTNESS
        self._set_power(on, level)
        if not on:
            self._full_layer(("off",), self._black)
            return self._present()
        if frame.override is not None:
            self._draw_override(frame.override, now, zone)
            return self._present()
        if snap.manifest is None and snap.pairing_code:
            self._full_layer(
                ("pairing", snap.pairing_code, snap.server),
                lambda: render.draw_pairing(self.screen, snap.pairing_code or "", snap.server),
            )
            return self._present()
        board_name = snap.manifest.board_name if snap.manifest else ""
        if self._update_regions(frame, now, zone, board_name):
            self._draw_animated(frame, now, zone, board_name)
        return self._present()

    def _power(self, snap: Snapshot, now: datetime, zone: tzinfo) -> tuple[bool, int]:
        """What the manifest's power schedule asks at ``now`` (looked up again only when it can
        have changed: a new snapshot or the schedule's next change)."""
        due = self.power_next is None or now >= self.power_next
        if snap.generation != self.power_generation or due:
            plan = screen_plan(snap.manifest.power if snap.manifest else None, now, zone)
            self.power_generation, self.power_next = snap.generation, plan.next_change_at
            self.power_wanted = (plan.on, plan.brightness)
        return self.power_wanted

    def _set_power(self, on: bool, level: int) -> None:
        """Switch between the display and a dimming canvas when the brightness changes; everything
        is drawn again at the new level."""
        self.screen_on = on
        if level == self.brightness:
            return
        self.brightness = level
        self.screen = self.display if level >= FULL_BRIGHTNESS else self._canvas()
        self.mode, self.layout_key = (), ()
        self.shown.clear()

    def _black(self) -> None:
        self.screen.fill((0, 0, 0))

    def _canvas(self) -> pygame.Surface:
        if self.screen is not self.display and self.screen.get_size() == self.display.get_size():
            return self.screen
        return pygame.Surface(self.display.get_size(), 0, self.display)

    def _present(self) -> list[pygame.Rect]:
        """Dimmed: copy each changed rectangle of the canvas to the display at the brightness level."""
        if self.screen is not self.display:
            shade = (round(255 * self.brightness / FULL_BRIGHTNESS),) * 3
            for rect in self.dirty:
                self.display.blit(self.screen, rect, rect)
                self.display.fill(shade, rect, special_flags=pygame.BLEND_RGB_MULT)
        return self.dirty

    def _follow(self, manifest: Manifest | None) -> None:
        assert self.reopen is not None
        screen = self.reopen(manifest)
        if screen is not None:  # everything is drawn again, at the new size
            self.display, self.mode, self.layout_key = screen, (), ()
            self.screen = screen if self.brightness >= FULL_BRIGHTNESS else self._canvas()
            self.shown.clear()

    def _full_layer(self, key: tuple[object, ...], draw: Callable[[], None]) -> None:
        if self.mode != key:
            self.mode, self.on_screen = key, True
            draw()
            self.dirty.append(self.screen.get_rect())

    def _draw_override(self, override: EmergencyOverride, now: datetime, zone: tzinfo) -> None:
        """The top layer, redrawn when the override, the minute or the image's readiness changes;
        the image is shown once decoded, never waited for."""
        picture = None
        screen_rect = self.screen.get_rect()
        if override.media is not None and self.images.media.has(override.media.sha256):
            box = override_screen.plan(screen_rect, override, with_image=True).image_box
            if box is not None:
                background = override_screen.palette(override.risk_level)[0]
                key = ImageKey(override.media.sha256, box.w, box.h, Fit.CONTAIN, background, Letterbox.COLOUR)
                picture = self.images.get(key)
        minute = now.replace(second=0, microsecond=0)
        page = override_screen.page_shown(override_screen.plan(screen_rect, override, picture is not None),
                                          override, now)
        self._full_layer(
            ("override", override, minute, picture is not None, page),
            lambda: override_screen.draw_override(self.screen, screen_rect, override, now, zone, picture),
        )

    def shown_override(self) -> str | None:
        """The id of the override on screen after the last ``update``, if any."""
        shown = self.mode[1] if self.mode[:1] == ("override",) else None
        return shown.id if isinstance(shown, EmergencyOverride) else None

    def _prepare_next(self, manifest: Manifest | None, frame: Frame, now: datetime) -> None:
        """Start decoding what the next change will show, so it is ready before it is due."""
        later = resolve(manifest, frame.next_change_at, self.playable, duration_of=self.duration_of,
                        screen=self.size)
        upcoming = arrange(later, self.size)
        for show in (*frame.regions, *upcoming.regions):
            key = self._image_key(show)
            if key is not None:
                self.images.request(key)
            self._prepare(show, now)

    def _prepare(self, show: RegionShow, now: datetime) -> None:
        kind = kind_of(show.item)
        if kind is not None:
            kind.prepare(show.item, self._rect(show), show.started_at, self.images, now)

    def _rect(self, show: RegionShow) -> pygame.Rect:
        return region_rect(self.screen.get_rect(), show.region.x, show.region.y, show.region.w, show.region.h)

    def _image_key(self, show: RegionShow) -> ImageKey | None:
        kind = kind_of(show.item)
        if kind is None:
            return None
        rect = region_rect(self.screen.get_rect(), show.region.x, show.region.y, show.region.w, show.region.h)
        return kind.picture(show.item, rect)

    def _ready(self, frame: Frame) -> bool:
        """Whether every picture of ``frame`` is decoded (or known bad), so it can be shown whole."""
        for show in frame.regions:
            key = self._image_key(show)
            if key is not None and self.images.get(key) is None and key.sha256 not in self.images.bad:
                return False
            kind = kind_of(show.item)
            if kind is not None and not kind.prepared(show.item, self._rect(show), show.started_at):
                return False
        return True

    def _update_regions(self, frame: Frame, now: datetime, zone: tzinfo, board_name: str) -> bool:
        """Draw the regions whose content changed straight into the back buffer (nothing is visible
        before ``display.update``); a region whose next picture is not decoded keeps its old one.
        False while a new layout waits for its pictures (the old screen stays, tickers included)."""
        screen_rect = self.screen.get_rect()
        layout_key = (frame.layout.id, frame.layout.regions, screen_rect.size)
        if self.mode != ("regions",) or layout_key != self.layout_key:
            if self.on_screen and not self._ready(frame):
                return False  # a whole new layer: wait until all of it can be drawn at once
            self.mode, self.layout_key, self.on_screen = ("regions",), layout_key, True
            self.shown.clear()
            self.screen.fill(render.rgb(frame.layout.background))
            self.dirty.append(screen_rect)
        for show in frame.regions:
            kind = kind_of(show.item)
            rect = region_rect(screen_rect, show.region.x, show.region.y, show.region.w, show.region.h)
            if kind is not None and kind.animates(show.item, rect, screen_rect.size):
                continue  # drawn as it moves by _draw_animated
            key: tuple[object, ...] = (
                show.item,  # the whole item: an edit can keep its id (equality is cheap on frozen models)
                show.started_at,
                rect.size,
                board_name,
            )
            scene = Scene(now, zone, board_name, self.images, show.started_at, screen_rect.size, self.audio)
            if kind is not None:
                key += kind.redraw_key(show.item, rect, scene)
            elif show.region.role != RegionRole.MAIN:
                key += (now.replace(second=0, microsecond=0),)  # the filler's clock
            previous = self.shown.get(show.region.id)
            if previous is not None and previous.key == key and previous.rect == rect:
                continue
            if not self._draw_static(show, rect, scene):
                continue  # not prepared yet: the old content stays on screen
            self.shown[show.region.id] = _Shown(key, rect)
            if self.dirty[:1] != [screen_rect]:
                self.dirty.append(rect)
        return True

    def _draw_static(self, show: RegionShow, rect: pygame.Rect, scene: Scene) -> bool:
        """Draw one region's item; False when it is not prepared yet (its picture is decoding)."""
        kind = kind_of(show.item)
        if kind is not None:
            return kind.draw(self.screen, rect, show.item, scene)
        if show.item is None and show.region.role == RegionRole.MAIN:
            render.draw_fallback(self.screen, rect, scene.board_name)
            log.info("nothing playable in region %s: the fallback slide is shown", show.region.id)
        else:  # an empty region the layout could not close up over, or a kind this player does not know
            render.draw_filler(self.screen, rect, scene.board_name, scene.now, scene.zone)
        return True

    def _draw_animated(self, frame: Frame, now: datetime, zone: tzinfo, board_name: str) -> None:
        """Redraw the regions whose kind animates: a ticker every frame, a scrolling text when it
        has moved (its redraw key changed)."""
        screen = self.screen.get_rect()
        size = screen.size
        for show in frame.regions:
            kind = kind_of(show.item)
            rect = region_rect(screen, show.region.x, show.region.y, show.region.w, show.region.h)
            if kind is None or not kind.animates(show.item, rect, size):
                continue
            scene = Scene(now, zone, board_name, self.images, show.started_at, size, self.audio)
            moved = kind.redraw_key(show.item, rect, scene)
            key = (show.item, show.started_at, rect.size, *moved)
            previous = self.shown.get(show.region.id)
            if moved and previous is not None and previous.key == key and previous.rect == rect:
                continue
            kind.draw(self.screen, rect, show.item, scene)
            self.shown[show.region.id] = _Shown(key, rect)
            self.dirty.append(rect)

    def _animated(self) -> list[tuple[ItemKind[Any], Any, datetime]]:
        """The kind, item and start of every region whose item moves now (worked out once per
        frame of the timeline and screen size: the loop asks after every frame it draws)."""
        if self.mode != ("regions",) or self.frame is None:
            return []
        screen = self.screen.get_rect()
        if self._moving[0] is self.frame and self._moving[1] == screen.size:
            return self._moving[2]
        moving = []
        for show in self.frame.regions:
            kind = kind_of(show.item)
            rect = region_rect(screen, show.region.x, show.region.y, show.region.w, show.region.h)
            if kind is not None and kind.animates(show.item, rect, screen.size):
                moving.append((kind, show.item, show.started_at))
        self._moving = (self.frame, screen.size, moving)
        return moving

    def animating(self) -> bool:
        return bool(self._animated())

    def ticking(self, now: datetime) -> bool:
        """Whether something moves every frame (a ticker, a scrolling text): the loop then keeps a
        steady 60 fps; a clip alone wakes it when its next frame is due (``next_wake_s``)."""
        return any(kind.next_frame_s(item, started, now) is None for kind, item, started in self._animated())

    def next_wake_s(self, now: datetime) -> float:
        """How long the loop may sleep: until the next change, a clip's next frame, a minute tick,
        or a short idle poll."""
        moving = self._animated()
        if moving:
            waits = [kind.next_frame_s(item, started, now) for kind, item, started in moving]
            return min(1.0 / TICKER_FPS if wait is None else wait for wait in waits)
        wait = IDLE_WAIT_S
        if self.frame is not None:
            wait = min(wait, max(0.0, (self.frame.next_change_at - now).total_seconds()))
        return wait
