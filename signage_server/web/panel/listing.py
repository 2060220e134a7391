"""What a list page was asked for (search words, filters, page) read from its URL, the links of
its pager, and the units in scope as a tree for the searchable unit picker.

The query stays in the URL so a filtered page can be bookmarked, shared and reloaded; values that
do not parse (an empty "all" option, a stale state name) are read as "no filter", never refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import Depends
from starlette.requests import Request

from signage_server.content.records import ContentQuery
from signage_server.core.paging import MAX_SEARCH_CHARS, PageRequest, search_text
from signage_server.models import AdminUnit, ContentState

E = TypeVar("E", bound=Enum)
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class ListQuery:
    """The query string of a list page, as given (``params``) and read."""

    params: Mapping[str, str]

    @property
    def text(self) -> str:
        return search_text(self.params.get("q", "")[:MAX_SEARCH_CHARS])

    @property
    def page(self) -> PageRequest:
        return PageRequest(self.number("page") or 1)

    def number(self, name: str) -> int | None:
        value = self.params.get(name, "").strip()
        return int(value) if value.isdigit() and int(value) <= MAX_PAGE else None

    def option(self, name: str, enum: type[E]) -> E | None:
        value = self.params.get(name, "")
        return next((member for member in enum if member.value == value), None)

    def content(self) -> ContentQuery:
        """The filters every content list has: state, archived or not, words, unit, page."""
        return ContentQuery(state=self.option("state", ContentState), text=self.text,
                            unit_id=self.number("unit_id"), page=self.page,
                            archived=self.params.get("archived") == "1")

    def url(self, path: str, **changes: object) -> str:
        """``path`` with this query, some values changed (None or "" drops one)."""
        merged = {**self.params, **{k: "" if v is None else str(v) for k, v in changes.items()}}
        kept = {k: v for k, v in merged.items() if v != ""}
        return f"{path}?{urlencode(kept)}" if kept else path


def list_query(request: Request) -> ListQuery:
    return ListQuery({k: v for k, v in request.query_params.items()})


ListQueryDep = Annotated[ListQuery, Depends(list_query)]


@dataclass(frozen=True)
class TreeNode:
    """A unit in the picker: how deep it sits and which unit above it is shown (for the search)."""

    unit: AdminUnit
    depth: int
    parent_id: int | None


def unit_tree(units: Mapping[int, AdminUnit]) -> list[TreeNode]:
    """The units in tree order (each after its parent, siblings by code), with their depth; a
    unit whose parent is not among ``units`` is a root (the top of the reader's scope)."""
    children: dict[int | None, list[AdminUnit]] = {}
    for unit in units.values():
        parent = unit.parent_id if unit.parent_id in units else None
        children.setdefault(parent, []).append(unit)
    ordered: list[TreeNode] = []

    def visit(siblings: Iterable[AdminUnit], depth: int, parent_id: int | None) -> None:
        for unit in sorted(siblings, key=lambda u: u.code):
            ordered.append(TreeNode(unit, depth, parent_id))
            if unit.id is not None:
                visit(children.get(unit.id, []), depth + 1, unit.id)

    visit(children.get(None, []), 0, None)
    return ordered
