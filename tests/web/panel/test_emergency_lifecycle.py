"""Panel emergency page beyond issuing: a draft confirmed later (never shown as active, no delivery
status), cancel asked first, edit and extend (audited), an attached image checked like media, the
explicit target, the history paged, and a readable link on every risk colour."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import select

from signage_contract import RISK_COLORS
from signage_server.models import AuditEvent, Media, Override, OverrideReceipt, OverrideState, utcnow
from signage_server.web.panel.routes.emergency import contrast, text_colour
from tests.support.panel_client import login
from tests.support.paths import REPOSITORY

CSS = REPOSITORY / "signage_server/web/panel/static/panel.css"
PANEL_LINK_BLUE = "#0b4f8a"


def _draft(client, csrf: str, files=None, **fields) -> int:
    data = {"csrf_token": csrf, "title": "Bão số 13 đổ bộ", "body": "Ở trong nhà", "risk_level": "4",
            "target": "all", "expiry_hours": "6", **fields}
    page = client.post("/panel/emergency", data=data, files=files)
    found = re.search(r'action="/panel/emergency/(\d+)/confirm"', page.text)
    assert found, page.text
    return int(found[1])


def _confirmed(client, csrf: str, **fields) -> int:
    override_id = _draft(client, csrf, **fields)
    client.post(f"/panel/emergency/{override_id}/confirm", data={"csrf_token": csrf})
    return override_id


def _section(html: str, heading: str) -> str:
    start = html.index(heading)
    return html[start:html.index("</section>", start)]


def test_a_draft_is_listed_apart_from_the_active_ones_and_confirmable_from_the_list(client, users,
                                                                                    make_board) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _draft(client, csrf, title="Lũ quét bản Nà Hẩu")
    listing = client.get("/panel/emergency").text
    assert "Lũ quét bản Nà Hẩu" not in _section(listing, "Tin khẩn cấp đang hiệu lực")
    assert "Lũ quét bản Nà Hẩu" in _section(listing, "Bản nháp chờ xác nhận")
    assert f'action="/panel/emergency/{override_id}/confirm"' in _section(listing, "Bản nháp chờ xác nhận")


def test_a_draft_has_no_delivery_status(client, users, make_board) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _draft(client, csrf)
    page = client.get(f"/panel/emergency/{override_id}").text
    assert "Bản nháp: chưa gửi tới bảng nào." in page
    assert "đang chờ" not in page and "không liên lạc được" not in page and "hx-trigger" not in page
    assert "Sẽ tiếp quản 1 bảng" in page


def test_a_draft_confirmed_later_goes_live(client, users, make_board, session) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _draft(client, csrf)
    client.get("/panel/emergency")  # the operator left the confirm page
    page = client.post(f"/panel/emergency/{override_id}/confirm", data={"csrf_token": csrf})
    assert "Đã xác nhận" in page.text and 'hx-trigger="every 2s"' in page.text
    session.expire_all()
    assert session.get(Override, override_id).state is OverrideState.ACTIVE


def test_cancel_asks_first_and_does_nothing_until_answered(client, users, make_board, session) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _confirmed(client, csrf)
    question = client.get(f"/panel/emergency/{override_id}/cancel")
    assert "Hủy tin khẩn cấp này?" in question.text and "1 bảng sẽ thôi hiển thị" in question.text
    session.expire_all()
    assert session.get(Override, override_id).state is OverrideState.ACTIVE
    client.post(f"/panel/emergency/{override_id}/cancel", data={"csrf_token": csrf})
    session.expire_all()
    assert session.get(Override, override_id).state is OverrideState.CANCELLED


def test_the_detail_page_links_to_the_question_not_straight_to_cancel(client, users, make_board) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _confirmed(client, csrf)
    page = client.get(f"/panel/emergency/{override_id}").text
    assert f'action="/panel/emergency/{override_id}/cancel"' not in page
    assert f'href="/panel/emergency/{override_id}/cancel"' in page


def test_edit_changes_text_and_level_audited_and_counts_the_pages_again(client, users, make_board,
                                                                        session) -> None:
    make_board(width=384, height=192)
    csrf = login(client, "operator-a")
    override_id = _confirmed(client, csrf)
    long_body = " ".join(["Người dân ven suối sơ tán ngay đến nhà văn hóa bản, không qua ngầm, tràn."] * 4)
    edit = {"csrf_token": csrf, "title": "Sơ tán ngay", "body": long_body, "risk_level": "5"}
    page = client.post(f"/panel/emergency/{override_id}/edit", data=edit)
    assert "Đã lưu" in page.text
    assert re.search(r"hiển thị thành \d+ trang luân phiên trên bảng 384x192", page.text)
    session.expire_all()
    row = session.get(Override, override_id)
    assert (row.title, row.risk_level) == ("Sơ tán ngay", 5)
    event = session.exec(select(AuditEvent).where(AuditEvent.object_type == "override",
                                                  AuditEvent.action == "update")).one()
    assert event.actor == "operator-a"


def test_extend_moves_the_expiry_later(client, users, make_board, session) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _confirmed(client, csrf)
    before = session.get(Override, override_id).expires_at
    page = client.post(f"/panel/emergency/{override_id}/extend", data={"csrf_token": csrf, "hours": "3"})
    assert "Đã gia hạn" in page.text
    session.expire_all()
    assert session.get(Override, override_id).expires_at - before == timedelta(hours=3)


def test_extend_past_the_longest_run_is_refused(client, users, make_board, session) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _confirmed(client, csrf, expiry_hours="72")
    page = client.post(f"/panel/emergency/{override_id}/extend", data={"csrf_token": csrf, "hours": "24"})
    assert page.status_code == 422 and "tối đa" in page.text  # override.too_long, in Vietnamese
    session.expire_all()
    assert session.get(Override, override_id).state is OverrideState.ACTIVE


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 160, 0)).save(out, "PNG")
    return out.getvalue()


def test_an_attached_image_is_stored_like_media_and_named_on_the_override(client, users, make_board,
                                                                          session) -> None:
    make_board()
    csrf = login(client, "operator-a")
    override_id = _draft(client, csrf, files={"image": ("bản đồ.png", _png(), "image/png")})
    media_id = session.get(Override, override_id).media_id
    media = session.get(Media, media_id)
    assert media is not None and (media.width, media.height, media.content_type) == (64, 48, "image/png")
    assert f"/panel/media/{media_id}/thumbnail" in client.get(f"/panel/emergency/{override_id}").text


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_issued(client, users, make_board,
                                                                      session) -> None:
    make_board()
    csrf = login(client, "operator-a")
    page = client.post("/panel/emergency", files={"image": ("ghi-chu.png", b"not an image", "image/png")},
                       data={"csrf_token": csrf, "title": "Bão", "risk_level": "4", "target": "all",
                             "expiry_hours": "6"})
    assert page.status_code == 422
    assert session.exec(select(Override)).all() == [] and session.exec(select(Media)).all() == []


def test_the_target_has_no_default(client, users, make_board, session) -> None:
    make_board()
    csrf = login(client, "operator-a")
    form = client.get("/panel/emergency").text
    assert not re.search(r'name="target" value="\w+"[^>]* checked', form)
    page = client.post("/panel/emergency", data={"csrf_token": csrf, "title": "Bão", "risk_level": "4",
                                                 "expiry_hours": "6"})
    assert page.status_code == 422 and "target" in page.text
    assert session.exec(select(Override)).all() == []


def test_the_target_pick_shows_each_units_board_count(client, users, make_board, tree) -> None:
    make_board()
    make_board()
    login(client, "operator-a")
    form = client.get("/panel/emergency").text
    assert 'data-filter="#e-pick"' in form and "(2 bảng)" in form


def test_history_pages_past_emergencies_with_reach_and_first_display(client, users, make_board,
                                                                     session) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    first = _confirmed(client, csrf, title="Cháy rừng phòng hộ")
    session.add(OverrideReceipt(override_id=first, board_id=board.id, received_at=utcnow(),
                                displayed_at=utcnow()))
    session.commit()
    client.post(f"/panel/emergency/{first}/cancel", data={"csrf_token": csrf})
    for n in range(21):
        client.post(f"/panel/emergency/{_draft(client, csrf, title=f'Tin nháp {n}')}/cancel",
                    data={"csrf_token": csrf})
    newest = client.get("/panel/emergency/history").text
    assert "Tổng cộng 22" in newest and "Trang 1/2" in newest and "Cháy rừng phòng hộ" not in newest
    oldest = client.get("/panel/emergency/history?page=2").text
    entry = oldest[oldest.index("Cháy rừng phòng hộ"):]
    assert re.search(r"Kết thúc</dt><dd>\d{2}/\d{2}/\d{4} [\d:]+ GMT\+7 · \S", entry)  # and who cancelled it
    assert re.search(r"Số bảng đã nhận</dt><dd>1</dd>", entry)
    assert re.search(r"Hiển thị lần đầu</dt><dd>\d{2}/\d{2}/\d{4} \d{2}:\d{2}", entry)
    assert "chưa bao giờ (bản nháp)" in newest


@pytest.mark.parametrize("level", sorted(RISK_COLORS))
def test_a_link_on_each_risk_colour_meets_wcag_aa(level: int) -> None:
    """The overview's banner link takes the level's text colour instead of the panel's blue."""
    back = RISK_COLORS[level]
    assert ".risk a:not(.button) { color: inherit;" in CSS.read_text()
    assert contrast(text_colour(back), back) >= 4.5


def test_the_panels_blue_on_red_was_unreadable() -> None:
    assert contrast(PANEL_LINK_BLUE, RISK_COLORS[4]) < 4.5
