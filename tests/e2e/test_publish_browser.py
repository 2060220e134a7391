"""Publishing in one step, end to end (issue 13, "Done when"): in Chromium against a real server
and a real headless player, an editor publishes one Vietnamese bulletin to one board from the
"Đăng tin" page, the approver approves it from the queue in one action, and the player draws it,
pixel for pixel as the editor's preview showed it. Every click, fill, check and submit is counted
and printed; the counts are held to the design's bars (8 editor actions, 2 approver actions).
Screenshots go to test-artifacts/publish/."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.test_panel_browser import CONTRAST_JS
from tests.support import browser as shared
from tests.support.panel_site import Site, headless_player, pending_pairing_code

ARTIFACTS = shared.ARTIFACTS / "publish"
TITLE = "Lịch tiếp công dân tháng 12"
BODY = "Chủ tịch UBND xã Tịnh Khê tiếp công dân sáng thứ Năm hằng tuần, từ 7 giờ 30 tại hội trường."
BOARD_LABEL = "Bảng LED Ủy ban xã Tịnh Khê"
WAIT_MS = 30_000
EDITOR_BAR, APPROVER_BAR = 8, 2

pytestmark = pytest.mark.slow



class Counted:
    """A tab whose user actions (click, fill, check, select, submit) are counted."""

    def __init__(self, page, who: str) -> None:
        self.page = page
        self.who = who
        self.actions: list[str] = []
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: self.errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text else None)

    def act(self, what: str, locator, verb: str, *args: object) -> None:
        self.actions.append(f"{verb} {what}")
        getattr(locator, verb)(*args)


def log_in(page, username: str) -> None:
    """Signing in is not counted: it is the same before any task."""
    shared.log_in(page, username)


def shot(page, name: str) -> None:
    shared.shot(page, "publish", name)


def wait_until(check, what: str, process, timeout_s: float = 90.0):
    """Another process's progress has nothing to await but its effects: poll them until a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the player exited while waiting for {what}"
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} after {timeout_s:.0f} s")


def same_pixels(a: Path, b: Path) -> bool:
    try:
        with Image.open(a) as first, Image.open(b) as second:
            one, two = first.convert("RGB"), second.convert("RGB")
            return one.size == two.size and one.tobytes() == two.tobytes()
    except (FileNotFoundError, OSError):
        return False  # not written yet, or caught mid-replace


def pair(browser, site: Site, player) -> None:
    context = browser.new_context(base_url=site.url, locale="vi-VN")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    code = wait_until(lambda: pending_pairing_code(site.data_dir), "pairing code on the screen", player)
    log_in(page, "vanhanh")
    page.goto(f"/panel/boards/{site.board_id}")
    page.get_by_label("Mã hiển thị trên màn hình bảng tin").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Ghép nối", exact=True).click()
    assert "Đã ghép nối với thiết bị" in page.locator("main").inner_text()
    context.close()


def editor_writes(browser, site: Site, title: str, body: str) -> tuple[Any, Counted]:
    """An editor's tab on "Đăng tin" with the title and text typed (3 counted actions); its context."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(WAIT_MS)
    editor = Counted(context.new_page(), "editor")
    log_in(editor.page, "bientap")
    page = editor.page
    editor.act("Đăng tin", page.get_by_role("link", name="Đăng tin").first, "click")
    page.wait_for_url(re.compile(r"/panel/publish$"))
    editor.act("title", page.get_by_label("Tiêu đề"), "fill", title)
    editor.act("text", page.get_by_label("Nội dung", exact=True), "fill", body)
    return context, editor


def test_an_editor_publishes_in_one_step_and_the_board_shows_it_after_one_approval(
    browser, site: Site, tmp_path: Path
) -> None:
    state = site.data_dir.parent / "player"
    with headless_player(site, state) as player:
        pair(browser, site, player)
        frame = state / "frame.png"

        editor_context, editor = editor_writes(browser, site, TITLE, BODY)
        page = editor.page
        editor.act("board", page.get_by_label(BOARD_LABEL), "check")
        page.locator("#publish-preview img.preview").first.wait_for()
        page.wait_for_function("() => document.querySelector('#publish-preview').innerText"
                               ".includes('1 bảng')")
        shot(page, "01-publish-form")
        with page.expect_navigation():
            editor.act("send", page.get_by_role("button", name="Gửi duyệt"), "click")
        assert page.locator(".alert.error").count() == 0, page.locator(".alert.error").inner_text()
        assert "Đã gửi duyệt" in page.locator("main").inner_text()
        shot(page, "02-sent")
        previews = sorted((site.data_dir / "previews").glob("*.png"))
        assert previews and not any(same_pixels(frame, p) for p in previews), "on the board before approval"

        approver_context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900},
                                               locale="vi-VN")
        approver_context.set_default_timeout(WAIT_MS)
        approver = Counted(approver_context.new_page(), "approver")
        log_in(approver.page, "pheduyet")
        queue = approver.page
        approver.act("queue", queue.get_by_role("link", name="Hàng chờ duyệt"), "click")
        card = queue.locator("article.submission", has_text=TITLE)
        card.wait_for()
        text = card.inner_text()
        assert BODY in text and "1 bảng" in text and "Trần Văn Biên" in text and BOARD_LABEL in text
        shot(queue, "03-queue")
        with queue.expect_navigation():
            approver.act("approve", card.get_by_role("button", name="Duyệt tất cả"), "click")
        approved_at = time.monotonic()
        assert queue.locator("article.submission", has_text=TITLE).count() == 0

        wait_until(lambda: any(same_pixels(frame, p) for p in previews), "the editor's preview on the board",
                   player)
        print(f"\non the board {time.monotonic() - approved_at:.1f} s after the approval")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(frame, ARTIFACTS / "04-player-frame.png")

        print(f"\neditor actions: {len(editor.actions)} ({', '.join(editor.actions)})")
        print(f"approver actions: {len(approver.actions)} ({', '.join(approver.actions)})")
        assert len(editor.actions) <= EDITOR_BAR and len(approver.actions) <= APPROVER_BAR
        assert editor.errors == [] and approver.errors == [], editor.errors + approver.errors
        editor_context.close()
        approver_context.close()


def test_a_refused_form_says_why_in_vietnamese_and_keeps_the_text(context) -> None:
    page = context.new_page()
    log_in(page, "bientap")
    page.goto("/panel/publish")
    page.get_by_label("Tiêu đề").fill(TITLE)
    page.get_by_label("Nội dung", exact=True).fill(BODY)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi duyệt").click()
    assert "Chọn ít nhất một bảng, đơn vị hoặc thẻ" in page.locator(".alert.error").inner_text()
    assert page.get_by_label("Tiêu đề").input_value() == TITLE
    assert page.get_by_label("Nội dung", exact=True).input_value() == BODY
    page.get_by_label("Tìm đơn vị, bảng hoặc thẻ").fill("uy ban")
    assert page.get_by_label(BOARD_LABEL).is_visible()
    page.get_by_label("Tìm đơn vị, bảng hoặc thẻ").fill("không có bảng này")
    assert not page.get_by_label(BOARD_LABEL).is_visible()
    shot(page, "05-refused")


@pytest.mark.parametrize(("user", "path"), [("bientap", "/panel/publish"), ("pheduyet", "/panel/approvals")])
def test_the_pages_text_meets_wcag_aa_contrast(context, user: str, path: str) -> None:
    page = context.new_page()
    log_in(page, user)
    page.goto(path)
    assert page.evaluate(CONTRAST_JS) == []
