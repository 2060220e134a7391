"""Board traffic and people's requests draw worker threads from separate limiters: with every
board thread taken (a backlog of polls and heartbeats), an operator's request is still answered."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient

from signage_contract import device as wire
from signage_server.devices.auth import issue_credential
from signage_server.settings import Settings
from tests.support.factories import ApiUser, BoardFactory
from tests.support.live_site import wait_until


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seed_units=False, device_threads=1)


def test_an_operator_is_answered_while_board_threads_are_all_taken(
    client: TestClient, session, users: dict[str, ApiUser], make_board: BoardFactory
) -> None:
    board = make_board()
    _credential, token = issue_credential(session, board.id, "pc-1")
    limiter: anyio.CapacityLimiter = client.app.state.device_threads  # type: ignore[attr-defined]
    holder = object()
    assert client.portal is not None
    client.portal.call(limiter.acquire_on_behalf_of, holder)  # every board thread is busy
    with ThreadPoolExecutor(1) as pool:
        poll = pool.submit(client.get, wire.DEVICE_MANIFEST, headers={"Authorization": f"Bearer {token}"})
        wait_until(lambda: limiter.statistics().tasks_waiting == 1, "the poll to wait for a board thread")

        listed = client.get("/api/v1/overrides", headers=users["operator_a"].headers)
        assert listed.status_code == 200  # people's requests use the other limiter
        assert not poll.done()

        client.portal.call(limiter.release_on_behalf_of, holder)
        assert poll.result(timeout=30).status_code == 200
