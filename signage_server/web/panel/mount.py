"""The panel's wiring into the application: the renderer, static files, the font, security
headers, the login redirect and every page's routes (``create_app`` calls ``mount``)."""

from __future__ import annotations

from urllib.parse import quote

import fontpkg_noto_sans
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from signage_server.web.panel.error_pages import install_error_pages
from signage_server.web.panel.pages import HERE, Pages, see_other
from signage_server.web.panel.preview import PreviewRenderer
from signage_server.web.panel.routes import ROUTERS
from signage_server.web.panel.security import PanelHeaders
from signage_server.web.panel.session import PANEL_PATH, LoginRequired

FONT_FILE = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"
FONT_LICENCE = fontpkg_noto_sans.ROOT / "LICENSE"


async def _login_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": f"{PANEL_PATH}/login"})
    return see_other(f"{PANEL_PATH}/login?next={quote(exc.next_path)}")


def mount(app: FastAPI) -> None:
    app.state.panel = Pages()
    app.state.panel_previews = PreviewRenderer(app.state.settings.data_dir / "previews")
    app.add_middleware(PanelHeaders, prefix=PANEL_PATH)
    app.add_exception_handler(LoginRequired, _login_redirect)
    install_error_pages(app)
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
