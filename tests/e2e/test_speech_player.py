"""Spoken announcements end to end: an editor marks a bulletin to be read aloud, an approver puts it
on air, an operator turns the board's loudspeaker on, and a real headless player speaks it: what the
mixer plays is written by SDL's disk audio driver to a file that must hold sound (not silence), and
the play record on the audio region reaches the server as proof of play."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pygame
import pytest
from sqlmodel import Session, select

from signage_server.models import PlayLog
from tests.support.live_site import Site, wait_until
from tests.support.net import free_port
from tests.support.speech import loudest_raw_sample, needs_espeak

pytestmark = [pytest.mark.slow, needs_espeak]
TITLE = "Thông báo lịch tiêm chủng"
BODY = "Sáng thứ Bảy, bà con đưa trẻ đến trạm y tế xã."


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("SIGNAGE_HEARTBEAT_INTERVAL_S", "5")  # plays are uploaded with each heartbeat
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")  # the player's loudspeaker is a file
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "loudspeaker.raw"))
    pygame.init()
    created = Site.create(tmp_path)
    try:
        yield created
    finally:
        created.close()


def test_a_bulletin_marked_to_be_spoken_is_heard_from_the_board(site: Site, tmp_path: Path) -> None:
    port, state, loudspeaker = free_port(), tmp_path / "player", tmp_path / "loudspeaker.raw"
    site.start_server(port)
    api = site.api(port)
    board = api.board(site.commune_id, "Bảng tin UBND xã Tịnh Khê")
    api.call("PUT", f"/boards/{board}/audio", json={"enabled": True, "volume": 90})
    player = site.start_player(port, state)
    code = wait_until(lambda: site.pending_code(state), "the player's pairing code", [player], log=site.log)
    api.claim(board, str(code))

    made = api.call("POST", "/bulletins", 201, json={"title": TITLE, "body": BODY, "speak": True})
    api.publish("bulletins", int(made["id"]))
    playlist_id, [item_id] = api.playlist("Loa xã", [{"kind": "bulletin", "bulletin_id": made["id"],
                                                       "duration_s": 8}])
    api.schedule("Cả ngày", playlist_id, board)
    wire_item = f"p{playlist_id}-i{item_id}"

    def heard() -> int | None:
        loudest = loudest_raw_sample(loudspeaker.read_bytes()) if loudspeaker.is_file() else 0
        return loudest if loudest > 1000 else None

    wait_until(heard, "the bulletin's speech on the board's loudspeaker", [player], log=site.log)

    def proof() -> list[PlayLog]:
        with Session(site.engine) as session:
            return list(session.exec(select(PlayLog).where(PlayLog.board_id == board,
                                                           PlayLog.region_id == "audio",
                                                           PlayLog.item_id == wire_item)).all())

    records = wait_until(proof, "the speech's play record at the server", [player], log=site.log)
    assert isinstance(records, list) and records[0].bulletin_id == made["id"]
