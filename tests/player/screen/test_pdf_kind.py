"""PDF items on screen: each page for ``page_s`` in turn, from the item's start, fitted over the
background; a page not cached yet keeps the item from playing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pygame
import pytest

from player.core.cache import MediaCache
from player.core.shared import Snapshot
from player.screen.compositor import Compositor
from player.screen.images import ImageStore
from player.screen.kinds import kind_of
from signage_contract import PdfItem
from tests.support.player_factories import NOW, image_bytes, manifest, media_ref

PAGES = ((200, 30, 30), (30, 160, 40), (30, 60, 200))
PAGE_S = 5.0


@pytest.fixture
def screen():
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode((320, 180))
    pygame.display.quit()


def _pages(tmp_path, cached: int = len(PAGES)) -> tuple[ImageStore, list[dict]]:
    media = MediaCache(tmp_path / "media")
    refs = []
    for number, colour in enumerate(PAGES):
        data = image_bytes(297, 210, colour, "JPEG")
        if number < cached:
            media.path(hashlib.sha256(data).hexdigest()).write_bytes(data)
        refs.append(media_ref(data, 297, 210, "image/jpeg").model_dump())
    return ImageStore(media, synchronous=True), refs


def _pdf(refs: list[dict]) -> dict:
    return {"kind": "pdf", "id": "p1", "pages": refs, "page_s": PAGE_S, "duration_s": PAGE_S * len(refs)}


def _near(colour: tuple[int, ...], wanted: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour[:3], wanted, strict=True))


def test_the_pages_show_in_turn_and_start_over(screen, tmp_path) -> None:
    store, refs = _pages(tmp_path)
    compositor = Compositor(screen, store)
    snap = Snapshot(generation=1, manifest=manifest([_pdf(refs)]))
    # The timeline starts an hour before NOW: 3,600 s is a whole number of 15 s passes.
    for offset_s, page in ((0.0, 0), (4.9, 0), (5.0, 1), (10.0, 2), (14.9, 2), (15.0, 0), (20.0, 1)):
        compositor.update(snap, NOW + timedelta(seconds=offset_s))
        centre = tuple(screen.get_at((160, 90)))
        assert _near(centre, PAGES[page]), (offset_s, centre)
    assert _near(tuple(screen.get_at((2, 90))), (255, 255, 255))  # contained: white bands beside the page


def test_a_pdf_with_a_page_not_cached_is_not_played_yet(tmp_path) -> None:
    store, refs = _pages(tmp_path, cached=2)
    item = PdfItem.model_validate(_pdf(refs))
    kind = kind_of(item)
    assert kind is not None and not kind.playable(item, store)
