"""Templates and page rendering in the reader's language; the message of a refused write.

Imports no page module: ``mount.py`` wires the pages into the application."""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from starlette.requests import HTTPConnection

from signage_server.core.errors import DomainError
from signage_server.web.deps import state_of
from signage_server.web.errors import describe
from signage_server.web.panel.i18n import LANGUAGES, load_catalogs, pick_language
from signage_server.web.panel.labels import WEEKDAYS
from signage_server.web.panel.listing import unit_tree
from signage_server.web.panel.session import CSRF_FIELD, LANG_COOKIE, PanelUser

HERE = Path(__file__).resolve().parent


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["unit_tree"] = unit_tree  # the unit picker macro orders the units it is given
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
        page = self.env.get_template(template).render(
            _=tr, lang=tr.lang, languages=LANGUAGES, me=who, csrf_field=CSRF_FIELD,
            path=request.url.path, weekdays=WEEKDAYS, **context,
        )
        return HTMLResponse(page, status_code=status_code, headers={"Cache-Control": "no-store"})


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


def error_text(exc: HTTPException | ValidationError | DomainError, lang: str | None = None) -> str:
    """The API's own message for a refused write (validation messages in the API's wording), or
    the domain's own advice in the reader's language when it gives one (param ``feedback_<lang>``,
    as a weak password does)."""
    if isinstance(exc, ValidationError):
        return describe([dict(e) for e in exc.errors()])
    if isinstance(exc, DomainError):
        advice = exc.params.get(f"feedback_{lang}") if lang else None
        return str(advice) if advice else exc.message
    return str(exc.detail)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
