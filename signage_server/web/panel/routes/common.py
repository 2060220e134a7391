"""Helpers shared by the page modules: dependency aliases, units in scope, refused writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from fastapi import HTTPException
from pydantic import ValidationError
from sqlmodel import Session, col, select

from signage_server.core import roles
from signage_server.core.auth import scope_unit_ids
from signage_server.core.errors import DomainError
from signage_server.models import AdminUnit, User
from signage_server.web.panel.pages import PagesDep, error_text

__all__ = ["PAIRING_ROLES", "PagesDep", "attempt", "local_time", "refused", "status_of", "units_in_scope"]

PAIRING_ROLES = roles.OPERATORS
T = TypeVar("T")


def units_in_scope(session: Session, user: User) -> dict[int, AdminUnit]:
    """Units the user may see, current ones only, in code order (for menus and grouping)."""
    ids = scope_unit_ids(session, user)
    rows = session.exec(
        select(AdminUnit).where(col(AdminUnit.id).in_(ids), col(AdminUnit.valid_to).is_(None))
        .order_by(col(AdminUnit.code))
    ).all()
    return {u.id: u for u in rows if u.id is not None}


def attempt(action: Callable[[], T]) -> tuple[T | None, str]:
    """Run an API function; a refusal comes back as the API's message instead of an exception."""
    try:
        return action(), ""
    except (HTTPException, ValidationError, DomainError) as exc:
        return None, error_text(exc)


def refused(action: Callable[[], T]) -> tuple[T | None, str]:
    """Run a domain service call (or build its input model); a refusal (``DomainError``, pydantic
    ``ValidationError``) comes back as its message, the one the API answers, instead of raising."""
    try:
        return action(), ""
    except (DomainError, ValidationError) as exc:
        return None, error_text(exc)


def status_of(error: str, default: int = 422) -> int:
    return default if error else 200


LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local_time(moment: datetime) -> str:
    """A stored instant (UTC; SQLite hands it back naive) as Vietnam's wall-clock time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M:%S")
