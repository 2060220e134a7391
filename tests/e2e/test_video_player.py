"""A clip end to end: uploaded and probed by the server, approved, scheduled, played by a real
headless player (its frames checked: the clip's colours in turn, never black) and in the proof of
play; a clip a board cannot play is refused at upload with its reason; a clip asking for sound is
heard from the board's loudspeaker once the board's sound is on, and not before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pygame
import pytest
from sqlmodel import Session, select

from signage_server.models import PlayLog
from tests.support.live_site import Site, colours, read_frame, wait_until
from tests.support.net import free_port
from tests.support.speech import loudest_raw_sample
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
    # 5 s: frames are saved at most every 2 s, so over the loops of an odd length every second is seen
    clip = make_clip(tmp_path / "tin.mp4", width=320, height=180, fps=10, seconds=5)
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

    frame, wanted, seen = state / "frame.png", {s: _shows(colour_at(s)) for s in range(5)}, set()

    def every_second_shown() -> bool:  # the clip's colours, each drawn over the whole board, never black
        shown = read_frame(frame)
        showing = {s for s, check in wanted.items() if check(shown)} if shown is not None else set()
        if shown is not None and showing:
            assert (0, 0, 0) not in colours(shown)
        seen.update(showing)
        return seen == set(wanted)

    wait_until(every_second_shown, "a frame of each second of the clip", [player], log=site.log)
    played_id = f"p{playlist}-i{items[0]}"

    def played() -> list[PlayLog]:
        with Session(site.engine) as session:
            return list(session.exec(select(PlayLog).where(PlayLog.board_id == board,
                                                           PlayLog.item_id == played_id)).all())

    records = wait_until(played, "the clip's play record at the server", [player], log=site.log)
    assert isinstance(records, list) and all(r.duration_s > 0 for r in records)


def test_a_clip_with_sound_is_heard_only_from_a_board_whose_sound_is_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clip's item asks for sound; the board's loudspeaker (SDL's disk audio driver: a file) stays
    silent while the board's sound is off, and carries the clip's 440 Hz tone once it is turned on."""
    loudspeaker = tmp_path / "loudspeaker.raw"
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(loudspeaker))
    pygame.init()
    site = Site.create(tmp_path)
    try:
        clip = make_clip(tmp_path / "nhac.mp4", width=320, height=180, fps=10, seconds=3, tone_hz=440)
        port, state = free_port(), tmp_path / "player"
        site.start_server(port)
        api = site.api(port)
        board = api.board(site.commune_id, "Bảng tin UBND xã Tịnh Khê")
        player = site.start_player(port, state)
        code = wait_until(lambda: site.pending_code(state), "the player's pairing code", [player],
                          log=site.log)
        api.claim(board, str(code))
        media = api.call("POST", "/media", 201, data={"title": "Phim có tiếng"},
                         files={"file": ("nhac.mp4", clip.read_bytes(), "video/mp4")})
        api.publish("media", media["id"])
        playlist, _ = api.playlist("Phim", [{"kind": "video", "media_id": media["id"],
                                             "options": {"muted": False}}])
        api.schedule("Cả ngày", playlist, board)
        def on_screen() -> bool:
            shown = read_frame(state / "frame.png")
            return shown is not None and any(_shows(colour_at(s))(shown) for s in range(3))

        wait_until(on_screen, "the clip on the board", [player], log=site.log)
        assert not loudspeaker.is_file() or loudest_raw_sample(loudspeaker.read_bytes()) == 0

        api.call("PUT", f"/boards/{board}/audio", json={"enabled": True, "volume": 90})

        def heard() -> int | None:
            loudest = loudest_raw_sample(loudspeaker.read_bytes()) if loudspeaker.is_file() else 0
            return loudest if loudest > 8000 else None  # the tone at half amplitude, volume 90

        wait_until(heard, "the clip's sound on the board's loudspeaker", [player], log=site.log)
    finally:
        site.close()
