"""An image: a stored picture (``Media``), fitted into its region over a background colour."""

from __future__ import annotations

from signage_contract import ImageItem
from signage_server.content.kinds.spec import Content, ItemSource, KindSpec, WireCommon, stored_options
from signage_server.models import ItemKind

ImageOptions = stored_options(ImageItem, "fit", "background")


def to_wire(source: ItemSource, common: WireCommon) -> ImageItem:
    return ImageItem(media=source.media, **common)


KIND = KindSpec(kind=ItemKind.IMAGE, content=Content.MEDIA, wire_model=ImageItem, options=ImageOptions,
                to_wire=to_wire)
