"""A clip end to end: uploaded and probed by the server, approved, scheduled, played by a real
headless player (its frames checked: the clip's colours in turn, never black) and in the proof of
play; a clip a board cannot play is refused at upload with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pygame
import pytest
from sqlmodel import Session, select

from signage_server.models import PlayLog
from tests.support.live_site import Site, colours, wait_for_frame, wait_until
from tests.support.net import free_port
from tests.support.video_clips import colour_at, make_clip

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("SIGNAGE_HEARTBEAT_INTERVAL_S", "5")  # plays are uploaded with each heartbeat
    pygame.init()
    created = Site.create(tmp_path)
    try:
        yield created
    finally:
        created.close()


def _shows(colour: tuple[int, int, int]):  # type: ignore[no-untyped-def]
    def check(frame: pygame.Surface) -> bool:
        counted = colours(frame)
        near = sum(n for c, n in counted.items()
                   if all(abs(a - b) <= 16 for a, b in zip(c, colour, strict=True)))
        return near > frame.get_width() * frame.get_height() // 2
    return check


def test_an_uploaded_clip_plays_on_a_headless_board_and_is_in_its_proof_of_play(site: Site,
                                                                                tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "tin.mp4", width=320, height=180, fps=10, seconds=4)
    port, state = free_port(), tmp_path / "player"
    site.start_server(port)
    api = site.api(port)
    board = api.board(site.commune_id, "Bảng tin UBND xã Tịnh Khê")
    player = site.start_player(port, state)
    code = wait_until(lambda: site.pending_code(state), "the player's pairing code", [player], log=site.log)
    api.claim(board, str(code))

    refused = api.client.post("/media", files={"file": ("tin.mp4", clip.read_bytes()[:500], "video/mp4")})
    assert refused.status_code == 400 and "damaged" in refused.json()["detail"]
    media = api.call("POST", "/media", 201, files={"file": ("tin.mp4", clip.read_bytes(), "video/mp4")},
                     data={"title": "Bản tin"})
    assert media["content_type"] == "video/mp4"
    api.publish("media", media["id"])
    playlist, items = api.playlist("Phim", [{"kind": "video", "media_id": media["id"]}])
    api.schedule("Cả ngày", playlist, board)

    frame = state / "frame.png"
    for second in (0, 1, 2):  # the clip's colours in turn, drawn over the whole board
        shown = wait_for_frame(frame, _shows(colour_at(second)), f"second {second} of the clip", [player],
                               site.log)
        assert (0, 0, 0) not in colours(shown)
    played_id = f"p{playlist}-i{items[0]}"

    def played() -> list[PlayLog]:
        with Session(site.engine) as session:
            return list(session.exec(select(PlayLog).where(PlayLog.board_id == board,
                                                           PlayLog.item_id == played_id)).all())

    records = wait_until(played, "the clip's play record at the server", [player], log=site.log)
    assert isinstance(records, list) and all(r.duration_s > 0 for r in records)
