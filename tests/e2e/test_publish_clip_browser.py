"""A video clip published from the "Đăng tin" page, end to end (issue 16, "Done when"): in Chromium
against a real server and a real headless player, an editor attaches a clip to a bulletin, asks for
its sound (played only where a board's sound is on: this board's is off) and sends it in one
submit, the approver approves it in one action, and the player plays the clip (its saved frames
show the clip's colours changing as it plays). Screenshots go to test-artifacts/publish/."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.test_publish_browser import (
    APPROVER_BAR,
    ARTIFACTS,
    BOARD_LABEL,
    EDITOR_BAR,
    WAIT_MS,
    Counted,
    editor_writes,
    log_in,
    pair,
    shot,
    wait_until,
)
from tests.support.panel_site import Site, headless_player
from tests.support.video_clips import colour_at, make_clip

TITLE = "Phim tuyên truyền phòng chống cháy rừng"
BODY = "Mời bà con xem phim ngắn về phòng chống cháy rừng mùa khô."
SECONDS = 5

pytestmark = pytest.mark.slow


def _seconds_seen(frame: Path) -> set[int]:
    """The clip's seconds whose colour covers most of the saved frame (none while the text shows)."""
    try:
        with Image.open(frame) as image:
            small = image.convert("RGB").resize((64, 32)).tobytes()
            pixels = Counter(zip(small[0::3], small[1::3], small[2::3], strict=True))
    except (FileNotFoundError, OSError):
        return set()
    seen = set()
    for second in range(SECONDS):
        colour = colour_at(second)
        near = sum(n for c, n in pixels.items()
                   if all(abs(a - b) <= 24 for a, b in zip(c, colour, strict=True)))
        if near > 64 * 32 // 2:
            seen.add(second)
    return seen


def test_an_editor_publishes_a_clip_with_a_bulletin_and_the_board_plays_it(browser, site: Site,
                                                                          tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "phim cháy rừng.mp4", width=320, height=180, fps=10, seconds=SECONDS)
    state = site.data_dir.parent / "player"
    with headless_player(site, state) as player:
        pair(browser, site, player)
        frame = state / "frame.png"
        context, editor = editor_writes(browser, site, TITLE, BODY)
        page = editor.page
        editor.act("clip", page.get_by_label(re.compile("^Ảnh, video hoặc tài liệu PDF")), "set_input_files",
                   str(clip))
        editor.act("sound", page.get_by_label("Phát cả tiếng của đoạn phim"), "check")
        editor.act("board", page.get_by_label(BOARD_LABEL), "check")
        shot(page, "11-publish-with-clip")
        with page.expect_navigation():
            editor.act("send", page.get_by_role("button", name="Gửi duyệt"), "click")
        assert page.locator(".alert.error").count() == 0, page.locator(".alert.error").inner_text()
        assert "Đã gửi duyệt" in page.locator("main").inner_text()

        approver = Counted(browser.new_context(base_url=site.url, locale="vi-VN").new_page(), "approver")
        approver.page.set_default_timeout(WAIT_MS)
        log_in(approver.page, "pheduyet")
        queue = approver.page
        approver.act("queue", queue.get_by_role("link", name="Hàng chờ duyệt"), "click")
        card = queue.locator("article.submission", has_text=TITLE)
        card.wait_for()
        assert "phim cháy rừng (video, 320×180, 5 giây, có tiếng)" in card.inner_text()  # what is approved
        shot(queue, "12-queue-with-clip")
        with queue.expect_navigation():
            approver.act("approve", card.get_by_role("button", name="Duyệt tất cả"), "click")

        seen: set[int] = set()

        def plays_on() -> bool:
            """Frames are saved every 2 s from the clip's start: seconds 0, 2 and 4 of it."""
            seen.update(_seconds_seen(frame))
            return len(seen) >= 3

        wait_until(plays_on, "three different seconds of the clip on the board", player, timeout_s=120)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(frame, ARTIFACTS / "13-player-plays-the-clip.png")
        print(f"\neditor actions: {len(editor.actions)} ({', '.join(editor.actions)})")
        # the bar, plus the file and its sound
        assert len(editor.actions) <= EDITOR_BAR + 2 and len(approver.actions) <= APPROVER_BAR
        assert editor.errors == [] and approver.errors == [], editor.errors + approver.errors
        context.close()
