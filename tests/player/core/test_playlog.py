"""Proof of play on the player: what the tracker records, the durable queue, idempotent upload."""

from datetime import timedelta

import httpx
import pytest

from player.core import playlog as playlog_module
from player.core.playlog import PlayEnded, PlayLog, PlayStarted, PlaysTouched
from player.core.playtrack import MAX_RECORD, PlayTracker
from player.core.timeline import resolve
from player.net.play_upload import PlayUploader
from signage_contract import Category, PlayReason, Priority
from tests.support.fake_health_server import FakeHealthServer
from tests.support.player_factories import NOW, entry, manifest

AUTH = {"Authorization": "Bearer tok"}


def _text(item_id: str, duration_s: float = 60, **extra):
    return {"kind": "text", "id": item_id, "title": "Thông báo", "duration_s": duration_s, **extra}


def _override(**extra):
    return {
        "id": "o1",
        "title": "Cảnh báo lũ quét",
        "starts_at": NOW + timedelta(minutes=2),
        "expires_at": NOW + timedelta(minutes=4),
        "issued_at": NOW,
        **extra,
    }


def _play(value, tracker: PlayTracker, start, end) -> None:
    """Drive the tracker as the frame loop would, from one change (or touch) to the next."""
    now = start
    while now < end:
        frame = resolve(value, now)
        tracker.observe(frame, now)
        now = min(frame.next_change_at, now + timedelta(seconds=60), end)
    tracker.close(end)


def _events(value, start, end):
    events: list = []
    _play(value, PlayTracker(events.append), start, end)
    return events


def _records(events):
    """Finished records: each start with its end applied."""
    ends = {e.record_id: e.ended_at for e in events if isinstance(e, PlayEnded)}
    starts = [e.record for e in events if isinstance(e, PlayStarted)]
    return [r.model_copy(update={"ended_at": ends[r.id]}) for r in starts]


def test_each_showing_of_each_item_is_one_record_with_its_times() -> None:
    value = manifest([_text("a", category="policy_law"), _text("b", priority="priority")])
    records = _records(_events(value, NOW, NOW + timedelta(minutes=4)))
    assert [(r.item_id, r.started_at, r.ended_at) for r in records] == [
        ("a", NOW, NOW + timedelta(minutes=1)),
        ("b", NOW + timedelta(minutes=1), NOW + timedelta(minutes=2)),
        ("a", NOW + timedelta(minutes=2), NOW + timedelta(minutes=3)),
        ("b", NOW + timedelta(minutes=3), NOW + timedelta(minutes=4)),
    ]
    assert (records[0].category, records[1].priority) == (Category.POLICY_LAW, Priority.PRIORITY)
    assert len({r.id for r in records}) == 4


@pytest.mark.parametrize(
    ("timeline_extra", "items", "expected"),
    [
        ({"schedule_id": "s1"}, [_text("a")], ("a", PlayReason.SCHEDULED, "s1")),
        ({"reason": "priority", "schedule_id": "s2"}, [_text("a")], ("a", PlayReason.PRIORITY, "s2")),
        ({}, [], ("fallback", PlayReason.FALLBACK, None)),
    ],
)
def test_reason_and_schedule_come_from_the_timeline_entry(timeline_extra, items, expected) -> None:
    timeline = [entry(NOW, NOW + timedelta(days=1), {"main": [i["id"] for i in items]}, **timeline_extra)]
    value = manifest(items, timeline)
    (record,) = _records(_events(value, NOW, NOW + timedelta(minutes=1)))
    assert (record.item_id, record.reason, record.schedule_id) == expected


def test_an_override_is_one_emergency_record_and_the_regions_beneath_end() -> None:
    value = manifest([_text("a", duration_s=600)], overrides=[_override()])
    records = _records(_events(value, NOW, NOW + timedelta(minutes=6)))
    assert [(r.region_id, r.item_id, r.reason, r.override_id) for r in records] == [
        ("main", "a", PlayReason.SCHEDULED, None),
        ("screen", "override:o1", PlayReason.EMERGENCY, "o1"),
        ("main", "a", PlayReason.SCHEDULED, None),
    ]
    assert records[1].priority == Priority.EMERGENCY
    assert (records[0].ended_at, records[2].started_at) == (records[1].started_at, records[1].ended_at)


def test_an_item_playing_for_hours_is_split_so_it_uploads_as_it_goes() -> None:
    value = manifest([_text("a")])
    records = _records(_events(value, NOW, NOW + 3 * MAX_RECORD))
    assert len(records) == 3
    assert all(r.ended_at - r.started_at == MAX_RECORD for r in records)


def test_the_region_map_for_heartbeats_follows_the_screen() -> None:
    tracker = PlayTracker(lambda _: None)
    value = manifest([_text("a"), _text("b")], overrides=[_override()])
    tracker.observe(resolve(value, NOW), NOW)
    assert tracker.regions() == {"main": "a"}
    later = NOW + timedelta(minutes=3)
    tracker.observe(resolve(value, later), later)
    assert tracker.regions() == {"screen": "override:o1"}


def test_a_crash_keeps_the_open_record_up_to_its_last_touch(tmp_path) -> None:
    path = tmp_path / "plays.sqlite3"
    crashed = PlayLog(path, clock=lambda: NOW)
    events: list = []
    tracker = PlayTracker(events.append)
    value = manifest([_text("a", duration_s=600)])
    for minute in range(4):  # touched each minute, then the power goes
        tracker.observe(resolve(value, NOW + timedelta(minutes=minute)), NOW + timedelta(minutes=minute))
    for event in events:
        crashed.submit(event)
    crashed.flush()
    assert crashed.pending() == []  # still on screen: not uploadable
    restarted = PlayLog(path, clock=lambda: NOW)  # no close(): as after kill -9
    (record,) = restarted.pending()
    assert (record.started_at, record.ended_at) == (NOW, NOW + timedelta(minutes=3))


def test_the_queue_drops_its_oldest_records_at_the_size_bound(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(playlog_module, "MAX_ROWS", 5)
    log = PlayLog(tmp_path / "plays.sqlite3", clock=lambda: NOW)
    for event in _events(manifest([_text("a"), _text("b")]), NOW, NOW + timedelta(minutes=8)):
        log.submit(event)
    log.flush()
    assert log.prune() == 3
    assert [r.started_at for r in log.pending()] == [NOW + timedelta(minutes=m) for m in range(3, 8)]


def test_the_queue_drops_records_older_than_the_age_bound(tmp_path) -> None:
    clock = [NOW]
    log = PlayLog(tmp_path / "plays.sqlite3", clock=lambda: clock[0])
    for event in _events(manifest([_text("a"), _text("b")]), NOW, NOW + timedelta(minutes=2)):
        log.submit(event)
    log.flush()
    clock[0] = NOW + playlog_module.MAX_AGE + timedelta(minutes=1, seconds=30)
    assert log.prune() == 1
    assert len(log.pending()) == 1


def _filled_log(tmp_path, minutes: int) -> PlayLog:
    log = PlayLog(tmp_path / "plays.sqlite3", clock=lambda: NOW)
    for event in _events(manifest([_text("a"), _text("b")]), NOW, NOW + timedelta(minutes=minutes)):
        log.submit(event)
    log.flush()
    return log


def test_a_reply_lost_to_a_timeout_is_retried_without_a_duplicate(tmp_path) -> None:
    log, server = _filled_log(tmp_path, 10), FakeHealthServer()
    uploader = PlayUploader(log, server.client(), batch_max=4)
    server.lose_next_replies = 1
    with pytest.raises(httpx.ReadTimeout):
        uploader.upload_all(AUTH)
    assert log.count() == 10  # nothing acknowledged: nothing deleted
    uploader.upload_all(AUTH)
    assert (len(server.records), log.count()) == (10, 0)
    assert sum(server.copies.values()) == 14  # the 4 of the lost reply were sent again, stored once


def test_a_record_the_server_cannot_parse_does_not_block_the_queue(tmp_path) -> None:
    log, server = _filled_log(tmp_path, 6), FakeHealthServer()
    poison = log.pending()[2].id

    def handler(request: httpx.Request) -> httpx.Response:
        if poison.encode() in request.content:
            return httpx.Response(422, json={"detail": "bad record"})
        return server.handle(request)

    client = httpx.Client(base_url="http://s", transport=httpx.MockTransport(handler))
    PlayUploader(log, client).upload_all(AUTH)
    assert (len(server.records), poison in server.records, log.count()) == (5, False, 0)


def test_three_days_offline_then_every_record_arrives_exactly_once(tmp_path) -> None:
    """Playing through a 72-hour outage (simulated clock), uploads failing every hour, then back."""
    server, clock = FakeHealthServer(), [NOW]
    log = PlayLog(tmp_path / "plays.sqlite3", clock=lambda: clock[0])
    emitted: list = []

    def sink(event) -> None:
        emitted.append(event)
        log.submit(event)

    tracker, uploader = PlayTracker(sink), PlayUploader(log, server.client())
    items = [_text("a", duration_s=20), _text("b", duration_s=16), _text("t", duration_s=60)]
    value = manifest(
        [{**i, "kind": "ticker", "text": "Tin ngắn"} if i["id"] == "t" else i for i in items],
        [entry(NOW, NOW + timedelta(days=4), {"main": ["a", "b"], "ticker": ["t"]}, layout_id="mtc")],
    )
    server.down = True
    for hour in range(72):
        start = NOW + timedelta(hours=hour)
        clock[0] = start
        _play_hour(value, tracker, start)
        with pytest.raises(httpx.ConnectError):
            log.flush()
            uploader.upload_all(AUTH)
    tracker.close(NOW + timedelta(hours=72))
    log.flush()
    server.down = False
    server.lose_next_replies = 1  # the first batch after reconnection times out once
    with pytest.raises(httpx.ReadTimeout):
        uploader.upload_all(AUTH)
    uploader.upload_all(AUTH)
    started = {e.record.id for e in emitted if isinstance(e, PlayStarted)}
    assert len(started) > 3 * 72 * 60  # a few hundred records an hour, over 14 batches
    assert set(server.records) == started
    assert log.count() == 0
    assert max(server.batches) == 1000
    assert any(isinstance(e, PlaysTouched) for e in emitted)


def _play_hour(value, tracker: PlayTracker, start) -> None:
    now, end = start, start + timedelta(hours=1)
    while now < end:
        frame = resolve(value, now)
        tracker.observe(frame, now)
        now = min(frame.next_change_at, now + timedelta(seconds=60), end)
