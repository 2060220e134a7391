"""A PDF document: the pages of a PDF ``Media`` (drawn to pictures at upload, ``content/pdf_media.py``)
shown in turn, ``page_s`` each; the item lasts one pass through its pages."""

from __future__ import annotations

from signage_contract import PdfItem
from signage_server.content.kinds.spec import Content, ItemSource, KindSpec, WireCommon, stored_options
from signage_server.models import ItemKind

PdfOptions = stored_options(PdfItem, "page_s", "fit", "background")


def to_wire(source: ItemSource, common: WireCommon) -> PdfItem:
    page_s = float(common.get("page_s", PdfItem.model_fields["page_s"].default))
    return PdfItem(pages=list(source.pages), **{**common, "duration_s": page_s * len(source.pages)})


KIND = KindSpec(kind=ItemKind.PDF, content=Content.PDF, wire_model=PdfItem, options=PdfOptions,
                to_wire=to_wire)
