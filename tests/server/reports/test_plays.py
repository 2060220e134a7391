"""Proof of play: idempotent batches (also under concurrent retries), validation, and the unit
valid at playback time after a reorganisation."""

import random
import threading
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, func, select

from signage_contract import Category, PlayReason, Priority
from signage_contract import device as wire
from signage_server.devices.auth import issue_credential
from signage_server.models import BoardUnitHistory, ClockStatus, PlayLog
from signage_server.reports.plays import ClockRules, ingest_batch, place
from signage_server.units.service import reorganise

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def record(start: datetime, seconds: float = 10, **fields) -> dict:
    values = {"id": uuid.uuid4().hex, "region_id": "main", "item_id": "bulletin:1", "reason": "scheduled",
              "started_at": start.isoformat(), "ended_at": (start + timedelta(seconds=seconds)).isoformat()}
    return values | fields


@pytest.fixture
def device(session, make_board):
    board = make_board()
    _credential, token = issue_credential(session, board.id, "mini-pc")
    return board, {"Authorization": f"Bearer {token}"}


def post(client, headers, records: list[dict]) -> wire.PlayBatchReply:
    response = client.post(wire.DEVICE_PLAYS, json={"records": records}, headers=headers)
    assert response.status_code == 200, response.text
    return wire.PlayBatchReply.model_validate(response.json())


def rows(session) -> int:
    return session.exec(select(func.count()).select_from(PlayLog)).one()


def test_a_batch_sent_twice_is_stored_once(client, session, device):
    _board, headers = device
    batch = [record(T0 + timedelta(seconds=10 * i)) for i in range(50)]
    assert post(client, headers, batch) == wire.PlayBatchReply(accepted=50, duplicates=0)
    assert post(client, headers, batch) == wire.PlayBatchReply(accepted=0, duplicates=50)
    assert rows(session) == 50


def test_a_retry_overlapping_new_records_stores_only_the_new(client, session, device):
    _board, headers = device
    first = [record(T0 + timedelta(seconds=10 * i)) for i in range(20)]
    post(client, headers, first)
    fresh = [record(T0 + timedelta(seconds=1000 + i)) for i in range(5)]
    reply = post(client, headers, first[10:] + fresh + fresh[:1])
    assert reply == wire.PlayBatchReply(accepted=5, duplicates=11)
    assert rows(session) == 25


def test_the_same_record_id_on_two_boards_is_two_records(client, session, device, make_board):
    _board, headers = device
    other = make_board()
    _c, token = issue_credential(session, other.id, "other-pc")
    shared = record(T0)
    post(client, headers, [shared])
    assert post(client, {"Authorization": f"Bearer {token}"}, [shared]).accepted == 1
    assert rows(session) == 2


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("ends before it starts", record(T0, seconds=-5)),
        ("outside the calendar in UTC",
         record(datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-9))))),
    ],
)
def test_invalid_records_are_refused_for_good_and_the_rest_stored(client, session, device, name, bad):
    _board, headers = device
    good = record(T0)
    reply = post(client, headers, [good, bad])
    assert (reply.accepted, reply.duplicates, reply.rejected) == (1, 0, [bad["id"]]), name
    assert rows(session) == 1


# --- a wrong board clock (issue 11, finding 12) ---------------------------------------------------

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
RULES = ClockRules(future_tolerance=HOUR, correct_from=timedelta(seconds=60))


@pytest.mark.parametrize(
    ("case", "stamped", "offset", "expected"),
    [
        ("right clock: as stamped", NOW - HOUR, timedelta(seconds=0.2), (NOW - HOUR, ClockStatus.DEVICE, 0)),
        ("fast clock: moved back", NOW + HOUR, -2 * HOUR, (NOW - HOUR, ClockStatus.CORRECTED, -7200)),
        ("slow clock: moved forward", NOW - 4 * HOUR, 3 * HOUR, (NOW - HOUR, ClockStatus.CORRECTED, 10800)),
        ("fast clock, offset unknown: kept, unverified", NOW + 3 * HOUR, None,
         (NOW + 3 * HOUR, ClockStatus.UNVERIFIED, 0)),
        ("slow clock, offset unknown: as stamped", NOW - 3 * HOUR, None,
         (NOW - 3 * HOUR, ClockStatus.DEVICE, 0)),
        ("still ahead after the correction: unverified", NOW + 5 * HOUR, -2 * HOUR,
         (NOW + 3 * HOUR, ClockStatus.UNVERIFIED, -7200)),
        ("off the calendar once moved: kept as stamped", datetime(9999, 12, 31, 22, tzinfo=UTC), 3 * HOUR,
         (datetime(9999, 12, 31, 22, tzinfo=UTC), ClockStatus.UNVERIFIED, 0)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_records_are_placed_by_the_measured_clock_offset(case, stamped, offset, expected) -> None:
    parsed = wire.PlayRecord.model_validate(record(stamped, seconds=60))
    placed = place(parsed, NOW, offset, RULES)
    assert (placed.started_at, placed.status, placed.correction.total_seconds()) == expected, case
    assert placed.ended_at - placed.started_at == timedelta(seconds=60)


def heartbeat(client, headers, board_ahead: timedelta) -> None:
    body = {"sent_at": (datetime.now(UTC) + board_ahead).isoformat()}
    assert client.post(wire.DEVICE_HEARTBEAT, json=body, headers=headers).status_code == 200


def stored(session, record_id: str) -> PlayLog:
    session.expire_all()
    return session.exec(select(PlayLog).where(PlayLog.record_id == record_id)).one()


def test_a_fast_board_clock_keeps_its_proof_of_play_corrected(client, session, device):
    """Records stamped two hours ahead of the server were refused for ever; now the offset the
    heartbeat measured brings them back to the server's time, and they are marked."""
    _board, headers = device
    heartbeat(client, headers, board_ahead=2 * HOUR)
    real = datetime.now(UTC) - timedelta(minutes=10)
    fast = record(real + 2 * HOUR, seconds=60)
    reply = post(client, headers, [fast])
    assert (reply.accepted, reply.rejected, reply.corrected, reply.unverified) == (1, [], 1, 0)
    row = stored(session, fast["id"])
    assert row.clock_status == ClockStatus.CORRECTED
    assert row.clock_correction_s == pytest.approx(-7200, abs=5)
    assert abs(row.started_at - real) < timedelta(seconds=5)
    assert row.duration_s == 60


def test_a_slow_board_clock_has_its_records_moved_forward(client, session, device):
    _board, headers = device
    heartbeat(client, headers, board_ahead=-3 * HOUR)
    real = datetime.now(UTC) - timedelta(minutes=10)
    slow = record(real - 3 * HOUR, seconds=60)
    assert post(client, headers, [slow]).corrected == 1
    row = stored(session, slow["id"])
    assert (row.clock_status, row.clock_correction_s) == (ClockStatus.CORRECTED, pytest.approx(10800, abs=5))
    assert abs(row.started_at - real) < timedelta(seconds=5)


def test_without_a_heartbeat_a_record_ahead_is_kept_and_marked_unverified(client, session, device):
    _board, headers = device
    ahead = record(datetime.now(UTC) + timedelta(days=2))
    reply = post(client, headers, [ahead])
    assert (reply.accepted, reply.rejected, reply.unverified) == (1, [], 1)
    row = stored(session, ahead["id"])
    assert (row.clock_status, row.clock_correction_s) == (ClockStatus.UNVERIFIED, 0.0)
    assert post(client, headers, [ahead]) == wire.PlayBatchReply(accepted=0, duplicates=1, unverified=1)


def test_a_board_with_a_right_clock_stores_its_times_as_stamped(client, session, device):
    _board, headers = device
    heartbeat(client, headers, board_ahead=timedelta(0))
    plain = record(T0)
    assert post(client, headers, [plain]) == wire.PlayBatchReply(accepted=1, duplicates=0)
    row = stored(session, plain["id"])
    assert (row.clock_status, row.clock_correction_s, row.started_at) == (ClockStatus.DEVICE, 0.0, T0)


def test_records_need_a_device_credential(client):
    response = client.post(wire.DEVICE_PLAYS, json={"records": [record(T0)]})
    assert response.status_code == 401


def test_concurrent_retries_of_one_batch_store_it_once(app, session, device):
    board, _headers = device
    records = [record(T0 + timedelta(seconds=i)) for i in range(300)]
    batch = wire.PlayBatch.model_validate({"records": records})
    replies: list[wire.PlayBatchReply] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def send() -> None:
        try:
            with Session(app.state.engine) as own:
                start.wait()
                replies.append(ingest_batch(own, board, batch, datetime.now(UTC), ClockRules()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r.accepted for r in replies) == [0, 0, 0, 300]
    assert all(r.accepted + r.duplicates == 300 for r in replies)
    assert rows(session) == 300


def test_three_days_offline_arrive_exactly_once(client, session, device):
    """A player offline for three days uploads its queue in batches; replies get lost on the way,
    so some batches are re-sent whole and overlapping: every record is stored exactly once."""
    _board, headers = device
    rng = random.Random(3)
    start = T0 - timedelta(days=3)
    queue = [record(start + timedelta(seconds=60 * i), 60, region_id=region)
             for i in range(3 * 1440) for region in ("main", "ticker")]
    sent = 0
    while sent < len(queue):
        batch = queue[sent:sent + wire.PLAY_BATCH_MAX]
        post(client, headers, batch)
        if rng.random() < 0.4:  # the reply was lost: the player sends the same batch again
            assert post(client, headers, batch).accepted == 0
        sent += rng.randrange(wire.PLAY_BATCH_MAX // 2, wire.PLAY_BATCH_MAX + 1)  # acknowledged part only
    assert rows(session) == len(queue) == 8640
    ids = session.exec(select(func.count(func.distinct(PlayLog.record_id)))).one()
    assert ids == len(queue)


def test_records_keep_the_unit_valid_when_they_were_played(client, session, device, tree):
    board, headers = device
    history = session.exec(select(BoardUnitHistory).where(BoardUnitHistory.board_id == board.id)).one()
    history.valid_from = datetime(2026, 1, 1, tzinfo=UTC)
    session.add(history)
    session.commit()
    merged = reorganise(session, [tree.commune_a, tree.commune_b], date(2026, 3, 1),
                        new_code="91100", new_name="Xã Hợp Nhất")
    new_unit = merged.new_unit_ids[0]
    before = record(datetime(2026, 2, 28, 16, 59, tzinfo=UTC), category=Category.POLICY_LAW.value)
    after = record(datetime(2026, 2, 28, 17, 0, tzinfo=UTC), priority=Priority.PRIORITY.value,
                   reason=PlayReason.PRIORITY.value)  # 00:00 on 1 March in Vietnam
    post(client, headers, [before, after])
    stored = {r.record_id: r for r in session.exec(select(PlayLog)).all()}
    assert stored[before["id"]].unit_id == tree.commune_a
    assert stored[after["id"]].unit_id == new_unit
    assert (stored[before["id"]].category, stored[after["id"]].priority) == ("policy_law", "priority")
