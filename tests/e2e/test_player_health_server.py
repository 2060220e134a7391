"""The player's health side against the real server (TestClient is an httpx.Client): heartbeats,
proof-of-play batches and screenshots land where the server keeps them, retries store nothing twice."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import func, select

from player.core.playlog import PlayLog
from player.core.playtrack import PlayTracker
from player.core.shared import Shared
from player.core.state import StateDir
from player.core.timeline import resolve
from player.net.health import HealthService
from signage_contract.device import DeviceCredential
from signage_server.devices.auth import issue_credential
from signage_server.models import BoardStatus, Screenshot
from signage_server.models import PlayLog as PlayRow
from tests.support.player_factories import entry, manifest


@pytest.fixture
def player(client, session, make_board, tmp_path):
    board = make_board()
    _credential, token = issue_credential(session, board.id, "mini-pc")
    state = StateDir(tmp_path / "player")
    credential = DeviceCredential(board_id=str(board.id), token=token, server_public_key="", key_id="k")
    state.save_credential(credential)
    playlog = PlayLog(tmp_path / "plays.sqlite3")
    service = HealthService(state, Shared(), client, PlayTracker(playlog.submit), playlog)
    yield board, service
    playlog.close()


def _play_an_hour(service: HealthService, start: datetime) -> None:
    items = [{"kind": "text", "id": i, "title": "Thông báo", "duration_s": 20} for i in ("a", "b")]
    timeline = [entry(start, start + timedelta(hours=2), {"main": ["a", "b"]}, schedule_id="s1")]
    value = manifest(items, timeline)
    now = start
    while now < start + timedelta(hours=1):
        frame = resolve(value, now)
        service.tracker.observe(frame, now)
        now = frame.next_change_at
    service.tracker.close(now)
    service.playlog.flush()


def test_heartbeat_reaches_the_server_and_the_clock_offset_is_measured(player, session) -> None:
    board, service = player
    now = datetime.now(UTC)
    item = {"kind": "text", "id": "now", "title": "Thông báo"}
    value = manifest([item], [entry(now - timedelta(minutes=5), now + timedelta(hours=1), {"main": ["now"]})])
    service.tracker.observe(resolve(value, now), now)
    service.tick()
    status = session.get(BoardStatus, board.id)
    session.refresh(status)
    assert status.regions == {"main": "now"}
    assert service.clock_offset_s is not None and abs(service.clock_offset_s) < 5


def test_records_arrive_once_even_when_a_batch_is_sent_again(player, session) -> None:
    board, service = player
    _play_an_hour(service, datetime.now(UTC) - timedelta(hours=3))
    records = service.playlog.pending()
    assert len(records) == 180
    service.tick()
    again = service.uploader._send(records[:50], service._headers())  # a reply lost: the retry
    count = session.exec(select(func.count()).select_from(PlayRow).where(PlayRow.board_id == board.id)).one()
    assert (count, again, service.playlog.count()) == (180, 50, 0)


def test_a_screenshot_upload_is_kept_with_its_time(player, session) -> None:
    board, service = player
    out = io.BytesIO()
    Image.new("RGB", (640, 360), (10, 160, 60)).save(out, "JPEG", quality=80)
    taken = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=3)
    service.upload_screenshot(out.getvalue(), None, taken)
    shot = session.exec(select(Screenshot).where(Screenshot.board_id == board.id)).one()
    assert (shot.width, shot.taken_at.replace(tzinfo=UTC)) == (640, taken)
