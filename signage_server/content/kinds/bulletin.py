"""A bulletin: the title and body of a ``Bulletin``, drawn as a text slide (wire kind "text")."""

from __future__ import annotations

from signage_contract import TextItem
from signage_server.content.kinds.spec import Content, ItemSource, KindSpec, WireCommon, stored_options
from signage_server.models import ItemKind

# ``flow``: a text too long for its region is paged ("pages", the default) or scrolled ("scroll").
BulletinOptions = stored_options(TextItem, "align", "foreground", "background", "title_color",
                                 "duration_fixed", "flow")


def to_wire(source: ItemSource, common: WireCommon) -> TextItem:
    return TextItem(title=source.title, body=source.text, speech=source.speech, **common)


KIND = KindSpec(kind=ItemKind.BULLETIN, content=Content.BULLETIN, wire_model=TextItem,
                options=BulletinOptions, to_wire=to_wire)
