"""End to end in a real browser (Playwright driving Debian's Chromium) against a real server
process: an editor uploads an image, writes a Vietnamese bulletin, builds a playlist and schedules
it to a commune; an approver approves; the board's page then shows the bulletin playing. Screenshots
of the main pages go to test-artifacts/.

Then an operator pairs a real headless player process by the code on its screen, and the player
draws the bulletin. The steps share one server and one browser (module fixtures) and run in file
order, so the next chapter (an operator's emergency reaching that player) extends the story as a
further test below.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.support import browser as shared
from tests.support.browser import log_in
from tests.support.panel_site import Site, headless_player, pending_pairing_code

ARTIFACTS = shared.ARTIFACTS / "panel"
BULLETIN_TITLE = "Thông báo tiêm chủng mở rộng tháng 12"
BULLETIN_BODY = ("Trạm y tế xã Tịnh Khê tiêm vắc-xin sởi cho trẻ từ 9 tháng tuổi, "
                 "sáng thứ Bảy lúc 7 giờ 30.")
BULLETIN_BACKGROUND = (0, 51, 102)  # the text item's default background, #003366

pytestmark = pytest.mark.slow



def shot(page, name: str) -> None:
    shared.shot(page, "panel", name)


def move_to(page, state_word: str, within=None) -> None:
    with page.expect_navigation():
        (within or page).get_by_role("button", name=f"Chuyển sang: {state_word}").first.click()
    assert page.locator(".alert.error").count() == 0, page.locator(".alert.error").inner_text()


def settle(page) -> None:
    """Wait until htmx has swapped in what it asked for (its classes are gone)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def poster_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 450), (0, 90, 160)).save(out, "PNG")
    return out.getvalue()


def test_editor_uploads_writes_and_schedules(page, site: Site, tmp_path: Path) -> None:
    log_in(page, "bientap")
    shot(page, "01-boards")
    page.goto("/panel/media")
    assert page.locator("#file").is_disabled()  # the category is asked first
    page.select_option("#upload-category", "socio_economic")
    poster = tmp_path / "áp phích tiêm chủng.png"
    poster.write_bytes(poster_png())
    page.set_input_files("#file", str(poster))
    page.locator("#upload-status li.ok").wait_for()
    page.locator("#media-grid img[alt='áp phích tiêm chủng']").wait_for()
    rejected = tmp_path / "ghi-chu.txt"
    rejected.write_text("không phải ảnh")
    page.set_input_files("#file", str(rejected))
    page.locator("#upload-status li.error").wait_for()
    assert "hãy tải lên ảnh JPEG, PNG hoặc WebP" in page.locator("#upload-status li.error").inner_text()
    shot(page, "02-media")
    page.reload()
    move_to(page, "chờ duyệt", within=page.locator("li.thumb", has_text="áp phích tiêm chủng"))

    page.goto("/panel/bulletins/new")
    page.get_by_label("Tiêu đề").fill(BULLETIN_TITLE)
    page.get_by_label("Nội dung").fill(BULLETIN_BODY)
    page.select_option("#category", "socio_economic")
    page.locator("#preview img.preview, #preview .alert").first.wait_for()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r"/panel/bulletins/\d+$"))
    page.locator("#preview img.preview, #preview .alert").first.wait_for()
    shot(page, "03-bulletin-editor")
    move_to(page, "chờ duyệt")

    page.goto("/panel/playlists")
    page.get_by_label("Tên danh sách phát mới").fill("Tin y tế")
    page.get_by_role("button", name="Tạo").click()
    page.wait_for_url(re.compile(r"/panel/playlists/\d+$"))
    page.select_option("#kind", "bulletin")
    page.select_option("#bulletin_id", label=f"{BULLETIN_TITLE} (chờ duyệt)")
    page.get_by_role("button", name="Thêm", exact=True).click()
    page.select_option("#kind", "image")
    page.select_option("#media_id", index=1)
    page.get_by_role("button", name="Thêm", exact=True).click()
    assert page.locator("ol.items li").count() == 2
    shot(page, "04-playlist")
    move_to(page, "chờ duyệt")

    page.goto("/panel/schedules")
    page.get_by_label("Tên", exact=True).fill("Tin y tế cả tuần")
    with page.expect_response(lambda answer: "/panel/schedules/regions" in answer.url):
        page.select_option("#s-layout", "fullscreen")
    settle(page)
    page.select_option("#region-main", label="Tin y tế (chờ duyệt)")
    page.select_option("#s-kind", "unit")
    page.locator("#s-unit").get_by_label(site.commune_name).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo lịch phát").click()
    assert page.locator(".alert.error").count() == 0, page.locator(".alert.error").inner_text()
    page.locator("tr", has_text="Tin y tế cả tuần").wait_for()
    move_to(page, "chờ duyệt")
    shot(page, "05-schedules")


def test_approver_approves_and_the_board_plays_it(page, site: Site) -> None:
    log_in(page, "pheduyet")
    page.goto("/panel/bulletins?state=submitted")
    move_to(page, "đã duyệt", within=page.locator("tr", has_text=BULLETIN_TITLE))
    for listing in ("/panel/media", "/panel/playlists", "/panel/schedules"):
        page.goto(listing)
        move_to(page, "đã duyệt")
    page.goto(f"/panel/boards/{site.board_id}")
    playing = page.locator("section", has_text="Đang phát")
    assert BULLETIN_TITLE in playing.inner_text() and "800×450 PNG" in playing.inner_text()
    shot(page, "06-board-playing")
    page.goto(f"/panel/boards/{site.board_id}/week")
    assert page.locator(".block", has_text="Tin y tế cả tuần").count() == 7
    shot(page, "07-week")


def wait_until(check, what: str, process, timeout_s: float = 60.0):
    """Another process's progress has nothing to await but its effects: poll them until a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the player exited while waiting for {what}"
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} after {timeout_s:.0f} s")


def frame_colour(frame: Path, xy: tuple[int, int]):
    try:
        with Image.open(frame) as image:
            return image.convert("RGB").getpixel(xy)
    except (FileNotFoundError, OSError):
        return None  # not written yet, or caught mid-replace


def player_state(site: Site) -> Path:
    """Kept for the module: the paired player's credential is reused by the emergency chapter."""
    return site.data_dir.parent / "player"


def test_operator_pairs_a_headless_player_that_shows_the_bulletin(page, site: Site) -> None:
    state = player_state(site)
    with headless_player(site, state) as player:
        code = wait_until(lambda: pending_pairing_code(site.data_dir), "pairing code on the screen", player)
        log_in(page, "vanhanh")
        page.goto(f"/panel/boards/{site.board_id}")
        page.get_by_label("Mã hiển thị trên màn hình bảng tin").fill(" ".join(code.lower()))
        with page.expect_navigation():
            page.get_by_role("button", name="Ghép nối", exact=True).click()
        assert "Đã ghép nối với thiết bị" in page.locator("main").inner_text()
        shot(page, "08-board-paired")
        frame = state / "frame.png"
        wait_until(lambda: frame_colour(frame, (2, 2)) == BULLETIN_BACKGROUND, "the bulletin on the board",
                   player)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(frame, ARTIFACTS / "09-player-frame.png")
        page.goto("/panel/dashboard")
        shot(page, "10-dashboard")
        previews = sorted((site.data_dir / "previews").glob("*.png"))
        wait_until(lambda: any(same_pixels(frame, p) for p in previews), "the editor's preview on the board",
                   player)


def test_operator_issues_an_emergency_that_the_player_shows(page, site: Site) -> None:
    state = player_state(site)
    with headless_player(site, state) as player:
        frame = state / "frame.png"
        wait_until(lambda: frame_colour(frame, (2, 2)) == BULLETIN_BACKGROUND, "the bulletin on the board",
                   player)
        log_in(page, "vanhanh")
        page.get_by_role("link", name="Khẩn cấp").click()
        page.get_by_label("Tiêu đề").fill("Bão số 13 đổ bộ")
        page.get_by_label("Cấp độ 4: rủi ro thiên tai rất lớn").check()
        page.get_by_label("Các bảng được chọn").check()  # the target is always chosen: no default
        page.get_by_label("Bảng LED Ủy ban xã Tịnh Khê").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Chuẩn bị phát khẩn cấp").click()
        assert "Sẽ tiếp quản 1 bảng" in page.locator("main").inner_text()
        shot(page, "11-emergency-confirm")
        with page.expect_navigation():
            page.get_by_role("button", name="Xác nhận phát khẩn cấp").click()
        centre = (site.board_size[0] // 2, site.board_size[1] // 2)  # the top band is dark
        wait_until(lambda: frame_colour(frame, centre) == (255, 0, 0), "the red emergency screen", player)
        shutil.copyfile(frame, ARTIFACTS / "12-player-emergency.png")
        page.wait_for_function("() => /đã hiển thị: 1|đã nhận: 1/.test(document.body.innerText)")
        shot(page, "13-emergency-status")


def same_pixels(a: Path, b: Path) -> bool:
    """The editor's preview and the board's frame are the same pixels (the player drew both)."""
    try:
        with Image.open(a) as first, Image.open(b) as second:
            one, two = first.convert("RGB"), second.convert("RGB")
            return one.size == two.size and one.tobytes() == two.tobytes()
    except (FileNotFoundError, OSError):
        return False


def test_english_is_one_click_away(page) -> None:
    log_in(page, "bientap")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Media library").is_visible()


@pytest.mark.parametrize(("user", "path"), [("bientap", "/panel/bulletins/new"),
                                            ("vanhanh", "/panel/emergency")])
def test_every_control_is_reachable_by_tab_with_a_visible_focus(page, user: str, path: str) -> None:
    log_in(page, user)
    page.goto(path)
    # A radio group is one tab stop (arrow keys move within it), so each group counts once.
    wanted = page.evaluate("""() => { const groups = new Set(); return [...document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea')].filter(e => !e.disabled)
        .filter(e => e.type !== 'radio' || (!groups.has(e.name) && groups.add(e.name))).length; }""")
    reached = set()
    for _ in range(wanted):
        page.keyboard.press("Tab")
        focus = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return [e.outerHTML.slice(0, 80), s.outlineStyle, parseFloat(s.outlineWidth), e.tagName]; }""")
        assert focus[3] != "BODY", f"Tab left the page after {len(reached)} of {wanted} controls"
        reached.add(focus[0])
        assert focus[1] != "none" and focus[2] >= 2, f"focus not visible on {focus[0]}"
    assert len(reached) >= wanted


CONTRAST_JS = """() => {
  const lum = (c) => { const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const opaque = (c) => !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent';
  const background = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
      if (opaque(c)) return c; } return 'rgb(255, 255, 255)'; };
  const low = [];
  for (const e of document.querySelectorAll('body *')) {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || e.offsetParent === null) continue;
    const a = lum(getComputedStyle(e).color), b = lum(background(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(e.tagName + ' ' + ratio.toFixed(2) + ' ' + e.textContent.trim().slice(0, 30));
  }
  return low;
}"""


@pytest.mark.parametrize("path", ["/panel/dashboard", "/panel/boards", "/panel/media", "/panel/bulletins",
                                  "/panel/reports",
                                  "/panel/bulletins/new", "/panel/playlists", "/panel/schedules",
                                  "/panel/emergency"])
def test_text_meets_wcag_aa_contrast(page, path: str) -> None:
    log_in(page, "vanhanh" if path == "/panel/emergency" else "bientap")
    page.goto(path)
    assert page.evaluate(CONTRAST_JS) == []
