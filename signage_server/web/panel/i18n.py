"""Gettext catalogs (Babel): the .po files are compiled in memory at start-up, so the repository
holds no binary .mo and a clean clone runs as is. Vietnamese is the default language."""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

I18N_DIR = Path(__file__).resolve().parent / "i18n"
LANGUAGES: dict[str, str] = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"
DOMAIN = "messages"


def compile_catalog(po_path: Path) -> gettext.GNUTranslations:
    with po_path.open("rb") as source:
        catalog = read_po(source)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def load_catalogs(directory: Path = I18N_DIR) -> dict[str, gettext.GNUTranslations]:
    """Each language's catalog, compiled once per process while its .po file is unchanged (every
    application shares them: read-only)."""
    paths = {lang: directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po" for lang in LANGUAGES}
    return {lang: _compiled(path, path.stat().st_mtime_ns) for lang, path in paths.items()}


@functools.cache
def _compiled(po_path: Path, _mtime_ns: int) -> gettext.GNUTranslations:
    return compile_catalog(po_path)


def pick_language(cookie: str | None) -> str:
    """The language cookie, else Vietnamese (not the browser's language: office PCs often run an
    English Windows while their users read Vietnamese)."""
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
