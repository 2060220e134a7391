"""Validity dates in the panel: bulletins and images are dated in local time (dd/mm/yyyy), and the
lists mark expired and not-yet-valid content."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlmodel import select

from signage_server.models import Bulletin, Media, utcnow
from tests.support.panel_client import csrf_of, login


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _as_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value if value.tzinfo else value.replace(tzinfo=UTC)


def test_a_bulletin_is_dated_in_local_time_and_read_back_so(client, users, session) -> None:
    csrf = login(client, "editor-a")
    page = client.post("/panel/bulletins", data={
        "title": "Lịch cắt điện ngày 25/11", "body": "Từ 7 giờ đến 11 giờ.", "valid_from": "20/11/2026 07:30",
        "valid_until": "25/11/2026", "csrf_token": csrf})
    assert page.status_code == 200, page.text
    row = session.exec(select(Bulletin).where(Bulletin.title == "Lịch cắt điện ngày 25/11")).one()
    assert _as_utc(row.valid_from) == datetime(2026, 11, 20, 0, 30, tzinfo=UTC)
    assert _as_utc(row.valid_until) == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # the end of 25/11, local
    assert 'value="20/11/2026 07:30"' in page.text and 'value="26/11/2026 00:00"' in page.text

    cleared = client.post(f"/panel/bulletins/{row.id}", data={
        "title": row.title, "body": row.body, "valid_from": "", "valid_until": "", "csrf_token": csrf})
    assert cleared.status_code == 200
    session.refresh(row)
    assert (row.valid_from, row.valid_until) == (None, None)


def test_a_date_in_another_form_keeps_the_draft_and_says_how_to_write_it(client, users, session) -> None:
    csrf = login(client, "editor-a")
    page = client.post("/panel/bulletins", data={
        "title": "Họp dân", "body": "Tối thứ Sáu.", "valid_from": "2026-11-20", "csrf_token": csrf})
    assert page.status_code == 422
    assert "dd/mm/yyyy" in page.text and 'value="2026-11-20"' in page.text and "Họp dân" in page.text
    assert session.exec(select(Bulletin).where(Bulletin.title == "Họp dân")).first() is None


def test_the_bulletin_list_marks_expired_and_not_yet_valid(client, users, session, tree) -> None:
    now = utcnow()
    for title, start, end in (("Đã hết hạn", None, now - timedelta(days=1)),
                              ("Sắp tới", now + timedelta(days=2), None),
                              ("Đang hiệu lực", now - timedelta(days=1), now + timedelta(days=1))):
        session.add(Bulletin(title=title, body="", unit_id=tree.commune_a, valid_from=start, valid_until=end))
    session.commit()
    login(client, "viewer-a")
    page = client.get("/panel/bulletins").text
    titles = ("Đã hết hạn", "Sắp tới", "Đang hiệu lực")
    rows = {title: page[page.index(title):].split("</tr>")[0] for title in titles}
    assert "state-expired" in rows["Đã hết hạn"] and "state-pending" not in rows["Đã hết hạn"]
    assert "chưa đến ngày hiệu lực" in rows["Sắp tới"] and "state-expired" not in rows["Sắp tới"]
    assert "state-expired" not in rows["Đang hiệu lực"] and "state-pending" not in rows["Đang hiệu lực"]


def test_an_image_is_dated_from_the_library_and_marked(client, users, session) -> None:
    csrf = login(client, "editor-a")
    made = client.post("/panel/media", files={"file": ("áp phích.png", _png(), "image/png")},
                       headers={"X-CSRF-Token": csrf}).json()
    page = client.post(f"/panel/media/{made['id']}/validity", data={
        "valid_from": "01/01/2099", "valid_until": "", "csrf_token": csrf})
    assert page.status_code == 200, page.text
    row = session.get(Media, made["id"])
    assert row is not None and _as_utc(row.valid_from) == datetime(2098, 12, 31, 17, 0, tzinfo=UTC)
    assert "chưa đến ngày hiệu lực" in page.text and 'value="01/01/2099 00:00"' in page.text
    refused = client.post(f"/panel/media/{made['id']}/validity", data={
        "valid_from": "02/01/2099", "valid_until": "01/01/2099", "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422 and "“Hiệu lực đến” phải sau “Hiệu lực từ”." in refused.text
    login(client, "viewer-a")
    assert "Lưu thời hạn" not in client.get("/panel/media").text
