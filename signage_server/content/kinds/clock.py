"""A clock: the board's local date and/or time; it shows no stored content."""

from __future__ import annotations

from signage_contract import ClockItem
from signage_server.content.kinds.spec import Content, ItemSource, KindSpec, WireCommon, stored_options
from signage_server.models import ItemKind

ClockOptions = stored_options(ClockItem, "format", "foreground", "background")


def to_wire(source: ItemSource, common: WireCommon) -> ClockItem:
    return ClockItem(**common)


KIND = KindSpec(kind=ItemKind.CLOCK, content=Content.NONE, wire_model=ClockItem, options=ClockOptions,
                to_wire=to_wire)
