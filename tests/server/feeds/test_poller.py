# ruff: noqa: E501  (feed documents read better unwrapped)
"""Feeds polled from a real local HTTP server: Atom and RSS into bulletins and ticker lines,
deduplicated on re-poll, trusted at once or through approval, Vietnamese kept exact (NFC), and a
failing feed (500, timeout, bad XML, redirect to file:) keeps its items and says so once."""

from __future__ import annotations

import contextlib
import logging
import threading
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import Session, col, func, select

from signage_server.content import playlists
from signage_server.content.schemas import PlaylistCreate
from signage_server.content.workflow import Actor
from signage_server.core.changes import ChangeFeed
from signage_server.core.legacy_text import Encoding, encode
from signage_server.db import make_engine
from signage_server.feeds import service
from signage_server.feeds.fetch import FetchLimits
from signage_server.feeds.poller import FeedPoller
from signage_server.feeds.schemas import FeedCreate
from signage_server.models import (
    AuditEvent,
    Bulletin,
    ContentState,
    Feed,
    FeedEntry,
    FeedTarget,
    Playlist,
    PlaylistItem,
    Submission,
    User,
)
from signage_server.settings import Settings

pytestmark = pytest.mark.anyio
TITLE = "Thông báo lịch tiếp công dân tháng 12"  # NFC
NFD_TITLE = unicodedata.normalize("NFD", "Cảnh báo lũ quét ở xã Tịnh Khê")

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>UBND</title><id>urn:ubnd</id>
<updated>2026-11-30T08:00:00+07:00</updated>
<entry><id>urn:ubnd:1</id><title>{TITLE}</title><updated>2026-11-30T08:00:00+07:00</updated>
<content type="html">&lt;p&gt;Ông &lt;b&gt;Nguyễn Văn A&lt;/b&gt; tiếp công dân&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;&lt;p&gt;Thứ Hai &amp;amp; Thứ Năm&lt;/p&gt;</content></entry>
<entry><id>urn:ubnd:2</id><title type="html">{NFD_TITLE} &lt;b&gt;khẩn&lt;/b&gt;</title>
<updated>2026-11-30T09:00:00+07:00</updated><summary>Người dân chú ý.</summary></entry>
</feed>""".encode()

RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tin</title>
<item><title>Ngày hội đại đoàn kết</title><link>http://example.vn/1</link><description>Ở thôn Đông.</description></item>
<item><title>Tiêm chủng mở rộng</title><guid>tin-2</guid><description>&lt;i&gt;Trạm y tế&lt;/i&gt;</description></item>
</channel></rss>""".encode()


class FeedSite:
    """A local server: path -> (status, body, headers); ``/slow`` answers only once released."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.release = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/slow":
                    site.release.wait(10)
                status, body, headers = site.pages.get(self.path, (404, b"", {}))
                self.send_response(status)
                for name, value in {"Content-Type": "application/xml", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the timed-out client is gone
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"  # the rules are the database's; SQLite keeps this quick


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    # The app's own poller must not race the test's: it ticks once at start, then not again.
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seed_units=False, feed_tick_s=3600)


@pytest.fixture
def site() -> Iterator[FeedSite]:
    made = FeedSite()
    made.pages = {"/atom.xml": (200, ATOM, {}), "/rss.xml": (200, RSS, {}),
                  "/broken": (500, b"oops", {}), "/bad.xml": (200, b"<rss><channel><item><title>x</ti", {}),
                  "/to-file": (302, b"", {"Location": "file:///etc/passwd"})}
    made.thread.start()
    yield made
    made.release.set()
    made.server.shutdown()
    made.server.server_close()


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def poller(app, clock) -> FeedPoller:
    # A generous timeout: a loaded machine must not turn a good local feed into feed.timeout
    return FeedPoller(app.state.engine, ChangeFeed(), limits=FetchLimits(timeout_s=10, max_bytes=64 * 1024, allow_private=True),
                      clock=clock)


def _actor(session: Session, users, key: str) -> Actor:
    user = session.get(User, users[key].id)
    assert user is not None
    return Actor(user)


def _feed(session, users, clock, url: str, target: FeedTarget, *, trusted: bool = False) -> int:
    admin = _actor(session, users, "admin_a")
    playlist = playlists.create_playlist(session, actor=admin, changes=ChangeFeed(),
                                         data=PlaylistCreate(name="Tin tự động"))
    made = service.create_feed(session, actor=_actor(session, users, "admin_a" if trusted else "editor_a"),
                               data=FeedCreate(name="Cổng thông tin xã", url=url, target=target,
                                               playlist_id=playlist.id, validity_min=360, trusted=trusted))
    row = session.get(Feed, made.id)
    row.next_poll_at = clock.now
    session.add(row)
    session.commit()
    return made.id


def _items(session: Session, feed_id: int) -> list[PlaylistItem]:
    session.expire_all()
    feed = session.get(Feed, feed_id)
    return list(session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == feed.playlist_id)
                             .order_by(col(PlaylistItem.position))).all())


def _bulletins(session: Session) -> list[Bulletin]:
    session.expire_all()
    return list(session.exec(select(Bulletin).order_by(col(Bulletin.id))).all())


async def test_a_trusted_atom_feed_publishes_bulletins_at_once_as_plain_nfc_text(
        session, users, site, poller, clock) -> None:
    feed_id = _feed(session, users, clock, f"{site.url}/atom.xml", FeedTarget.BULLETIN, trusted=True)
    assert await poller.tick() == 1
    made = _bulletins(session)
    assert [b.state for b in made] == [ContentState.APPROVED] * 2
    assert made[0].title == TITLE
    assert made[0].body == "Ông Nguyễn Văn A tiếp công dân\n\nThứ Hai & Thứ Năm"
    assert made[1].title == unicodedata.normalize("NFC", NFD_TITLE) + " khẩn"
    assert made[0].valid_until == clock.now + timedelta(hours=6)
    assert [i.bulletin_id for i in _items(session, feed_id)] == [b.id for b in made]
    feed = session.get(Feed, feed_id)
    assert (feed.last_ok_at, feed.error_code) == (clock.now, "")


async def test_a_repoll_makes_nothing_twice(session, users, site, poller, clock) -> None:
    feed_id = _feed(session, users, clock, f"{site.url}/rss.xml", FeedTarget.TICKER, trusted=True)
    await poller.tick()
    clock.now += timedelta(minutes=20)
    assert await poller.tick() == 1
    assert [i.text for i in _items(session, feed_id)] == ["Ngày hội đại đoàn kết", "Tiêm chủng mở rộng"]


async def test_an_untrusted_feed_waits_for_approval_and_joins_once_approved(
        session, users, site, poller, clock) -> None:
    feed_id = _feed(session, users, clock, f"{site.url}/atom.xml", FeedTarget.BULLETIN)
    await poller.tick()
    waiting = _bulletins(session)
    assert [b.state for b in waiting] == [ContentState.SUBMITTED] * 2
    assert _items(session, feed_id) == []
    assert service.get_feed(session, user=session.get(User, users["editor_a"].id), feed_id=feed_id
                            ).entries_waiting == 2
    waiting[0].state = ContentState.APPROVED
    session.add(waiting[0])
    session.commit()
    await poller.tick()  # not due: only placing and expiring
    assert [i.bulletin_id for i in _items(session, feed_id)] == [waiting[0].id]


async def test_an_untrusted_ticker_feed_sends_its_playlist_to_the_queue(session, users, site, poller, clock) -> None:
    feed_id = _feed(session, users, clock, f"{site.url}/rss.xml", FeedTarget.TICKER)
    playlist = session.get(Playlist, session.get(Feed, feed_id).playlist_id)
    playlist.state = ContentState.APPROVED
    session.add(playlist)
    session.commit()
    await poller.tick()
    # like an editor's edit of an approved playlist: the lines wait in its edit, the approved
    # playlist stays on air until an approver decides
    assert _items(session, feed_id) == []
    assert session.get(Playlist, playlist.id).state == ContentState.APPROVED
    waiting = session.exec(select(Submission).where(Submission.state == ContentState.SUBMITTED)).one()
    assert [i["text"] for i in waiting.pending["items"]] == ["Ngày hội đại đoàn kết", "Tiêm chủng mở rộng"]
    assert session.exec(select(AuditEvent).where(col(AuditEvent.action).in_(["add_item", "submit"]))).first()


async def test_an_entry_whose_text_is_refused_is_skipped_and_the_others_still_come(
        session, users, site, poller, clock, caplog) -> None:
    mixed = "Thông báo " + encode("lịch cắt điện", Encoding.TCVN3)  # TCVN3 inside Unicode: refused
    site.pages["/mixed.xml"] = (200, RSS.replace(b"<item><title>Ng", f"<item><title>{mixed}</title>"
                                                 "<guid>tin-0</guid></item><item><title>Ng".encode(), 1), {})
    feed_id = _feed(session, users, clock, f"{site.url}/mixed.xml", FeedTarget.TICKER, trusted=True)
    caplog.set_level(logging.INFO, logger="signage_server.feeds")
    assert await poller.tick() == 1
    assert f"feed {feed_id}: 2 entries made, 1 refused by the content rules" in caplog.text
    clock.now += timedelta(minutes=20)
    await poller.tick()  # the refused entry is not tried again
    assert [i.text for i in _items(session, feed_id)] == ["Ngày hội đại đoàn kết", "Tiêm chủng mở rộng"]
    feed = session.get(Feed, feed_id)
    assert (feed.error_code, feed.last_ok_at) == ("", clock.now)
    assert session.exec(select(func.count()).select_from(FeedEntry)
                        .where(FeedEntry.feed_id == feed_id)).one() == 3


async def test_expired_entries_drop_off(session, users, site, poller, clock) -> None:
    feed_id = _feed(session, users, clock, f"{site.url}/rss.xml", FeedTarget.TICKER, trusted=True)
    await poller.tick()
    site.pages["/rss.xml"] = (500, b"", {})
    clock.now += timedelta(hours=6, minutes=1)
    await poller.tick()
    assert _items(session, feed_id) == []


FAILURES = [("/broken", "feed.http_status"), ("/slow", "feed.timeout"), ("/bad.xml", "feed.invalid"),
            ("/to-file", "feed.redirect_refused")]


@pytest.mark.parametrize(("path", "code"), FAILURES)
async def test_a_failing_feed_keeps_its_items_and_says_so_once(
        session, users, site, poller, clock, path, code) -> None:
    feed_id = _feed(session, users, clock, f"{site.url}/rss.xml", FeedTarget.TICKER, trusted=True)
    await poller.tick()
    ok_at = clock.now
    feed = session.get(Feed, feed_id)
    feed.url = f"{site.url}{path}"
    session.add(feed)
    session.commit()
    poller.limits = FetchLimits(timeout_s=0.5, max_bytes=64 * 1024, allow_private=True)  # /slow times out
    for _ in range(2):
        clock.now += timedelta(minutes=20)
        await poller.tick()
    session.expire_all()
    feed = session.get(Feed, feed_id)
    assert feed.error_code == code
    assert feed.failing_since == ok_at + timedelta(minutes=20)  # since the first failure, not each
    assert feed.last_ok_at == ok_at
    assert len(_items(session, feed_id)) == 2
    site.release.set()


async def test_a_feed_larger_than_the_limit_fails_without_being_read_whole(
        session, users, site, poller, clock) -> None:
    site.pages["/huge.xml"] = (200, RSS + b"<!--" + b"x" * 70_000 + b"-->", {})
    feed_id = _feed(session, users, clock, f"{site.url}/huge.xml", FeedTarget.TICKER, trusted=True)
    await poller.tick()
    session.expire_all()
    assert session.get(Feed, feed_id).error_code == "feed.too_large"
    assert _items(session, feed_id) == []


async def test_on_postgresql_one_instance_polls_at_a_time(postgres_url) -> None:
    engine = make_engine(postgres_url)
    first, second = FeedPoller(engine, ChangeFeed()), FeedPoller(engine, ChangeFeed())
    held = first._lock()
    try:
        assert held is not False
        assert await second.tick() == 0  # skipped: the other instance is polling
    finally:
        FeedPoller._unlock(held)
        engine.dispose()


async def test_by_default_a_feed_may_not_lead_into_the_servers_own_network(
        session, users, site, app, clock) -> None:
    feed_id = _feed(session, users, clock, f"{site.url}/rss.xml", FeedTarget.TICKER, trusted=True)
    await FeedPoller(app.state.engine, ChangeFeed(), clock=clock).tick()
    session.expire_all()
    assert session.get(Feed, feed_id).error_code == "feed.private_address"
