"""Panel catalogs: every message the code and templates use is in messages.pot, and Vietnamese
translates all of them (NFC, placeholders kept)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from signage_server.web.panel.i18n import I18N_DIR, LANGUAGES, load_catalogs
from tests.support.paths import REPOSITORY

ROOT = REPOSITORY
METHODS = [
    ("signage_server/web/panel/**.py", "python"),
    ("signage_server/web/panel/templates/**.html", "jinja2"),
]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _catalog(path: Path):
    with path.open("rb") as source:
        return read_po(source)


def test_template_file_lists_every_message_in_use() -> None:
    used = {m[2] for m in extract_from_dir(str(ROOT), METHODS, keywords={"_": None, "N_": None})}
    listed = {m.id for m in _catalog(I18N_DIR / "messages.pot") if m.id}
    assert used - listed == set(), "run pybabel extract (see signage_server/web/panel/i18n/babel.cfg)"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_catalog_covers_the_template(lang: str) -> None:
    listed = {m.id for m in _catalog(I18N_DIR / "messages.pot") if m.id}
    catalog = {m.id: m.string for m in _catalog(I18N_DIR / lang / "LC_MESSAGES" / "messages.po") if m.id}
    assert listed - set(catalog) == set()


def test_vietnamese_translates_everything_in_nfc_with_placeholders() -> None:
    for message in _catalog(I18N_DIR / "vi" / "LC_MESSAGES" / "messages.po"):
        if not message.id:
            continue
        assert message.string, f"untranslated: {message.id!r}"
        assert unicodedata.is_normalized("NFC", message.string), message.id
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string))


def test_catalogs_compile_in_memory() -> None:
    catalogs = load_catalogs()
    assert catalogs["vi"].gettext("Log in") == "Đăng nhập"
    assert catalogs["en"].gettext("Log in") == "Log in"
