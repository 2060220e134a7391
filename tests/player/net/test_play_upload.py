"""Proof-of-play upload from the player's queue to the real server routes (in process): a board
whose clock is wrong keeps its proof of play (issue 11, finding 12), and no record is sent for ever."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from player.core.playlog import PlayEnded, PlayLog, PlayStarted
from player.net.play_upload import PlayUploader
from signage_contract import PlayReason
from signage_contract.device import DEVICE_HEARTBEAT, PlayRecord
from signage_server.devices.auth import issue_credential
from signage_server.models import ClockStatus
from signage_server.models import PlayLog as StoredPlay
from tests.support.fake_health_server import FakeHealthServer

HOUR = timedelta(hours=1)


@pytest.fixture
def board_headers(session, make_board) -> dict[str, str]:
    _credential, token = issue_credential(session, make_board().id, "mini-pc")
    return {"Authorization": f"Bearer {token}"}


def _queue(tmp_path, clock_ahead: timedelta, count: int = 3) -> tuple[PlayLog, list]:
    """A play log filled by a board whose clock is ``clock_ahead`` of the real time, and the real
    start of each record."""
    log = PlayLog(tmp_path / "plays.sqlite3", clock=lambda: datetime.now(UTC) + clock_ahead)
    real_starts = []
    for n in range(count):
        real = datetime.now(UTC) - timedelta(minutes=30) + n * timedelta(minutes=5)
        real_starts.append((_play(log, real + clock_ahead), real))
    log.flush()
    return log, real_starts


def _play(log: PlayLog, stamped: datetime, item_id: str = "p1-i1") -> str:
    record = PlayRecord(id=uuid.uuid4().hex, region_id="main", item_id=item_id,
                        reason=PlayReason.SCHEDULED, started_at=stamped, ended_at=stamped)
    log.submit(PlayStarted(record))
    log.submit(PlayEnded(record.id, stamped + timedelta(minutes=1)))
    return record.id


def _stored(session) -> dict[str, StoredPlay]:
    session.expire_all()
    return {row.record_id: row for row in session.exec(select(StoredPlay)).all()}


@pytest.mark.parametrize("clock_ahead", [2 * HOUR, -3 * HOUR], ids=["fast clock", "slow clock"])
def test_a_wrong_board_clock_loses_no_proof_of_play(client, session, board_headers, tmp_path, clock_ahead):
    sent_at = datetime.now(UTC) + clock_ahead  # the heartbeat measures the board's clock
    assert client.post(DEVICE_HEARTBEAT, json={"sent_at": sent_at.isoformat()},
                       headers=board_headers).status_code == 200
    log, real_starts = _queue(tmp_path, clock_ahead)
    assert PlayUploader(log, client).upload_all(board_headers) == 3
    assert log.count() == 0
    stored = _stored(session)
    for record_id, real in real_starts:
        row = stored[record_id]
        assert row.clock_status == ClockStatus.CORRECTED
        assert row.clock_correction_s == pytest.approx(-clock_ahead.total_seconds(), abs=5)
        assert abs(row.started_at - real) < timedelta(seconds=5)
    log.close()


def test_a_fast_clock_before_any_heartbeat_is_kept_unverified_and_not_resent(client, session, board_headers,
                                                                            tmp_path):
    log, real_starts = _queue(tmp_path, 2 * HOUR)
    assert PlayUploader(log, client).upload_all(board_headers) == 3
    assert log.count() == 0  # acknowledged: never sent again
    assert PlayUploader(log, client).upload_all(board_headers) == 0
    stored = _stored(session)
    assert {stored[record_id].clock_status for record_id, _ in real_starts} == {ClockStatus.UNVERIFIED}
    log.close()


def test_a_record_refused_as_too_large_is_dropped_alone(tmp_path) -> None:
    """A 413 for one record (a body limit) is found by halving, like a 422, and dropped: the queue
    does not stall on it for ever."""
    server = FakeHealthServer()
    log, _ = _queue(tmp_path, timedelta(0), count=5)
    _play(log, datetime.now(UTC) - HOUR, item_id="x" * 5000)
    log.flush()

    def handler(request: httpx.Request) -> httpx.Response:
        if len(request.content) > 4000:
            return httpx.Response(413, json={"detail": "body too large"})
        return server.handle(request)

    client = httpx.Client(base_url="http://s", transport=httpx.MockTransport(handler))
    assert PlayUploader(log, client).upload_all({"Authorization": "Bearer tok"}) == 5
    assert (len(server.records), log.count()) == (5, 0)
    log.close()
