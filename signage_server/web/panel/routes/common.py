"""Helpers shared by the page modules: dependency aliases, units in scope, run_service writes."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, TypeVar

from fastapi import Depends
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.requests import HTTPConnection

from signage_contract.timezone import LOCAL_ZONE
from signage_server.content.workflow import InUse
from signage_server.core import roles
from signage_server.core.auth import scope_unit_ids
from signage_server.core.errors import DomainError
from signage_server.core.legacy_text import TextConversion, convert_fields
from signage_server.core.local_time import local_text
from signage_server.models import AdminUnit, User
from signage_server.schemas import BulletinUpdate
from signage_server.web.deps import state_of
from signage_server.web.panel.pages import PagesDep, error_text
from signage_server.web.panel.preview import PreviewRenderer

__all__ = [
    "LOCAL_ZONE", "NO_REFUSAL", "PAIRING_ROLES", "PagesDep", "PreviewsDep", "Refusal", "local_time",
    "run_delete", "run_service", "status_of", "units_in_scope",
]

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


def status_of(error: str, default: int = 422) -> int:
    return default if error else 200




def local_time(moment: datetime) -> str:
    """A stored instant as Vietnam's wall-clock time, labelled (the one helper: core/local_time)."""
    return local_text(moment, seconds=True)


def run_service(action: Callable[[], T], lang: str | None = None) -> tuple[T | None, str]:
    """Run a service call; a refusal (a domain error, or input that does not validate) comes back
    as its message instead of an exception (in ``lang`` where the domain gives advice in it)."""
    try:
        return action(), ""
    except (DomainError, ValidationError) as exc:
        return None, error_text(exc, lang)


@dataclass(frozen=True)
class Refusal:
    """A refused write as a page shows it: the message and, for a delete of something in use,
    links to what uses it (``(url, name)``)."""

    message: str = ""
    used_by: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.message)


NO_REFUSAL = Refusal()
USER_PAGES = {"playlist": "/panel/playlists", "schedule": "/panel/schedules"}


def run_delete(action: Callable[[], None], lang: str | None = None) -> Refusal:
    """A delete through its service; a refusal because the row is in use links what uses it."""
    try:
        action()
    except InUse as exc:
        page = USER_PAGES.get(exc.used_by_kind, "")
        return Refusal(error_text(exc, lang), tuple((f"{page}/{ident}", name) for ident, name in exc.users))
    except (DomainError, ValidationError) as exc:
        return Refusal(error_text(exc, lang))
    return Refusal()


def run_archive(action: Callable[[], object], lang: str | None = None) -> Refusal:
    """An archive or restore through its service; refused because live content uses the row, the
    refusal links what does (as a delete's)."""
    def moved() -> None:
        action()

    return run_delete(moved, lang)


ArchiveMove = Literal["archive", "restore"]
"""The last step of a content page's archive and restore routes (``/<kind>/<id>/archive``)."""


def previews(connection: HTTPConnection) -> PreviewRenderer:
    return state_of(connection, "panel_previews", PreviewRenderer)


PreviewsDep = Annotated[PreviewRenderer, Depends(previews)]
"""The bulletin previews that the panel's mount builds."""


@dataclass(frozen=True)
class DraftText:
    """A bulletin's title and body as the services will store them, for a preview."""

    title: str
    body: str
    converted: list[TextConversion]


def draft_text(title: str, body: str) -> tuple[DraftText | None, str]:
    """Title and body NFC and trimmed, converted from TCVN3 or VNI as a save would convert them (and
    what was), or the refusal a save would meet (``text.legacy_*``)."""
    def read() -> DraftText:
        texts = BulletinUpdate(title=unicodedata.normalize("NFC", title).strip(),
                               body=unicodedata.normalize("NFC", body).strip())
        done, converted = convert_fields(texts, ("title", "body"))
        return DraftText(done.title or "", done.body or "", converted)
    return run_service(read)
