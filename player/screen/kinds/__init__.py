"""Item kinds on screen, one module each (image, text, clock, ticker), looked up by wire model.

Each module defines ``KIND``, an ``ItemKind`` saying how its items are prepared (the picture to
decode ahead, off the frame path), when they look different (a clock: every minute), whether they
animate (a ticker: redrawn every frame) and how they are drawn into ``(surface, rect)``. The
compositor finds a kind by the item's wire model class and never tests for kinds itself; an item
with no kind here (``UnknownItem``, from a newer server) is shown as nothing.

Adding a kind (video, say) is one wire model in ``signage_contract/manifest.py`` and one module
here defining ``KIND``: the modules of this package are found at first use.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

import pygame

from signage_contract.manifest import ItemBase
from signage_contract.speech import AudioSettings

from ..images import ImageKey, ImageStore

ItemT = TypeVar("ItemT", bound=ItemBase)


@dataclass(frozen=True)
class Scene:
    """What a renderer may need beside its item: the instant, the board's zone and name, the
    decoded pictures, when the item started showing (a ticker scrolls from it, a paged text turns
    its pages from it), the board's size (the legibility floor grows with it) and its sound settings
    (a clip with sound plays it only where they allow)."""

    now: datetime
    zone: tzinfo
    board_name: str
    images: ImageStore
    started_at: datetime
    screen_size: tuple[int, int] = (1920, 1080)
    audio: AudioSettings | None = None  # the board's sound: on or off, volume, quiet hours


class ItemKind(ABC, Generic[ItemT]):
    """How one kind of item is prepared and drawn; the defaults suit a static, self-contained item."""

    model: ClassVar[type[ItemBase]]  # the wire model this kind draws
    animated: ClassVar[bool] = False  # redrawn every frame over its region, never left as drawn

    def playable(self, item: ItemT, images: ImageStore) -> bool:
        """Whether the timeline may show it now (e.g. its media is cached and decodable)."""
        return True

    def picture(self, item: ItemT, rect: pygame.Rect) -> ImageKey | None:
        """The picture to decode ahead for ``rect``, so a switch never waits for it."""
        return None

    def prepare(
        self, item: ItemT, rect: pygame.Rect, started_at: datetime, images: ImageStore, now: datetime
    ) -> None:
        """Get ready ahead to show ``item`` from ``started_at`` (a clip: open and decode its start)."""

    def prepared(self, item: ItemT, rect: pygame.Rect, started_at: datetime) -> bool:
        """Whether its first picture can be drawn now, so a new layer need not wait for it."""
        return True

    def animates(self, item: ItemT, rect: pygame.Rect, screen: tuple[int, int]) -> bool:
        """Whether it moves in ``rect`` (a ticker; a text scrolling): drawn over its region as often
        as every frame, never left as drawn. An animated kind whose ``redraw_key`` is not empty is
        redrawn only when the key changes (a strip that moved a pixel)."""
        return self.animated

    def next_frame_s(self, item: ItemT, started_at: datetime, now: datetime) -> float | None:
        """For an animated kind with its own frame rate (a clip): how long until its next frame is
        due, so the loop sleeps until then. None: it moves every frame, at the loop's steady pace."""
        return None

    def redraw_key(self, item: ItemT, rect: pygame.Rect, scene: Scene) -> tuple[object, ...]:
        """What, besides the item and its region, changes how it looks at ``scene.now``."""
        return ()

    def duration_s(self, item: ItemT, rect: pygame.Rect, screen: tuple[int, int]) -> float:
        """How long it plays in ``rect`` of a ``screen``-sized board (a paged text: its pages)."""
        return item.duration_s

    @abstractmethod
    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: ItemT, scene: Scene) -> bool:
        """Draw inside ``rect`` only; False when it cannot be drawn yet (the old content stays)."""


def kind_of(item: object) -> ItemKind[Any] | None:
    """The kind that draws ``item``; None for an item this player has no kind for."""
    return registry().get(type(item))


@cache
def registry() -> dict[type, ItemKind[Any]]:
    """Every kind of this package, by wire model (each module's ``KIND``)."""
    kinds: dict[type, ItemKind[Any]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        kind = getattr(importlib.import_module(f"{__name__}.{module_info.name}"), "KIND", None)
        if isinstance(kind, ItemKind):
            kinds[kind.model] = kind
    return kinds
