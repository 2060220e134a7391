"""Heartbeat ingestion, debounce, flap hold-down, uptime and status routes (SQLite and PostgreSQL)."""

import json
import unicodedata
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import func, select

from signage_contract import device as wire
from signage_contract.timezone import LOCAL_ZONE
from signage_server.devices.auth import issue_credential
from signage_server.health.webhook import WebhookNotifier
from signage_server.models import BoardEvent, BoardSeen, BoardStatus

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock(app, client) -> Clock:
    fake = Clock(T0)
    app.state.health.clock = fake
    return fake


def device_headers(session, board) -> dict[str, str]:
    _credential, token = issue_credential(session, board.id, "mini-pc")
    return {"Authorization": f"Bearer {token}"}


def beat(client, headers, sent_at: datetime, **fields) -> httpx.Response:
    body = wire.Heartbeat(sent_at=sent_at, **fields).model_dump(mode="json")
    return client.post(wire.DEVICE_HEARTBEAT, json=body, headers=headers)


def events(session, board_id: int) -> list[tuple[str, datetime, int]]:
    session.expire_all()
    rows = session.exec(select(BoardEvent).where(BoardEvent.board_id == board_id).order_by(BoardEvent.id))
    return [(e.kind, e.at, e.flaps) for e in rows]


def test_heartbeat_stores_the_latest_state_and_answers_server_time(client, session, make_board, clock):
    board = make_board()
    headers = device_headers(session, board)
    sent = T0 - timedelta(seconds=4)  # the device clock runs 4 s behind
    response = beat(client, headers, sent, software_version="1.2.0", uptime_s=3600, manifest_version="abc",
                    regions={"main": "bulletin:7"}, free_disk_bytes=12 * 1024**4, cache_bytes=5_000_000,
                    last_error=unicodedata.normalize("NFD", "tải ảnh lỗi"), screen_state="on")
    assert response.status_code == 200
    reply = wire.HeartbeatReply.model_validate(response.json())
    assert reply.server_time == T0 and reply.heartbeat_interval_s == 30
    row = session.get(BoardStatus, board.id)
    assert (row.software_version, row.manifest_version) == ("1.2.0", "abc")
    assert row.regions == {"main": "bulletin:7"}
    assert row.clock_offset_s == pytest.approx(4.0)
    assert row.free_disk_bytes == 12 * 1024**4 and row.screen_state == "on"
    assert row.last_error == "tải ảnh lỗi"


def test_heartbeat_without_a_device_credential_is_401(client):
    response = client.post(wire.DEVICE_HEARTBEAT, json={"sent_at": T0.isoformat()})
    assert response.status_code == 401


def test_offline_after_three_missed_heartbeats_and_back_on_the_next(app, client, session, make_board,
                                                                   users, clock):
    board = make_board()
    headers = device_headers(session, board)
    beat(client, headers, T0)
    status_url = f"/api/v1/boards/{board.id}/status"
    clock.advance(89)
    app.state.health.sweep_once()
    assert client.get(status_url, headers=users["viewer_a"].headers).json()["status"] == "online"
    clock.advance(2)  # 91 s without a heartbeat: three intervals missed
    app.state.health.sweep_once()
    assert client.get(status_url, headers=users["viewer_a"].headers).json()["status"] == "offline"
    assert events(session, board.id) == [("offline", T0 + timedelta(seconds=90), 0)]
    beat(client, headers, clock.advance(3600))
    assert client.get(status_url, headers=users["viewer_a"].headers).json()["status"] == "online"
    assert events(session, board.id)[-1] == ("back_online", clock.now, 0)


def test_a_flapping_link_is_coalesced(app, client, session, make_board, clock):
    board = make_board()
    headers = device_headers(session, board)
    beat(client, headers, T0)
    for _ in range(5):  # down for two minutes, up for one heartbeat, five times over
        clock.advance(120)
        app.state.health.sweep_once()
        beat(client, headers, clock.now)
    assert [kind for kind, _at, _f in events(session, board.id)] == ["offline"]
    while clock.now < T0 + timedelta(seconds=720):  # steady again until the hold-down has passed
        beat(client, headers, clock.advance(30))
    app.state.health.sweep_once()
    assert events(session, board.id)[1:] == [("back_online", T0 + timedelta(seconds=600), 8)]


def test_steady_heartbeats_keep_one_open_span_and_a_gap_closes_it(client, session, make_board, clock):
    board = make_board()
    headers = device_headers(session, board)
    for _ in range(100):
        beat(client, headers, clock.now)
        clock.advance(30)
    count = select(func.count()).select_from(BoardSeen)
    assert session.exec(count).one() == 0
    clock.advance(600)
    beat(client, headers, clock.now)
    assert session.exec(count).one() == 1


def test_daily_uptime_from_what_the_server_saw(client, session, make_board, users, clock):
    board = make_board()
    board.created_at = T0 - timedelta(days=2)
    session.add(board)
    session.commit()
    headers = device_headers(session, board)
    day_start = datetime(2026, 3, 10, tzinfo=LOCAL_ZONE).astimezone(UTC)
    clock.now = day_start
    while clock.now < day_start + timedelta(hours=12):  # seen the first half of the local day
        beat(client, headers, clock.now)
        clock.advance(30)
    clock.now = day_start + timedelta(days=1, hours=1)
    url = f"/api/v1/boards/{board.id}/uptime?from=2026-03-09&to=2026-03-10"
    days = client.get(url, headers=users["viewer_a"].headers).json()
    assert [d["day"] for d in days] == ["2026-03-09", "2026-03-10"]
    assert days[0]["percent"] == 0.0
    assert days[1]["percent"] == pytest.approx(100 * (12 * 3600 + 15) / 86_400, abs=1e-3)


def test_status_and_events_are_scoped(client, session, make_board, users, tree, clock):
    board_b = make_board(unit_id=tree.commune_b)
    beat(client, device_headers(session, board_b), T0)
    for path in ("status", "events", "uptime"):
        url = f"/api/v1/boards/{board_b.id}/{path}"
        assert client.get(url, headers=users["viewer_a"].headers).status_code == 404
        assert client.get(url, headers=users["admin"].headers).status_code == 200


def test_webhook_receives_transitions_and_never_blocks_ingestion(app, client, session, make_board, clock):
    received: list[dict] = []
    refusals = [503, 503]  # the receiver is down for the first two attempts: retried

    def endpoint(request: httpx.Request) -> httpx.Response:
        if refusals:
            return httpx.Response(refusals.pop())
        received.append(json.loads(request.content))
        return httpx.Response(204)

    notifier = WebhookNotifier("http://hooks.test/signage", transport=httpx.MockTransport(endpoint),
                               backoff_s=0)
    client.portal.call(notifier.start)
    app.state.health.notifier = notifier
    board = make_board()
    headers = device_headers(session, board)
    beat(client, headers, T0)
    clock.advance(100)
    client.portal.call(app.state.health.sweep_and_notify)
    clock.advance(1000)
    assert beat(client, headers, clock.now).status_code == 200
    client.portal.call(notifier.drain)
    client.portal.call(notifier.stop)
    assert [(p["type"], p["board_id"]) for p in received] == [
        ("board.offline", board.id), ("board.back_online", board.id)]
    assert received[0]["at"] == (T0 + timedelta(seconds=90)).isoformat()
    assert received[0]["board_name"] == board.name and not refusals
