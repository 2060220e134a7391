"""PDF items: the document's pages (pictures the server drew) shown in turn, ``page_s`` each, fitted
like an image over the item's background; the next page is decoded ahead while one shows."""

from __future__ import annotations

import pygame

from signage_contract import Letterbox, MediaRef, PdfItem

from ..images import ImageKey, ImageStore
from ..render import rgb
from . import ItemKind, Scene


def page_key(item: PdfItem, page: MediaRef, rect: pygame.Rect) -> ImageKey:
    return ImageKey(page.sha256, rect.w, rect.h, item.fit, rgb(item.background), Letterbox.COLOUR)


class PdfKind(ItemKind[PdfItem]):
    model = PdfItem

    def playable(self, item: PdfItem, images: ImageStore) -> bool:
        return all(images.media.has(p.sha256) and p.sha256 not in images.bad for p in item.pages)

    def picture(self, item: PdfItem, rect: pygame.Rect) -> ImageKey:
        return page_key(item, item.pages[0], rect)

    def redraw_key(self, item: PdfItem, rect: pygame.Rect, scene: Scene) -> tuple[object, ...]:
        return (item.page_at(_elapsed_s(scene)),)

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: PdfItem, scene: Scene) -> bool:
        index = item.page_at(_elapsed_s(scene))
        page = item.pages[index]
        picture = scene.images.get(page_key(item, page, rect))
        scene.images.request(page_key(item, item.pages[(index + 1) % len(item.pages)], rect))
        if picture is None:
            return page.sha256 in scene.images.bad  # not decoded yet: the previous page stays
        surface.fill(rgb(item.background), rect)
        surface.blit(picture, picture.get_rect(center=rect.center))
        return True


def _elapsed_s(scene: Scene) -> float:
    return (scene.now - scene.started_at).total_seconds()


KIND = PdfKind()
