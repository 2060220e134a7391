"""How long each play lasts on a board, as its player times it: a text item as its pages or its
scroll take in its source's lead region at the board's size, measured with the boards' font
(``signage_contract.text_play``); anything else its ``duration_s``. The board's programme
(``GET /boards/{id}/programme``) and the panel's airtime plan use it, so the plan is what the board
plays."""

from __future__ import annotations

import os

from signage_contract import Item, Manifest, TextItem
from signage_contract.programme import ItemSeconds, as_sent, lead_regions


def item_seconds(manifest: Manifest) -> ItemSeconds:
    """The length of each lead item of ``manifest`` on its board (as sent when the manifest names no
    size: an older composition)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from signage_contract import fonts, text_play  # pygame: imported when first measuring

    screen = text_play.screen_of(manifest)
    if screen is None:
        return as_sent
    measured = text_play.seconds_in_regions(lead_regions(manifest, screen), screen)

    def seconds(item: Item) -> float:
        if not isinstance(item, TextItem):
            return item.duration_s
        with fonts.MEASURING:  # the server measures from several threads; the font objects are shared
            return measured(item)

    return seconds
