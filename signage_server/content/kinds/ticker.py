"""A ticker: the item's own line of text scrolling across its region."""

from __future__ import annotations

from signage_contract import TickerItem
from signage_server.content.kinds.spec import Content, ItemSource, KindSpec, WireCommon, stored_options
from signage_server.models import ItemKind

TickerOptions = stored_options(TickerItem, "speed", "foreground", "background")


def to_wire(source: ItemSource, common: WireCommon) -> TickerItem:
    return TickerItem(text=source.text, **common)


KIND = KindSpec(kind=ItemKind.TICKER, content=Content.TEXT, wire_model=TickerItem, options=TickerOptions,
                to_wire=to_wire)
