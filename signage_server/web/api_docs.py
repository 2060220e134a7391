"""The API's documentation pages (/docs: Swagger UI, /redoc: ReDoc) with their scripts and styles
served by the application itself, so they work on an intranet with no internet; and the site root,
which leads to the panel.

The assets come from the ``fastapi-offline`` package (MIT), which ships Swagger UI (Apache-2.0) and
ReDoc (MIT) unchanged; ``NOTICE_PATH`` serves the licence notice."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_PATH = "/docs-assets"
NOTICE_PATH = f"{ASSETS_PATH}-notice.txt"
PANEL_HOME = "/panel/dashboard"
NOTICE = """The API documentation pages use, unchanged, files shipped by the fastapi-offline package
(MIT licence, Copyright (c) 2021 Neal Turett):

- Swagger UI (swagger-ui-bundle.js, swagger-ui.css): Apache License 2.0,
  Copyright 2020-2021 SmartBear Software Inc.
- ReDoc (redoc.standalone.js): MIT licence, Copyright (c) 2015-present, Rebilly, Inc.

The full licence texts come with the fastapi-offline distribution (its dist-info) and with each
project's published package (swagger-ui-dist, redoc).
"""


def install_docs(app: FastAPI, *, enabled: bool) -> None:
    """/docs and /redoc from local assets (when ``enabled``; production may hide them), and ``/``."""

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(PANEL_HOME, status_code=307)

    if not enabled or app.openapi_url is None:
        return
    openapi_url = app.openapi_url
    oauth_redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=oauth_redirect,
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )

    @app.get(oauth_redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url, title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png", with_google_fonts=False,
        )

    @app.get(NOTICE_PATH, include_in_schema=False)
    def notice() -> PlainTextResponse:
        return PlainTextResponse(NOTICE)
