"""A QR code: the item's own text is an http(s) address, drawn by the player as a QR code with an
optional caption (the province's feedback portal, say). The address and the caption are checked
here on every write; that the code's modules stay scannable on each board a schedule reaches is
checked when the schedule (or the playlist) is approved (``content.board_fit``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from signage_contract import qr
from signage_contract.manifest import QrItem
from signage_server.content.kinds.spec import Content, ItemSource, KindSpec, WireCommon, stored_options
from signage_server.models import ItemKind

QrOptions = stored_options(QrItem, "caption", "foreground", "background")


def check_item(text: str, options: Mapping[str, Any]) -> None:
    """The address is http(s) and fits ``qr.MAX_VERSION``; the caption stays short. The English
    messages are matched by the panel's refusals (``VALUE_ERRORS``) to say them in Vietnamese."""
    fault = qr.url_fault(text)
    if fault == "not_http":
        raise ValueError("a qr code needs an http:// or https:// address")
    if fault == "too_long":
        raise ValueError(f"a qr code address may have at most {qr.max_url_chars()} characters")
    if len(str(options.get("caption", ""))) > qr.MAX_CAPTION_CHARS:
        raise ValueError(f"a qr code caption may have at most {qr.MAX_CAPTION_CHARS} characters")


def to_wire(source: ItemSource, common: WireCommon) -> QrItem:
    return QrItem(url=source.text, **common)


KIND = KindSpec(kind=ItemKind.QR, content=Content.TEXT, wire_model=QrItem, options=QrOptions, to_wire=to_wire,
                check_item=check_item)
