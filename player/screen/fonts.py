"""The board's font (shared with the server, which counts pages with it): see signage_contract/fonts.py."""

from signage_contract.fonts import (
    FONT_PATH,
    LICENSE_PATH,
    MAX_FONT_PX,
    MIN_FONT_PX,
    font,
    line_step,
    measuring,
)

__all__ = ["FONT_PATH", "LICENSE_PATH", "MAX_FONT_PX", "MIN_FONT_PX", "font", "line_step", "measuring"]
