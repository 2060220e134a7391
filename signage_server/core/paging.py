"""Server-side lists: one page of a query's rows with the total, and a case-insensitive text match.

Every list of the panel (content, boards, users, the approval queue, the audit trail) pages here,
so a province with thousands of rows never renders them all and the page number lives in the URL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")
PER_PAGE = 25
MAX_PER_PAGE = 200
MAX_SEARCH_CHARS = 100


@dataclass(frozen=True)
class PageRequest:
    """Which page (from 1) of how many rows; out-of-range values are clamped, never refused."""

    number: int = 1
    per_page: int = PER_PAGE

    def clamped(self) -> PageRequest:
        return PageRequest(max(1, self.number), min(max(1, self.per_page), MAX_PER_PAGE))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows, with what a pager needs to link the others."""

    rows: list[T]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """1-based index of the first row shown (0 when there is none)."""
        return 0 if not self.rows else (self.number - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def paged(session: Session, query: SelectOfScalar[T], wanted: PageRequest) -> Page[T]:
    """The asked page of an ordered query; a page past the end answers the last one."""
    wanted = wanted.clamped()
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    last_page = max(1, -(-total // wanted.per_page))
    if wanted.number > last_page:
        wanted = PageRequest(last_page, wanted.per_page)
    rows = list(session.exec(query.offset(wanted.offset).limit(wanted.per_page)).all())
    return Page(rows, total, wanted.number, wanted.per_page)


def page_of_list(rows: Sequence[T], wanted: PageRequest) -> Page[T]:
    """The same page over rows already in memory (a list assembled from several tables)."""
    wanted = wanted.clamped()
    last_page = max(1, -(-len(rows) // wanted.per_page))
    number = min(wanted.number, last_page)
    start = (number - 1) * wanted.per_page
    return Page(list(rows[start:start + wanted.per_page]), len(rows), number, wanted.per_page)


def search_text(text: str | None) -> str:
    """What a search box sent, NFC and trimmed (decomposed Vietnamese must find composed text)."""
    return unicodedata.normalize("NFC", text or "").strip()[:MAX_SEARCH_CHARS]


def matches(text: str, *columns: Any) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``text`` (case-insensitive; ``%`` and ``_`` taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))


def text_in(text: str, *values: str | None) -> bool:
    """The in-memory counterpart of ``matches``: ``text`` occurs in one of ``values``."""
    wanted = text.casefold()
    return any(wanted in (value or "").casefold() for value in values)
