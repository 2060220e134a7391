"""In Chromium against a real server process: an editor builds a playlist whose item form shows only
the chosen kind's fields, reorders it by dragging an item with the mouse (and finds the keyboard's
Move up button beside each item), then searches the playlists and the unit tree of the schedule
form. Screenshots go to test-artifacts/panel/."""

from __future__ import annotations

import re

import pytest

from tests.support import browser as shared
from tests.support.browser import log_in
from tests.support.panel_site import Site

ARTIFACTS = shared.ARTIFACTS / "panel"
LINES = ("Lịch tiếp công dân thứ Năm", "Cắt điện thôn Khê Tân", "Họp dân chiều Chủ nhật")

pytestmark = pytest.mark.slow



def shown_order(page) -> list[str]:
    return [text.strip() for text in page.locator("ol.items li .label").all_inner_texts()]


def test_editor_reorders_a_playlist_by_dragging_an_item(page) -> None:
    log_in(page, "bientap")
    page.goto("/panel/playlists")
    page.get_by_label("Tên danh sách phát mới").fill("Thông báo tuần này")
    page.get_by_role("button", name="Tạo").click()
    page.wait_for_url(re.compile(r"/panel/playlists/\d+$"))
    page.select_option("#kind", "ticker")
    assert page.locator("#text").is_visible()
    assert not page.locator("#bulletin_id").is_visible() and not page.locator("#media_id").is_visible()
    for line in LINES:
        page.select_option("#kind", "ticker")
        page.locator("#text").fill(line)
        with page.expect_navigation():
            page.get_by_role("button", name="Thêm", exact=True).click()
    assert shown_order(page) == list(LINES)
    items = page.locator("ol.items li")
    assert items.nth(2).get_by_role("button", name="Chuyển lên").is_visible()  # the keyboard's way

    with page.expect_navigation():
        items.nth(2).drag_to(items.nth(0))
    assert page.locator(".alert.error").count() == 0
    assert shown_order(page) == [LINES[2], LINES[0], LINES[1]]
    page.reload()
    assert shown_order(page) == [LINES[2], LINES[0], LINES[1]]  # stored, not only drawn
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lists-01-playlist-reordered.png"), full_page=True)


def test_editor_searches_the_playlists_and_the_unit_tree(page, site: Site) -> None:
    log_in(page, "bientap")
    page.goto("/panel/playlists")
    page.get_by_label("Tên danh sách phát mới").fill("Tin nông nghiệp")
    page.get_by_role("button", name="Tạo").click()
    page.wait_for_url(re.compile(r"/panel/playlists/\d+$"))
    page.goto("/panel/playlists")
    page.get_by_role("searchbox", name="Tên", exact=True).fill("nông nghiệp")
    with page.expect_navigation():
        page.get_by_role("button", name="Lọc").click()
    assert "q=n%C3%B4ng+nghi%E1%BB%87p" in page.url
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "Tin nông nghiệp" in rows.first.inner_text()
    assert "Hiển thị 1–1 / 1" in page.locator(".pager").inner_text()

    page.goto("/panel/schedules")
    picker = page.locator("#s-unit")
    picker.get_by_role("searchbox").fill("tinh khe")  # typed without tones
    assert picker.get_by_label(site.commune_name).is_visible()
    picker.get_by_role("searchbox").fill("không có xã này")
    assert not picker.get_by_label(site.commune_name).is_visible()
    assert picker.get_by_text("Không có đơn vị nào phù hợp.").is_visible()
    page.screenshot(path=str(ARTIFACTS / "lists-02-unit-search.png"), full_page=True)
