"""Validating a merged record (current row + a partial update) as a whole, in domain terms.

A refusal is an ``Invalid`` whose message lists each failing field the way the API words request
validation errors (``field: message; other: message``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from signage_server.core.errors import Invalid

M = TypeVar("M", bound=BaseModel)


def _where(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) or "request"


def describe_errors(errors: Iterable[Mapping[str, Any]]) -> str:
    """``field: message; ...``: the one wording of validation errors (API, panel, services)."""
    return "; ".join(f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors)


def describe(exc: ValidationError) -> str:
    """A pydantic ``ValidationError`` in that wording."""
    return describe_errors(exc.errors())


def validated(model: type[M], data: dict[str, Any], code: str) -> M:
    """``model`` built from ``data``, or ``Invalid(code)`` naming what is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(code, describe(exc)) from exc
