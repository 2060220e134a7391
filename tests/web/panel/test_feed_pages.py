"""The panel's Feeds page: an editor adds a feed in Vietnamese, an approver trusts it, and a
failing feed says once, in local time, what fails and since when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from signage_server.models import AuditEvent, Feed, Playlist
from tests.support.panel_client import login


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"  # the feed rules are not the database's; keep it quick


def _playlist(session, unit_id: int) -> int:
    row = Playlist(name="Tin tự động", unit_id=unit_id)
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def _add(client, csrf: str, playlist_id: int, **fields: str):
    data = {"name": "Cổng thông tin xã", "url": "https://xa.example.vn/rss", "target": "bulletin",
            "playlist_id": str(playlist_id), "validity_hours": "1,5", "poll_interval_min": "30",
            "csrf_token": csrf, **fields}
    return client.post("/panel/feeds", data=data, follow_redirects=True)


def test_an_editor_adds_a_feed_that_waits_for_approval(client, users, tree, session) -> None:
    csrf = login(client, "editor-a")
    answer = _add(client, csrf, _playlist(session, tree.commune_a), unit_id=str(tree.commune_a))
    assert answer.status_code == 200 and "Đã lưu nguồn tin." in answer.text
    assert "cần duyệt" in answer.text and "chưa đọc lần nào" in answer.text
    feed = session.exec(select(Feed)).one()
    assert (feed.validity_min, feed.poll_interval_min, feed.trusted) == (90, 30, False)
    assert session.exec(select(AuditEvent).where(AuditEvent.object_type == "feed")).one().action == "create"


def test_a_bad_address_is_refused_in_vietnamese(client, users, tree, session) -> None:
    csrf = login(client, "editor-a")
    answer = _add(client, csrf, _playlist(session, tree.commune_a), url="file:///etc/passwd")
    assert answer.status_code == 422 and "http://" in answer.text
    assert session.exec(select(Feed)).first() is None


def test_an_approver_trusts_a_feed(client, users, tree, session) -> None:
    _add(client, login(client, "editor-a"), _playlist(session, tree.commune_a))
    feed = session.exec(select(Feed)).one()
    csrf = login(client, "approver-a")
    answer = client.post(f"/panel/feeds/{feed.id}/change", data={"field": "trusted", "value": "yes",
                                                                 "csrf_token": csrf}, follow_redirects=True)
    assert "tin cậy: phát ngay" in answer.text
    session.refresh(feed)
    assert feed.trusted and feed.trusted_by == users["approver_a"].id


def test_a_failing_feed_says_what_and_since_when_in_local_time(client, users, tree, session) -> None:
    _add(client, login(client, "editor-a"), _playlist(session, tree.commune_a))
    feed = session.exec(select(Feed)).one()
    feed.error_code, feed.error_detail = "feed.http_status", "the feed answered HTTP 500"
    feed.failing_since = datetime(2026, 11, 30, 1, 5, tzinfo=UTC)
    session.add(feed)
    session.commit()
    page = client.get("/panel/feeds").text
    assert "lỗi từ 30/11/2026 08:05:00 GMT+7" in page
    assert "Máy chủ của nguồn tin trả lời bằng một lỗi." in page
    assert "HTTP 500" not in page
