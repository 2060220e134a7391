"""The bulletin editor converts text pasted in TCVN3 or VNI on save and shows it as pasted and as saved."""

from __future__ import annotations

from sqlmodel import select

from signage_server.models import Bulletin, Playlist, PlaylistItem
from tests.support.panel_client import login


def test_saving_tcvn3_text_stores_unicode_and_shows_the_conversion(client, users, session) -> None:
    csrf = login(client, "editor-a")
    page = client.post("/panel/bulletins", data={"title": "LÞch c¾t ®iÖn", "body": "Thø B¶y",
                                                 "csrf_token": csrf})
    assert page.status_code == 200
    assert page.text.count("Đã chuyển từ mã TCVN3 sang Unicode") == 2
    assert "LÞch c¾t ®iÖn" in page.text
    stored = session.exec(select(Bulletin)).one()
    assert (stored.title, stored.body) == ("Lịch cắt điện", "Thứ Bảy")


def test_saving_unicode_text_goes_straight_to_the_bulletin(client, users) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/bulletins", data={"title": "Lịch cắt điện", "csrf_token": csrf},
                         follow_redirects=False)
    assert answer.status_code == 303


def test_mixed_text_is_refused_in_vietnamese_and_kept_in_the_form(client, users, session) -> None:
    csrf = login(client, "editor-a")
    page = client.post("/panel/bulletins", data={"title": "Lịch cắt ®iÖn", "csrf_token": csrf})
    assert page.status_code == 422
    assert "lẫn chữ Unicode với chữ gõ bằng bảng mã TCVN3" in page.text and "Lịch cắt ®iÖn" in page.text
    assert session.exec(select(Bulletin)).first() is None


def test_a_ticker_text_in_vni_is_converted_and_shown_on_its_playlist(client, users, session, tree) -> None:
    playlist = Playlist(name="Buổi chiều", unit_id=tree.commune_a)
    session.add(playlist)
    session.commit()
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/items",
                       data={"kind": "ticker", "text": "Baõo soá 5", "duration_s": "10", "csrf_token": csrf})
    assert page.status_code == 200 and "Đã chuyển từ mã VNI sang Unicode" in page.text
    item = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)).one()
    assert item.text == "Bão số 5"
