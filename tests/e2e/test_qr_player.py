"""A QR code end to end: an editor adds it in the panel (the province's feedback portal, with a
caption), an approver approves it, a real headless player on a small 320x180 board draws it, a phone's
decoder (zxing-cpp) reads the address back from the player's own frame, and its proof of play
reaches the server. A second board too small for the code is refused at approval."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pygame
import pytest
from sqlmodel import Session, col, select

from signage_server.core.auth import hash_password
from signage_server.models import PlayLog, User
from tests.support.live_site import Site, wait_for_frame, wait_until
from tests.support.net import free_port
from tests.support.qr_scan import decoded

pytestmark = pytest.mark.slow
PORTAL = "https://gopy.quangngai.gov.vn/phan-anh?don-vi=21001"
CAPTION = "Quét mã để góp ý, phản ánh với tỉnh"
PASSWORD = "Bảng-tin-xã-Tịnh-Khê-2026"
_FIELD = re.compile(r'name="(login_nonce|csrf_token)" value="([^"]+)"')


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("SIGNAGE_HEARTBEAT_INTERVAL_S", "5")  # plays are uploaded with each heartbeat
    pygame.init()
    created = Site.create(tmp_path)
    try:
        yield created
    finally:
        created.close()


def _field(html: str, name: str) -> str:
    return next(value for key, value in _FIELD.findall(html) if key == name)


def _panel(site: Site, port: int) -> tuple[httpx.Client, str]:
    """The admin (an editor of the province) logged in to the panel through its form."""
    with Session(site.engine) as session:
        admin = session.exec(select(User).where(User.username == "quantri")).one()
        admin.password_hash = hash_password(PASSWORD)
        session.add(admin)
        session.commit()
    panel = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, follow_redirects=True)
    nonce = _field(panel.get("/panel/login").text, "login_nonce")
    page = panel.post("/panel/login", data={"username": "quantri", "password": PASSWORD, "login_nonce": nonce,
                                            "next": "/panel/dashboard"})
    assert page.status_code == 200, page.text
    return panel, _field(page.text, "csrf_token")


def _qr_playlist_in_panel(panel: httpx.Client, csrf: str) -> int:
    made = panel.post("/panel/playlists", data={"name": "Góp ý của người dân", "csrf_token": csrf})
    assert made.status_code == 200, made.text
    playlist = int(str(made.url).rsplit("/", 1)[1])
    added = panel.post(f"/panel/playlists/{playlist}/items", data={
        "kind": "qr", "text": PORTAL, "caption": CAPTION, "duration_s": "3", "csrf_token": csrf})
    assert added.status_code == 200 and PORTAL in added.text, added.text
    sent = panel.post(f"/panel/playlists/{playlist}/state", data={"state": "submitted", "csrf_token": csrf})
    assert sent.status_code == 200, sent.text
    return playlist


def test_a_qr_code_made_in_the_panel_scans_from_the_players_frame(site: Site, tmp_path: Path) -> None:
    port, state = free_port(), tmp_path / "player"
    frame = state / "frame.png"
    site.start_server(port)
    api = site.api(port)
    board = api.board(site.commune_id, "Bảng tin UBND xã Tịnh Khê")
    player = site.start_player(port, state)
    code = wait_until(lambda: site.pending_code(state), "the player's pairing code", [player], log=site.log)
    api.claim(board, str(code))

    panel, csrf = _panel(site, port)
    playlist = _qr_playlist_in_panel(panel, csrf)
    for step in ("approved", "published"):
        moved = api.approver.post(f"/playlists/{playlist}/state", json={"state": step})
        assert moved.status_code == 200, moved.text
    (item,) = api.call("GET", f"/playlists/{playlist}")["items"]
    assert (item["kind"], item["text"], item["options"]) == ("qr", PORTAL, {"caption": CAPTION})

    small = api.call("POST", "/boards", 201, json={"name": "Bảng chợ", "unit_id": site.commune_id,
                                                   "width": 192, "height": 96})["id"]
    body = {"name": "Góp ý", "layout_id": "fullscreen", "regions": {"main": playlist}, "target_kind": "board",
            "target_board_id": small}
    refused_schedule = api.call("POST", "/schedules", 201, json=body)["id"]
    api.call("POST", f"/schedules/{refused_schedule}/state", json={"state": "submitted"})
    refused = api.approver.post(f"/schedules/{refused_schedule}/state", json={"state": "approved"})
    assert (refused.status_code, refused.json()["code"]) == (409, "qr.too_small")

    api.schedule("Góp ý cả ngày", playlist, board)
    shown = wait_for_frame(frame, lambda f: decoded(f) == [PORTAL], "the QR code, read back from the frame",
                           [player], site.log)
    assert shown.get_size() == (320, 180)

    aired = f"p{playlist}-i{item['id']}"

    def played() -> list[PlayLog]:
        with Session(site.engine) as session:
            query = select(PlayLog).where(PlayLog.board_id == board, col(PlayLog.item_id) == aired)
            return list(session.exec(query).all())

    records = wait_until(played, "the QR code's play record at the server", [player], log=site.log)
    assert isinstance(records, list) and all(r.duration_s > 0 for r in records)
    panel.close()
