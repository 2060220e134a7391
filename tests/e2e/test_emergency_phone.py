"""An operator's emergency from a phone (Chromium at 390x844) against a real server and a real
headless player: create (with an image) -> confirm later -> the board shows it -> edit -> extend ->
cancel (with its confirmation step), then the history. Each page is checked for one column (no
sideways scroll), targets at least 44 px tall and text contrast (WCAG AA), and photographed.

Screenshots and the player's frames go to a folder under the test's tmp dir (its path is printed);
with ``SIGNAGE_SHOTS_DIR`` set they are copied there as well (for a reviewer to look at).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.test_panel_browser import CONTRAST_JS, frame_colour
from tests.support.browser import log_in, watch_errors
from tests.support.panel_site import Site, headless_player, pending_pairing_code

PHONE = {"width": 390, "height": 844}
TITLE = "Bão số 13 đổ bộ"
EDITED_TITLE = "Bão số 13: sơ tán ngay"
BODY = "Ở trong nhà kiên cố."
RED, PURPLE = (255, 0, 0), (128, 0, 128)
PICTURE = (0, 160, 0)
MIN_TARGET_PX = 44
WAIT_MS = 20_000


# Interactive controls in the page's main part that are shown (the header's menu is the site's own).
SMALL_TARGETS_JS = """(min) => [...document.querySelectorAll(
    'main button, main .button, main input:not([type=hidden]), main select, main textarea, main .choice, '
    + 'main .check-row')]
  .filter(e => e.offsetParent !== null && !['radio', 'checkbox'].includes(e.type))
  .map(e => [e.outerHTML.slice(0, 70), e.getBoundingClientRect().height])
  .filter(([, h]) => h < min)"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("emergency-shots")
    print(f"\nemergency screenshots: {folder}")
    yield folder
    wanted = os.environ.get("SIGNAGE_SHOTS_DIR")
    if wanted:
        shutil.copytree(folder, wanted, dirs_exist_ok=True)
        print(f"copied to {wanted}")


@pytest.fixture
def phone(browser, site: Site) -> Iterator[object]:
    """A phone-sized touch context (the shared ``context`` is a desktop one)."""
    context = browser.new_context(base_url=site.url, viewport=PHONE, locale="vi-VN", is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    errors = watch_errors(tab, csp=False)
    yield tab
    context.close()
    assert errors == [], f"script errors: {errors}"


def picture(tmp: Path) -> Path:
    path = tmp / "bản đồ vùng sơ tán.png"
    out = io.BytesIO()
    Image.new("RGB", (320, 240), PICTURE).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def wait_for(check, what: str, process, timeout_s: float = 60.0):
    """The player is another process: nothing to await but its frames; poll them until a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the player exited while waiting for {what}"
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} after {timeout_s:.0f} s")


def has_colour(frame: Path, colour: tuple[int, int, int]) -> bool:
    try:
        with Image.open(frame) as image:
            return any(c == colour for _, c in image.convert("RGB").getcolors(1 << 16) or ())
    except (FileNotFoundError, OSError):
        return False


def check_phone_page(page, shots: Path, name: str) -> None:
    """One column (nothing wider than the phone), large targets, readable text; then a photograph."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page scrolls sideways ({width} px)"
    assert page.evaluate(SMALL_TARGETS_JS, MIN_TARGET_PX) == [], f"{name}: targets under {MIN_TARGET_PX} px"
    assert page.evaluate(CONTRAST_JS) == [], f"{name}: text under WCAG AA contrast"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def keep_frame(frame: Path, shots: Path, name: str) -> None:
    shutil.copyfile(frame, shots / f"{name}.png")


def pair(page, site: Site, player) -> None:
    code = wait_for(lambda: pending_pairing_code(site.data_dir), "pairing code on the screen", player)
    page.goto(f"/panel/boards/{site.board_id}")
    page.get_by_label("Mã hiển thị trên màn hình bảng tin").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Ghép nối", exact=True).click()
    assert "Đã ghép nối với thiết bị" in page.locator("main").inner_text()


def test_an_operator_runs_an_emergency_from_a_phone(phone, site: Site, shots: Path, tmp_path: Path) -> None:
    page = phone
    state = tmp_path / "player"
    frame = state / "frame.png"
    corner = (site.board_size[0] - 3, site.board_size[1] - 3)  # the risk colour's margin, never text
    with headless_player(site, state) as player:
        log_in(page, "vanhanh")
        pair(page, site, player)
        wait_for(lambda: frame.is_file(), "a frame from the paired player", player)

        # Create: the target must be chosen; the search narrows the list; an image goes with the text.
        page.goto("/panel/emergency")
        check_phone_page(page, shots, "01-emergency-empty")
        page.get_by_label("Tiêu đề", exact=True).fill(TITLE)
        page.get_by_label("Nội dung", exact=True).fill(BODY)
        page.get_by_label("Cấp độ 4: rủi ro thiên tai rất lớn").check()
        page.get_by_label("Tìm đơn vị hoặc bảng").fill("tinh khe")
        assert page.locator("#e-pick label:visible").count() == 2  # the board, and the commune with its count
        assert "(1 bảng)" in page.locator("#e-pick").inner_text()
        page.get_by_label("Các bảng được chọn").check()
        page.get_by_label("Bảng LED Ủy ban xã Tịnh Khê").check()
        page.set_input_files("#e-image", str(picture(tmp_path)))
        page.select_option("#e-expiry", "1")
        check_phone_page(page, shots, "02-emergency-form-filled")
        with page.expect_navigation():
            page.get_by_role("button", name="Chuẩn bị phát khẩn cấp").click()
        assert "Sẽ tiếp quản 1 bảng" in page.locator("main").inner_text()
        check_phone_page(page, shots, "03-confirm-step")

        # Confirm later: a draft, apart from the active ones, with no delivery status.
        with page.expect_navigation():
            page.get_by_role("link", name="Xác nhận sau").click()
        drafts = page.locator("section", has_text="Bản nháp chờ xác nhận")
        assert TITLE in drafts.inner_text()
        active = page.locator("section", has_text="Tin khẩn cấp đang hiệu lực")
        assert TITLE not in active.inner_text()
        assert "Không có tin khẩn cấp nào đang hiệu lực." in active.inner_text()
        main_text = page.locator("main").inner_text()
        assert "đang chờ" not in main_text and "không liên lạc được" not in main_text
        check_phone_page(page, shots, "04-draft-listed")
        assert frame_colour(frame, corner) != RED  # nothing sent yet

        # Confirm it from the list: the board shows it, with its image.
        with page.expect_navigation():
            drafts.get_by_role("button", name=re.compile("Xác nhận phát khẩn cấp")).click()
        assert "Đã xác nhận" in page.locator("main").inner_text()
        wait_for(lambda: frame_colour(frame, corner) == RED, "the red emergency screen", player)
        wait_for(lambda: has_colour(frame, PICTURE), "the emergency's image on the board", player)
        keep_frame(frame, shots, "05-board-level4-with-image")
        page.wait_for_function("() => /đã hiển thị: 1/.test(document.body.innerText)")
        check_phone_page(page, shots, "06-active-detail")
        page.goto("/panel/emergency")
        assert TITLE in page.locator("section", has_text="Tin khẩn cấp đang hiệu lực").inner_text()
        page.goto("/panel/dashboard")
        banner = page.locator("li.risk-4 a", has_text=TITLE)
        assert banner.is_visible()
        check_phone_page(page, shots, "07-dashboard-banner")
        page.get_by_role("link", name=TITLE).click()

        # Edit the text and the level: the board follows.
        page.get_by_label("Tiêu đề", exact=True).fill(EDITED_TITLE)
        page.select_option("#x-level", "5")
        with page.expect_navigation():
            page.get_by_role("button", name="Lưu và gửi tới các bảng").click()
        assert "Đã lưu" in page.locator("main").inner_text()
        wait_for(lambda: frame_colour(frame, corner) == PURPLE, "the purple screen after the edit", player)
        keep_frame(frame, shots, "08-board-after-edit-level5")
        check_phone_page(page, shots, "09-after-edit")

        # Extend by 3 hours: the expiry moves.
        before = page.locator(".card.risk p").first.inner_text()
        page.select_option("#x-hours", "3")
        with page.expect_navigation():
            page.get_by_role("button", name="Gia hạn").click()
        assert "Đã gia hạn" in page.locator("main").inner_text()
        after = page.locator(".card.risk p").first.inner_text()
        assert after != before, (before, after)
        check_phone_page(page, shots, "10-after-extend")

        # Cancel asks first; "no" keeps it, "yes" ends it on the board.
        page.get_by_role("link", name="Hủy phát khẩn cấp").click()
        assert "Hủy tin khẩn cấp này?" in page.locator("h1").inner_text()
        check_phone_page(page, shots, "11-cancel-question")
        page.get_by_role("link", name="Không, giữ lại").click()
        assert frame_colour(frame, corner) == PURPLE
        page.get_by_role("link", name="Hủy phát khẩn cấp").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Có, hủy tin khẩn cấp").click()
        wait_for(lambda: frame_colour(frame, corner) not in (PURPLE, None), "the board back to its programme",
                 player)
        keep_frame(frame, shots, "12-board-after-cancel")
        check_phone_page(page, shots, "13-list-after-cancel")

        # History: who, when, boards reached, first displayed.
        page.get_by_role("link", name="Các tin khẩn cấp đã qua").click()
        row = page.locator("article", has_text=EDITED_TITLE)
        text = row.inner_text()
        assert "Phạm Vận Hành" in text and re.search(r"Số bảng đã nhận\s+1", text), text
        assert re.search(r"Hiển thị lần đầu\s+\d{2}/\d{2}/\d{4} \d{2}:\d{2}", text), text
        check_phone_page(page, shots, "14-history")
