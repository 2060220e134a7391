"""Errors under /panel answer as pages in the reader's language (403, 404, a refusal, 500), not
as the API's JSON; elsewhere the API's own handlers answer as before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from signage_server.core.errors import DomainError
from signage_server.units.service import UnitError
from signage_server.web import errors as api_errors
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import pages
from signage_server.web.panel.refusals import SENTENCES, validation_text
from signage_server.web.panel.session import PANEL_PATH

HEADINGS: dict[int, str] = {
    400: N_("The request cannot be carried out"),
    401: N_("Please log in"),
    403: N_("You may not open this page"),
    404: N_("Page not found"),
    405: N_("This action is not available here"),
    409: N_("The change conflicts with the current state"),
    413: N_("The request is too large"),
    422: N_("The request cannot be carried out"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on the server"),
    503: N_("The service is busy"),
}
DEFAULT_HEADING = N_("The request cannot be carried out")
STARLETTE_DETAILS = (N_("Not Found"), N_("Method Not Allowed"))  # starlette's own words, translated
SERVER_ERROR = N_("The error has been logged. Try again; if it happens again, tell the administrator.")


def in_panel(request: Request) -> bool:
    path = request.url.path
    return path == PANEL_PATH or path.startswith(PANEL_PATH + "/")


def error_page(request: Request, status_code: int, message: str) -> Response:
    """The error page; ``message`` is already in the reader's language."""
    view = pages(request)
    tr = view.translator(request)
    heading = tr(HEADINGS.get(status_code, DEFAULT_HEADING))
    return view.render(request, "error.html", None, status_code=status_code, heading=heading,
                       detail=message, code=status_code)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not in_panel(request):
        return await http_exception_handler(request, exc)
    tr = pages(request).translator(request)
    detail = tr(exc.detail) if isinstance(exc.detail, str) else ""
    return error_page(request, exc.status_code, detail)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if not in_panel(request):
        return await api_errors.domain_error(request, exc)
    return error_page(request, api_errors.status_of(exc), pages(request).refusal(request, exc))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not in_panel(request):
        return await api_errors.validation_error(request, exc)
    tr = pages(request).translator(request)
    return error_page(request, 422, validation_text(list(exc.errors()), tr))


def _data_refusal(code: str, status_code: int) -> Callable[[Request, Exception], Awaitable[Response]]:
    """A database refusal (a race past the checks, a number out of range): a page under /panel."""
    api_handler = {"data.conflict": api_errors.integrity_error, "data.out_of_range": api_errors.data_error,
                   "unit.invalid": api_errors.unit_error}[code]

    async def handle(request: Request, exc: Exception) -> Response:
        if not in_panel(request):
            return await api_handler(request, exc)
        tr = pages(request).translator(request)
        return error_page(request, status_code, tr(SENTENCES[code]))

    return handle


async def _server_error(request: Request, exc: Exception) -> Response:
    """Starlette logs the exception and re-raises it after this answer."""
    if not in_panel(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    tr = pages(request).translator(request)
    return error_page(request, 500, tr(SERVER_ERROR))


def install_error_pages(app: FastAPI) -> None:
    """Wraps the API's handlers (``web/errors.py``, installed first) for /panel paths."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _data_refusal("data.conflict", 409))
    app.add_exception_handler(DataError, _data_refusal("data.out_of_range", 422))
    app.add_exception_handler(OverflowError, _data_refusal("data.out_of_range", 422))
    app.add_exception_handler(UnitError, _data_refusal("unit.invalid", 400))
    app.add_exception_handler(Exception, _server_error)
