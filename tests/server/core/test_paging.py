"""Paging and text search for lists: pages clamp instead of failing, the total counts every match,
and search words are taken literally (``%`` and ``_`` are not wildcards) and NFC."""

from __future__ import annotations

import unicodedata

import pytest
from sqlmodel import Session, col, select

from signage_server.core.paging import Page, PageRequest, matches, page_of_list, paged, search_text
from signage_server.models import Bulletin


@pytest.mark.parametrize(("asked", "number", "rows"), [
    (PageRequest(1, 10), 1, list(range(10))),
    (PageRequest(3, 10), 3, list(range(20, 25))),
    (PageRequest(9, 10), 3, list(range(20, 25))),  # past the end: the last page
    (PageRequest(0, 10), 1, list(range(10))),
    (PageRequest(1, 0), 1, [0]),
])
def test_a_page_of_a_list_in_memory(asked: PageRequest, number: int, rows: list[int]) -> None:
    found = page_of_list(list(range(25)), asked)
    assert (found.number, found.rows, found.total) == (number, rows, 25)


@pytest.mark.parametrize(("total", "per_page", "number", "first", "last", "pages"), [
    (0, 25, 1, 0, 0, 1),
    (25, 25, 1, 1, 25, 1),
    (26, 25, 2, 26, 26, 2),
])
def test_what_a_pager_shows(total: int, per_page: int, number: int, first: int, last: int,
                            pages: int) -> None:
    rows = list(range(min(per_page, total - (number - 1) * per_page)))
    found: Page[int] = Page(rows, total, number, per_page)
    assert (found.first, found.last, found.pages) == (first, last, pages)


def test_a_query_is_counted_whole_and_sliced(session: Session, tree) -> None:
    session.add_all([Bulletin(title=f"Tin {n:02d}", unit_id=tree.commune_a) for n in range(30)])
    session.commit()
    found = paged(session, select(Bulletin).order_by(col(Bulletin.title)), PageRequest(2, 25))
    assert found.total == 30 and [b.title for b in found.rows] == [f"Tin {n}" for n in range(25, 30)]


def test_search_words_are_literal_and_case_blind(session: Session, tree) -> None:
    session.add_all([Bulletin(title="Giảm 50% phí", unit_id=tree.commune_a),
                     Bulletin(title="Giảm 500 phí", unit_id=tree.commune_a),
                     Bulletin(title="ma_xa", unit_id=tree.commune_a),
                     Bulletin(title="MAYXA", unit_id=tree.commune_a)])
    session.commit()

    def titles(text: str) -> list[str]:
        query = select(Bulletin.title).where(matches(text, col(Bulletin.title))).order_by(col(Bulletin.title))
        return list(session.exec(query).all())

    assert titles("50%") == ["Giảm 50% phí"]
    assert titles("a_x") == ["ma_xa"]
    assert titles("mayxa") == ["MAYXA"]


def test_search_text_is_nfc_and_trimmed() -> None:
    composed = unicodedata.normalize("NFC", "Tịnh Khê")
    assert search_text(unicodedata.normalize("NFD", f"  {composed} ")) == composed
    assert search_text(None) == ""
    assert len(search_text("x" * 500)) == 100
