"""The panel crawl's heuristics (tests/support/panel_crawl.py) on texts whose answer is known."""

from __future__ import annotations

import pytest

from tests.support.panel_crawl import inspect, is_english


@pytest.mark.parametrize(("text", "english"), [
    ("Bị từ chối: unsupported file type: this file is not accepted", True),
    ("this page is for admins and approvers", True),
    ("Trang này dành cho quản trị viên và người duyệt.", False),
    ("Xã An Bình", False),
    ("In trang này", False),
    ("Swagger UI", False),
])
def test_english_clauses_are_found_even_behind_a_vietnamese_prefix(text: str, english: bool) -> None:
    assert is_english(text) is english


@pytest.mark.parametrize(("text", "kind"), [
    ("main_ticker_clock", "raw id (snake_case id)"),
    ("800×450 image/jpeg", "raw id (MIME type)"),
    ("approve what this shows first; not approved yet: playlist 6", "raw id (object and number)"),
    ("target_unit_ids: [1971]", "raw id (JSON field)"),
    ("2026-11-30 12:00 UTC", "not local (UTC)"),
    ("30/11/2026 23:05", "time without its zone"),
])
def test_raw_ids_and_unlabelled_times_are_found(text: str, kind: str) -> None:
    assert kind in {f.kind for f in inspect("page", [text, "GMT+7"])}


def test_a_labelled_local_time_passes() -> None:
    assert inspect("page", ["Hết hạn 30/11/2026 23:05 GMT+7", "Giờ (GMT+7)", "19:00–21:00"]) == []


def test_times_on_a_page_that_never_names_its_zone_are_found() -> None:
    assert [f.kind for f in inspect("page", ["19:00–21:00"])] == ["times on a page that never names its zone"]
