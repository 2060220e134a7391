"""A PDF document in the panel, in a real browser against a real server: the editor drops it into
the media library beside the images, sees every page as the boards will show them, and an encrypted
one is refused in Vietnamese. Screenshots go to test-artifacts/pdf/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import browser as shared
from tests.support.browser import log_in
from tests.support.panel_site import Site
from tests.support.pdfs import PAGE_COLOURS, colour_pdf, encrypted_pdf

pytestmark = pytest.mark.slow


def test_an_editor_uploads_a_pdf_and_sees_every_page(page, site: Site, tmp_path: Path) -> None:
    log_in(page, "bientap")
    page.goto("/panel/media")
    page.select_option("#upload-category", "policy_law")
    document = tmp_path / "Lịch tiếp công dân.pdf"
    document.write_bytes(colour_pdf(PAGE_COLOURS))
    page.set_input_files("#file", str(document))
    page.locator("#upload-status li.ok").wait_for()
    page.locator("#media-grid img[alt='Lịch tiếp công dân']").wait_for()

    locked = tmp_path / "Quyết định.pdf"
    locked.write_bytes(encrypted_pdf(colour_pdf()))
    page.set_input_files("#file", str(locked))
    page.locator("#upload-status li.error").wait_for()
    assert "Tệp PDF đã bị mã hóa" in page.locator("#upload-status li.error").inner_text()
    assert page.locator("#media-grid img[alt='Quyết định']").count() == 0
    shared.shot(page, "pdf", "01-library")

    page.locator("#media-grid a:has(img[alt='Lịch tiếp công dân'])").click()
    page.wait_for_url("**/panel/media/*")
    pages = page.locator("ol.pdf-pages img")
    assert pages.count() == len(PAGE_COLOURS)
    for index in range(len(PAGE_COLOURS)):
        pages.nth(index).scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                               arg=pages.nth(index).element_handle())
    assert "Tài liệu PDF, 4 trang" in page.content()
    assert page.locator("h1", has_text="Tài liệu PDF").count() == 1
    shared.shot(page, "pdf", "02-pages")
