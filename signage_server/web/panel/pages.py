"""Templates and page rendering in the reader's language; the message of a refused write.

Imports no page module: ``mount.py`` wires the pages into the application."""

from __future__ import annotations

import dataclasses
import gettext
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2.bccache import Bucket, BytecodeCache
from markupsafe import Markup
from pydantic import ValidationError
from starlette.requests import HTTPConnection

from signage_server.content.media_store import MediaRejected
from signage_server.core.errors import DomainError
from signage_server.core.local_time import LOCAL_LABEL, local_date, local_text, to_local
from signage_server.web.deps import state_of
from signage_server.web.panel.i18n import LANGUAGES, load_catalogs, pick_language
from signage_server.web.panel.labels import REGION_WORDS, RISK_COLOUR_NAMES, RISK_MEANINGS, WEEKDAYS
from signage_server.web.panel.listing import unit_tree
from signage_server.web.panel.refusals import Refusal, refusal_text
from signage_server.web.panel.session import CSRF_FIELD, LANG_COOKIE, PanelUser

HERE = Path(__file__).resolve().parent


def local_markup(moment: datetime | None, seconds: bool = False) -> Markup | str:
    """``{{ x | local }}``: a stored instant as a labelled local ``<time>`` (``—`` when absent)."""
    if moment is None:
        return "—"
    return Markup('<time datetime="{}">{}</time>').format(to_local(moment).isoformat(),
                                                          local_text(moment, seconds=seconds))


def clock_markup(moment: datetime | None) -> Markup | str:
    """``{{ x | clock }}``: the local time of day of an instant of today, labelled."""
    if moment is None:
        return "—"
    local = to_local(moment)
    return Markup('<time datetime="{}">{} {}</time>').format(local.isoformat(), local.strftime("%H:%M:%S"),
                                                             LOCAL_LABEL)


def region_word(region_id: str) -> str:
    """``{{ _(r.id | region) }}``: a built-in region's word to translate; a custom region's own id."""
    return REGION_WORDS.get(region_id, region_id)


class _ProcessBytecodeCache(BytecodeCache):
    """Compiled templates kept for the process, shared by every application's environment (one in
    a server; thousands in the tests, each compiling every page it renders again). Jinja checks
    each entry against its template's source, so an edited template is compiled anew."""

    def __init__(self) -> None:
        self._codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._codes[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _ProcessBytecodeCache()


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        bytecode_cache=_BYTECODE,
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["unit_tree"] = unit_tree  # the unit picker macro orders the units it is given
    env.filters["local"] = local_markup
    env.filters["clock"] = clock_markup
    env.filters["localdate"] = local_date
    env.globals["tz_label"] = LOCAL_LABEL
    env.filters["region"] = region_word
    env.globals["risk_meanings"] = RISK_MEANINGS  # macros.risk_words
    env.globals["risk_colours"] = RISK_COLOUR_NAMES
    return env


class Pages:
    """Renders templates in the request's language; built once by ``mount``."""

    def __init__(self) -> None:
        self.env = make_environment()
        self.catalogs: dict[str, gettext.GNUTranslations] = load_catalogs()

    def translator(self, request: Request) -> Translator:
        lang = pick_language(request.cookies.get(LANG_COOKIE))
        return Translator(self.catalogs[lang], lang)

    def render(
        self, request: Request, template: str, who: PanelUser | None, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        tr = self.translator(request)
        if isinstance(context.get("error"), Refusal):
            context["error"] = self.refusal(request, context["error"].exc)
        shown = context.get("refusal")  # a refused delete with what uses it (routes.common.Refusal)
        message = getattr(shown, "message", None)
        if isinstance(message, Refusal) and dataclasses.is_dataclass(shown) and not isinstance(shown, type):
            context["refusal"] = dataclasses.replace(shown, message=self.refusal(request, message.exc))
        page = self.env.get_template(template).render(
            _=tr, lang=tr.lang, languages=LANGUAGES, me=who, csrf_field=CSRF_FIELD,
            path=request.url.path, weekdays=WEEKDAYS, **context,
        )
        return HTMLResponse(page, status_code=status_code, headers={"Cache-Control": "no-store"})

    def refusal(self, request: Request, exc: DomainError | MediaRejected | ValidationError) -> str:
        """A refused action in the request's language."""
        tr = self.translator(request)
        return refusal_text(exc, tr, tr.lang)


class Translator:
    """``_("Hello %(name)s", name=x)``: the result is a plain str, so Jinja escapes it."""

    def __init__(self, catalog: gettext.GNUTranslations, lang: str) -> None:
        self.catalog = catalog
        self.lang = lang

    def __call__(self, message: str, **values: Any) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text


def pages(connection: HTTPConnection) -> Pages:
    """The renderer ``mount`` built (``app.state.panel``)."""
    return state_of(connection, "panel", Pages)


PagesDep = Annotated[Pages, Depends(pages)]


def error_text(exc: DomainError | MediaRejected | ValidationError, lang: str | None = None) -> Refusal:
    """A refused write, kept whole: the page renders it in the reader's language
    (``refusals.refusal_text``); as a ``str`` it is the API's English message."""
    return Refusal(exc)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
