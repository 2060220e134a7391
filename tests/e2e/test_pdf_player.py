"""A PDF document from upload to a real headless player: uploaded through the API, approved, its
pages shown in turn on the board (read from the player's frames, each page a colour of its own) and
its plays back at the server as proof of play of the one PDF item."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pygame
import pytest
from sqlmodel import Session, col, select

from signage_server.models import PlayLog
from tests.support.live_site import Site, wait_for_frame, wait_until
from tests.support.net import free_port
from tests.support.pdfs import PAGE_COLOURS, colour_pdf

pytestmark = pytest.mark.slow
PAGE_S = 3.0
TOLERANCE = 24  # the pages travel as JPEG


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("SIGNAGE_HEARTBEAT_INTERVAL_S", "5")  # plays are uploaded with each heartbeat
    pygame.init()
    created = Site.create(tmp_path)
    try:
        yield created
    finally:
        created.close()


def _page_shown(colour: tuple[int, int, int]):
    """Most of the board in the page's colour (the page is contained: white bands beside it)."""

    def check(frame: pygame.Surface) -> bool:
        data = pygame.image.tobytes(frame, "RGB")
        near = sum(1 for i in range(0, len(data), 3)
                   if all(abs(data[i + k] - colour[k]) <= TOLERANCE for k in range(3)))
        return near > 0.5 * frame.get_width() * frame.get_height()

    return check


def test_a_pdf_plays_its_pages_in_turn_and_comes_back_as_proof_of_play(site: Site, tmp_path: Path) -> None:
    port, state = free_port(), tmp_path / "player"
    frame = state / "frame.png"
    site.start_server(port)
    api = site.api(port)
    board = api.board(site.commune_id, "Bảng tin UBND xã Tịnh Khê")
    player = site.start_player(port, state)
    code = wait_until(lambda: site.pending_code(state), "the player's pairing code", [player], log=site.log)
    api.claim(board, str(code))

    files = {"file": ("Lịch tiếp công dân.pdf", colour_pdf(PAGE_COLOURS[:3]), "application/pdf")}
    document = int(api.call("POST", "/media", 201, files=files, data={"title": "Lịch tiếp công dân"})["id"])
    api.publish("media", document)
    pages = api.call("GET", f"/media/{document}/pages")
    assert len(pages) == 3  # type: ignore[arg-type]
    item = {"kind": "pdf", "media_id": document, "options": {"page_s": PAGE_S}}
    playlist, [row] = api.playlist("Tài liệu", [item])
    api.schedule("Cả ngày", playlist, board)

    for number, colour in enumerate(PAGE_COLOURS[:3], start=1):
        wait_for_frame(frame, _page_shown(colour), f"page {number}", [player], site.log)
    wait_for_frame(frame, _page_shown(PAGE_COLOURS[0]), "page 1 again", [player], site.log)

    item_id = f"p{playlist}-i{row}"

    def whole_passes() -> list[PlayLog]:
        """Plays of the item through all its pages (the first may be cut: the loop is anchored at the
        schedule's start, not at the player's first frame)."""
        with Session(site.engine) as session:
            query = select(PlayLog).where(PlayLog.board_id == board, col(PlayLog.item_id) == item_id)
            rows = session.exec(query)
            return [r for r in rows if abs(r.duration_s - 3 * PAGE_S) < 1.0]

    records = wait_until(whole_passes, "a whole pass of the PDF in the server's proof of play", [player],
                         log=site.log)
    assert isinstance(records, list) and records[0].schedule_id is not None
