"""Image items: decoded, fitted whole and letterboxed off the frame path (screen/images.py), then blitted."""

from __future__ import annotations

import pygame

from signage_contract import ImageItem

from ..images import ImageKey, ImageStore
from ..render import rgb
from . import ItemKind, Scene


def draw_image(
    surface: pygame.Surface, rect: pygame.Rect, item: ImageItem, picture: pygame.Surface | None
) -> None:
    """Letterbox colour, then the picture (already scaled off-thread) centred in the region."""
    surface.fill(rgb(item.background), rect)
    if picture is not None:
        surface.blit(picture, picture.get_rect(center=rect.center))


class ImageKind(ItemKind[ImageItem]):
    model = ImageItem

    def playable(self, item: ImageItem, images: ImageStore) -> bool:
        return images.media.has(item.media.sha256) and item.media.sha256 not in images.bad

    def picture(self, item: ImageItem, rect: pygame.Rect) -> ImageKey:
        return ImageKey(item.media.sha256, rect.w, rect.h, item.fit, rgb(item.background), item.letterbox)

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: ImageItem, scene: Scene) -> bool:
        picture = scene.images.get(self.picture(item, rect))
        if picture is None:
            return item.media.sha256 in scene.images.bad  # bad: drawn as its letterbox colour
        draw_image(surface, rect, item, picture)
        return True


KIND = ImageKind()
