"""In a real browser (Playwright driving Debian's Chromium) against a real server process: an editor
writes an exclusive schedule, previews it before saving ("Xem trước lịch phát"), sees the airtime
plan and that it silences the commune's everyday schedule, cannot save without confirming, then
confirms and saves. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support import browser as shared
from tests.support.panel_site import PASSWORD, Site

ARTIFACTS = shared.ARTIFACTS / "panel"
EVERYDAY = "Tin hằng ngày của xã"

pytestmark = pytest.mark.slow



def _token(api: httpx.Client, username: str) -> dict[str, str]:
    answer = api.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _publish(api: httpx.Client, path: str, editor: dict[str, str], approver: dict[str, str]) -> None:
    for headers, state in ((editor, "submitted"), (approver, "approved"), (approver, "published")):
        api.post(f"{path}/state", json={"state": state}, headers=headers).raise_for_status()


def _seed_everyday_schedule(site: Site) -> int:
    """A published playlist of one ticker and an all-day schedule of it on the commune, by the API."""
    with httpx.Client(base_url=site.url, timeout=30) as api:
        editor, approver = _token(api, "bientap"), _token(api, "pheduyet")
        playlist = api.post("/api/v1/playlists", json={"name": "Tin xã"}, headers=editor).json()["id"]
        api.post(f"/api/v1/playlists/{playlist}/items", headers=editor,
                 json={"kind": "ticker", "text": "Lịch tiếp công dân thứ Năm hằng tuần"}).raise_for_status()
        _publish(api, f"/api/v1/playlists/{playlist}", editor, approver)
        layout = api.get("/api/v1/layouts", headers=editor).json()[0]
        main = next(r["id"] for r in layout["regions"] if r["role"] == "main")
        made = api.post("/api/v1/schedules", headers=editor, json={
            "name": EVERYDAY, "layout_id": layout["id"], "regions": {main: playlist}, "target_kind": "unit",
            "target_unit_id": site.commune_id})
        made.raise_for_status()
        _publish(api, f"/api/v1/schedules/{made.json()['id']}", editor, approver)
        return playlist


def test_an_exclusive_schedule_is_previewed_and_confirmed_before_it_is_saved(page, site: Site) -> None:
    playlist = _seed_everyday_schedule(site)
    page.goto("/panel/login")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/panel/dashboard$"))

    page.goto("/panel/schedules")
    page.locator("#s-name").fill("Quốc tang")
    page.locator("#regions select").first.select_option(str(playlist))
    page.locator(f"#s-unit input[value=\"{site.commune_id}\"]").check()  # the unit tree picker
    page.locator("#s-start").fill("07:00")
    page.locator("#s-end").fill("09:00")
    page.locator("input[name=exclusive]").check()
    page.get_by_role("button", name="Xem trước lịch phát").click()

    warning = page.locator("#schedule-preview .preview-warnings li")
    warning.first.wait_for()
    assert f"Lịch độc quyền này sẽ tắt lịch “{EVERYDAY}” trên 1 bảng." in warning.first.inner_text()
    plan = page.locator("#schedule-preview table.plan")
    assert "Bảng LED Ủy ban xã Tịnh Khê" in page.locator("#schedule-preview h3").first.inner_text()
    hours = {row.locator("td").first.inner_text(): row.locator("td").nth(1).inner_text()
             for row in plan.locator("tbody tr").all()}
    assert hours["07:00"] == hours["08:00"] == "lịch này 100 %"  # it takes the board alone
    assert hours["06:00"] == hours["09:00"] == f"{EVERYDAY} 100 %"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "schedule-preview.png"), full_page=True)

    confirm = page.locator("input[name=confirm_warnings]")
    page.get_by_role("button", name="Tạo lịch phát").click()  # the browser holds the form: not confirmed
    assert confirm.evaluate("box => !box.validity.valid")
    assert page.url.endswith("/panel/schedules")
    confirm.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo lịch phát").click()
    assert page.locator(".alert.error").count() == 0
    listed = page.locator("table tbody tr", has_text="Quốc tang")
    assert EVERYDAY in listed.inner_text()  # the list names what the exclusive schedule silences
