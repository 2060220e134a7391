"""Templates, page rendering and the mount: static files, the font, security headers, login redirect."""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any
from urllib.parse import quote

import fontpkg_noto_sans
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from signage_server.web.errors import describe
from signage_server.web.panel.i18n import LANGUAGES, load_catalogs, pick_language
from signage_server.web.panel.labels import WEEKDAYS
from signage_server.web.panel.preview import PreviewRenderer
from signage_server.web.panel.security import PanelHeaders
from signage_server.web.panel.session import CSRF_FIELD, LANG_COOKIE, PANEL_PATH, LoginRequired, PanelUser

HERE = Path(__file__).resolve().parent
FONT_FILE = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"
FONT_LICENCE = fontpkg_noto_sans.ROOT / "LICENSE"


def make_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Pages:
    """Renders templates in the request's language; kept on ``app.state.panel``."""

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


def pages(request: Request) -> Pages:
    found: Pages = request.app.state.panel
    return found


def error_text(exc: HTTPException | ValidationError) -> str:
    """The API's own message for a refused write (validation messages in the API's wording)."""
    if isinstance(exc, ValidationError):
        return describe([dict(e) for e in exc.errors()])
    return str(exc.detail)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _login_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": f"{PANEL_PATH}/login"})
    return see_other(f"{PANEL_PATH}/login?next={quote(exc.next_path)}")


def mount(app: FastAPI) -> None:
    from signage_server.web.panel.routes import ROUTERS

    app.state.panel = Pages()
    app.state.panel_previews = PreviewRenderer(app.state.settings.data_dir / "previews")
    app.add_middleware(PanelHeaders, prefix=PANEL_PATH)
    app.add_exception_handler(LoginRequired, _login_redirect)
    app.mount(f"{PANEL_PATH}/static", StaticFiles(directory=HERE / "static"), name="panel-static")
    for router in ROUTERS:
        app.include_router(router, prefix=PANEL_PATH, include_in_schema=False)

    @app.get(f"{PANEL_PATH}/font/NotoSans.ttf", include_in_schema=False)
    def font() -> FileResponse:
        """Served from the installed font package: the repository carries no font binary."""
        return FileResponse(FONT_FILE, media_type="font/ttf",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get(f"{PANEL_PATH}/font/LICENSE.txt", include_in_schema=False)
    def font_licence() -> FileResponse:
        return FileResponse(FONT_LICENCE, media_type="text/plain; charset=utf-8")
