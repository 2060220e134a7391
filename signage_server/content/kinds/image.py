"""An image: a stored picture (``Media``), fitted whole into its region over a blurred copy of
itself or a background colour."""

from __future__ import annotations

from signage_contract import ImageItem, Letterbox
from signage_server.content.kinds.spec import Content, ItemSource, KindSpec, WireCommon, stored_options
from signage_server.models import ItemKind

ImageOptions = stored_options(ImageItem, "fit", "letterbox", "background")


def to_wire(source: ItemSource, common: WireCommon) -> ImageItem:
    # An editor who chose a background colour before the blurred letterbox existed keeps that colour.
    if "background" in common and "letterbox" not in common:
        common = {**common, "letterbox": Letterbox.COLOUR}
    return ImageItem(media=source.media, **common)


KIND = KindSpec(kind=ItemKind.IMAGE, content=Content.MEDIA, wire_model=ImageItem, options=ImageOptions,
                to_wire=to_wire)
