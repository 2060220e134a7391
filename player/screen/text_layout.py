"""The text layout the server shares (wrapping, fitting, paging): see signage_contract/text_layout.py."""

from signage_contract.text_layout import (
    LEGIBLE_MIN_PX,
    PADDING_RATIO,
    TextBlock,
    TextPages,
    banner_height,
    fit_line,
    fit_text,
    legible_floor,
    page_at,
    page_durations,
    paginate,
    wrap,
)

__all__ = [
    "LEGIBLE_MIN_PX",
    "PADDING_RATIO",
    "TextBlock",
    "TextPages",
    "banner_height",
    "fit_line",
    "fit_text",
    "legible_floor",
    "page_at",
    "page_durations",
    "paginate",
    "wrap",
]
