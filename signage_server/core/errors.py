"""Errors raised by domain code, mapped to HTTP (and to the panel's words) at the edge.

Each carries a stable ``code`` (``override.not_pending``), its ``params`` and an English message.
The JSON API answers ``{"detail": message, "code": code, "params": params}``; the panel
translates by code. Domain code never imports FastAPI.
"""

from __future__ import annotations

from collections.abc import Mapping

Param = str | int | float | None


class DomainError(Exception):
    """A request the domain refuses; subclasses say how (not found, conflict, invalid, forbidden)."""

    def __init__(self, code: str, message: str, **params: Param) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params: Mapping[str, Param] = params


class NotFound(DomainError):
    """The object does not exist, or lies outside the caller's scope (the two are not told apart)."""


class Conflict(DomainError):
    """The object's current state does not allow the change (already confirmed, still in use...)."""


class Invalid(DomainError):
    """The input is well-formed but wrong (an end before its start, an unknown unit...)."""


class Forbidden(DomainError):
    """The caller is known but their role or scope does not allow this."""


class TooManyRequests(DomainError):
    """The caller asked too often lately; ``retry_after_s`` (a param) says how long to wait."""


class Unavailable(DomainError):
    """The service cannot take this now (a capacity is full); ``retry_after_s`` says when to retry."""
