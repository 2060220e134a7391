"""End to end in Chromium against a real server process: an admin creates a board (size, capture
rectangle, tags, place) and an API token in the panel; the token then authenticates a script
against the JSON API as the account it was issued for. Screenshots go to test-artifacts/admin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from signage_server.core.auth import hash_password
from signage_server.db import make_engine
from signage_server.models import AdminUnit, Board, Role, User
from signage_server.settings import Settings
from tests.support import browser as shared
from tests.support.panel_site import PASSWORD, Site, running_site

pytestmark = pytest.mark.slow



def add_admin(data_dir: Path) -> None:
    """A province admin beside the site's commune users (the server reads the same database)."""
    engine = make_engine(Settings(data_dir=data_dir).resolved_database_url)
    try:
        with Session(engine) as session:
            province = session.exec(select(AdminUnit).where(AdminUnit.code == "51")).one()
            assert province.id is not None
            session.add(User(username="quantri", full_name="Nguyễn Quản Trị", role=Role.ADMIN,
                             unit_id=province.id, password_hash=hash_password(PASSWORD)))
            session.commit()
    finally:
        engine.dispose()


def board_named(data_dir: Path, name: str) -> Board | None:
    engine = make_engine(Settings(data_dir=data_dir).resolved_database_url)
    try:
        with Session(engine) as session:
            return session.exec(select(Board).where(Board.name == name)).first()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("admin-e2e")
    with running_site(base / "data", base / "server.log") as running:
        add_admin(running.data_dir)
        yield running


def shot(page, name: str) -> None:
    shared.shot(page, "admin", name)


def test_admin_creates_a_board_and_an_api_token(page, site: Site) -> None:
    page.goto("/panel/login")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/panel/dashboard$"))

    page.goto("/panel/boards")
    page.get_by_role("link", name="Bảng mới").click()
    page.get_by_label("Tên", exact=True).fill("Bảng LED chợ Tịnh Khê")
    page.get_by_label("Đơn vị").select_option(label="Xã Tịnh Khê (21568)")
    page.get_by_label("Chiều rộng", exact=True).fill("640")
    page.get_by_label("Chiều cao", exact=True).fill("320")
    page.get_by_label("Chiều rộng vùng chụp").fill("600")
    page.get_by_label("Chiều cao vùng chụp").fill("300")
    page.get_by_label("Địa chỉ").fill("Chợ Tịnh Khê, thôn Khê Tân")
    page.get_by_label("Nhãn").fill("chợ, led")
    shot(page, "01-new-board")
    page.get_by_role("button", name="Tạo bảng").click()
    page.wait_for_url(re.compile(r"/panel/boards/\d+\?done=created$"))
    assert page.get_by_role("status").filter(has_text="Đã tạo bảng.").count() == 1
    shot(page, "02-board-created")
    board = board_named(site.data_dir, "Bảng LED chợ Tịnh Khê")
    assert board is not None and (board.width, board.height) == (640, 320)
    assert (board.capture_w, board.capture_h) == (600, 300)
    assert board.tags == ["chợ", "led"] and board.unit_id == site.commune_id

    page.goto("/panel/tokens")
    page.get_by_label("Tên mã truy cập").fill("Hệ thống thông tin nguồn")
    owner = page.get_by_label("Hoạt động thay tài khoản")
    owner.select_option(owner.locator("option", has_text="Trần Văn Biên").get_attribute("value"))
    page.get_by_label("Hiệu lực (ngày)").fill("90")
    page.get_by_role("button", name="Tạo mã truy cập").click()
    token = page.locator("#issued-token").inner_text()
    shot(page, "03-token-shown-once")
    assert token.startswith("sgn_")
    me = httpx.get(f"{site.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.status_code == 200 and me.json()["username"] == "bientap"
    page.goto("/panel/tokens")
    assert "Hệ thống thông tin nguồn" in page.content() and token not in page.content()


def test_the_layout_editor_redraws_its_preview_as_regions_change(page, site: Site) -> None:
    page.goto("/panel/login")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/panel/dashboard$"))
    page.goto(f"/panel/layouts/new?board_id={site.board_id}")
    assert page.locator("#layout-preview svg").get_attribute("viewBox") == "0 0 384 192"
    page.get_by_label("Tên", exact=True).fill("Bảng xã có đồng hồ")
    page.get_by_label("Vùng 2: Trên (%)").fill("60")  # the ticker now runs into the main region
    page.locator("#layout-preview .alert.error").wait_for()
    assert "chồng lên nhau" in page.locator("#layout-preview").inner_text()
    shot(page, "04-layout-overlap")
    page.get_by_label("Vùng 2: Trên (%)").fill("85")
    page.locator("#layout-preview svg").wait_for()
    page.get_by_role("button", name="Lưu bố cục").click()
    page.wait_for_url(re.compile(r"/panel/layouts\?done=saved$"))
    assert page.get_by_role("heading", name="Bảng xã có đồng hồ").count() == 1
    shot(page, "05-layouts")
