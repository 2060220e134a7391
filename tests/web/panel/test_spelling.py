"""Vietnamese panel texts place tones one way: in an open syllable ending in oa, oe or uy the mark
sits on the first vowel ("khóa", "hòa", "tọa", "thủy"), the style most of the catalog used. A mix
("khóa" on one page, "khoá" on the next) reads as carelessness."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from signage_server.web.panel.i18n import I18N_DIR
from tests.support.paths import REPOSITORY

# The other style: the mark on the second vowel of a syllable-final oa/oe/uy ("khoá", "thuỷ").
# "qu" is one consonant, so "quý" is right in both styles.
OTHER_STYLE = re.compile(r"(?<![qQ])(?:[oO][àáảãạèéẻẽẹ]|[uU][ỳýỷỹỵ])(?!\w)")
TEMPLATES = REPOSITORY / "signage_server" / "web" / "panel" / "templates"


def mixed_variants(text: str) -> list[str]:
    return [m.group(0) for m in OTHER_STYLE.finditer(text)]


def test_the_check_finds_the_other_style_and_spares_the_chosen_one() -> None:
    assert mixed_variants("Khoá tài khoản, hoà giải, toạ độ, thuỷ lợi") == ["oá", "oà", "oạ", "uỷ"]
    assert mixed_variants("Khóa tài khoản, hòa giải, tọa độ, thủy lợi, quý, hoàng, khoảng") == []


def test_vietnamese_catalog_uses_one_tone_placement() -> None:
    with (I18N_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    found = {m.string: mixed_variants(m.string) for m in catalog if m.id and mixed_variants(m.string)}
    assert found == {}


def test_templates_use_one_tone_placement() -> None:
    found = {
        str(path.relative_to(REPOSITORY)): mixed_variants(path.read_text("utf-8"))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if mixed_variants(path.read_text("utf-8"))
    }
    assert found == {}
