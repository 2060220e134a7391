"""Error responses: every invalid input is a 4xx whose message says what is wrong."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError

from signage_server.content.media_store import MediaRejected
from signage_server.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
    Unavailable,
)
from signage_server.core.validation import describe_errors
from signage_server.units.service import UnitError


def describe(errors: list[dict[str, Any]]) -> str:
    return describe_errors(errors)


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": describe(errors), "code": "request.invalid", "params": {}, "errors": errors},
    )


async def integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # A race past our own checks (duplicate name, vanished reference): a conflict, not a crash.
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={"detail": "the change conflicts with existing data (duplicate or missing reference)",
                 "code": "data.conflict", "params": {}},
    )


async def data_error(_request: Request, exc: Exception) -> JSONResponse:
    # PostgreSQL refuses, e.g., an id beyond its integer range where SQLite would just not find it.
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": "a value is out of range (an id or a number too large for the database)",
                 "code": "data.out_of_range", "params": {}},
    )


async def overflow_error(_request: Request, exc: Exception) -> JSONResponse:
    # SQLite's driver refuses integers beyond 64 bits before the query runs (PostgreSQL: DataError).
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": "a value is out of range (an id or a number too large for the database)",
                 "code": "data.out_of_range", "params": {}},
    )


async def unit_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_400_BAD_REQUEST,
                        content={"detail": str(exc), "code": "unit.invalid", "params": {}})


DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (Invalid, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (Forbidden, status.HTTP_403_FORBIDDEN),
    (TooManyRequests, status.HTTP_429_TOO_MANY_REQUESTS),
    (Unavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
)


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain refusal (400 for a kind not listed above)."""
    return next((code for kind, code in DOMAIN_STATUS if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST)


async def domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    retry_after = exc.params.get("retry_after_s")
    return JSONResponse(
        status_code=status_of(exc),
        content={"detail": exc.message, "code": exc.code, "params": dict(exc.params)},
        headers=None if retry_after is None else {"Retry-After": str(retry_after)},
    )


async def media_rejected(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MediaRejected)
    return JSONResponse(status_code=exc.status_code,
                        content={"detail": exc.message, "code": exc.code, "params": dict(exc.params)})


def install(app: FastAPI) -> None:
    app.add_exception_handler(MediaRejected, media_rejected)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(DataError, data_error)
    app.add_exception_handler(OverflowError, overflow_error)
    app.add_exception_handler(UnitError, unit_error)
