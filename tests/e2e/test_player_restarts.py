"""A real player killed (SIGKILL) and restarted again and again against a real server while the
images it shows keep changing, between restarts and right after them (so content changes between
the player's manifest fetch and its media fetch). Counted per restart: a first frame that is black,
any frame that is the fallback slide, and the files in the media cache. Then every older manifest
the server signed for the board is replayed to the player: none may be accepted.

``SIGNAGE_E2E_RESTARTS`` sets the number of restarts (default 4 in the suite; the figures in the
closing note of issue 11 come from 40):

    SIGNAGE_E2E_RESTARTS=40 SDL_VIDEODRIVER=dummy .venv/bin/python -m pytest \\
        tests/e2e/test_player_restarts.py -s -p no:cacheprovider
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pygame
import pytest
from sqlmodel import Session, select

from player.core.shared import Shared
from player.core.state import StateDir
from player.net.sync import Coordinator
from player.screen.last_frame import KEEP_INTERVAL_S
from signage_contract import Manifest, SignedManifest
from signage_contract.device import DEVICE_MANIFEST
from signage_server.models import ComposedManifest
from tests.support.live_site import Api, Site, colours, corner, read_frame, wait_for_frame, wait_until
from tests.support.net import free_port

pytestmark = pytest.mark.slow
RESTARTS = int(os.environ.get("SIGNAGE_E2E_RESTARTS", "4"))
FALLBACK = (0, 51, 102)  # render.draw_fallback's blue: no image of this test comes near it
LIFE_S = (1.0, 6.0)  # how long each run lives before its SIGKILL (after its start, ~2 s)
FALLBACK_LOGGED = b"the fallback slide is shown"
LAST_FRAME_WAIT_S = KEEP_INTERVAL_S + 60


@dataclass
class Tally:
    black_first_frames: int = 0
    runs_with_fallback: int = 0
    cache_files: list[int] = field(default_factory=list)
    frames_seen: int = 0


def _near(frame: pygame.Surface | None, colour: tuple[int, int, int]) -> bool:
    return frame is not None and all(abs(a - b) <= 16 for a, b in zip(corner(frame), colour, strict=True))


def _is_black(frame: pygame.Surface) -> bool:
    return colours(frame)[(0, 0, 0)] == frame.get_width() * frame.get_height()


def _is_fallback(frame: pygame.Surface) -> bool:
    return _near(frame, FALLBACK)


def _colour(n: int) -> tuple[int, int, int]:
    """Bright, distinct, far from the fallback blue and from black."""
    return 130 + (n * 37) % 120, (n * 71) % 200, (n * 53) % 90


def _image_item(media_id: int) -> dict:
    return {"kind": "image", "media_id": media_id, "duration_s": 3, "options": {"fit": "cover"}}


class Board:
    """The board's image, swapped for a new one on demand without ever leaving it without content:
    a new image in a new playlist under a new schedule is published, then the previous schedule is
    deleted (editing a published playlist would take it off the board until approved again)."""

    def __init__(self, api: Api, board_id: int) -> None:
        self.api, self.board_id, self.count = api, board_id, 0
        self.schedule = self._publish_image()

    def _publish_image(self) -> int:
        media = self.api.image(_colour(self.count), f"Ảnh {self.count}")
        playlist, _rows = self.api.playlist(f"Ảnh {self.count}", [_image_item(media)])
        return self.api.schedule(f"Ảnh {self.count}", playlist, self.board_id, priority=self.count)

    def swap_image(self) -> None:
        self.count += 1
        previous, self.schedule = self.schedule, self._publish_image()
        self.api.call("DELETE", f"/schedules/{previous}", 204)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    pygame.init()
    created = Site.create(tmp_path)
    try:
        yield created
    finally:
        created.close()


def _signed_documents(site: Site, board_id: int, seen: dict[int, SignedManifest]) -> None:
    with Session(site.engine) as session:
        row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board_id)).one()
        seen.setdefault(row.sequence, SignedManifest.model_validate_json(row.document))


def _one_run(site: Site, port: int, state: Path, board: Board, rng: random.Random, tally: Tally) -> None:
    frame = state / "frame.png"
    frame.unlink(missing_ok=True)
    log_from = site.log.stat().st_size
    player = site.start_player(port, state)
    race_at = time.monotonic() + rng.uniform(0.0, 2.0)  # a change racing the player's first fetches
    ends_at = time.monotonic() + rng.uniform(*LIFE_S) + 2.0
    first = wait_until(lambda: read_frame(frame), "the first frame", [player], log=site.log)
    assert isinstance(first, pygame.Surface)
    tally.black_first_frames += _is_black(first)
    fallback, raced, last_seen = _is_fallback(first), False, frame.stat().st_mtime_ns
    while time.monotonic() < ends_at:
        if not raced and time.monotonic() >= race_at:
            board.swap_image()
            raced = True
        stamp = frame.stat().st_mtime_ns if frame.exists() else last_seen
        if stamp != last_seen and (shown := read_frame(frame)) is not None:
            last_seen, tally.frames_seen = stamp, tally.frames_seen + 1
            fallback = fallback or _is_fallback(shown)
        time.sleep(0.05)
    player.kill()  # SIGKILL: no clean shutdown
    player.wait(timeout=30)
    with site.log.open("rb") as log:  # every fallback drawn, even one between two saved frames
        log.seek(log_from)
        fallback = fallback or FALLBACK_LOGGED in log.read()
    tally.runs_with_fallback += fallback
    media = state / "media"
    tally.cache_files.append(sum(1 for p in media.iterdir() if not p.name.endswith(".part")))


def _replayed_accepted(site: Site, port: int, state: Path, documents: list[SignedManifest]) -> int:
    """Serve each older document to the board's own sync code (its real state, the real server
    behind it for everything else); count those it accepts."""
    copy = state.parent / "replay-state"
    shutil.copytree(state, copy)
    stored = StateDir(copy)
    in_force = stored.load_manifest()
    assert in_force is not None
    shared = Shared()
    shared.update(manifest=in_force[1], version=in_force[0].version)
    upstream = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    replayed: list[SignedManifest] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == DEVICE_MANIFEST:
            return httpx.Response(200, content=replayed[-1].model_dump_json())
        answer = upstream.request(request.method, request.url.path, headers=request.headers)
        return httpx.Response(answer.status_code, content=answer.content)

    client = httpx.Client(base_url="http://signage.test", transport=httpx.MockTransport(handler))
    coordinator = Coordinator(server=f"http://127.0.0.1:{port}", state=stored, shared=shared, client=client,
                              start_socket=False)
    accepted = 0
    newest = in_force[1].stamp()
    for document in documents:
        if not Manifest.model_validate_json(document.payload).stamp().older_than(newest):
            continue
        replayed.append(document)
        coordinator.sync_once()
        waiting = coordinator.pending[0].version if coordinator.pending else None
        accepted += document.version in (shared.snapshot().version, waiting)
    upstream.close()
    print(f"replayed {len(replayed)} older signed manifests: {accepted} accepted")
    assert replayed, "no older manifest to replay"
    return accepted


def test_kill_restart_while_images_change_never_blanks_nor_falls_back(site: Site, tmp_path: Path) -> None:
    rng = random.Random(11)
    port, state = free_port(), tmp_path / "player"
    site.start_server(port)
    api = site.api(port)
    board_id = api.board(site.commune_id, "Bảng tin UBND xã Tịnh Khê")
    board = Board(api, board_id)
    player = site.start_player(port, state)
    code = wait_until(lambda: site.pending_code(state), "the pairing code", [player], log=site.log)
    api.claim(board_id, str(code))
    wait_for_frame(state / "frame.png", lambda f: corner(f) == _colour(0), "the first image", [player],
                   site.log)
    # The frame kept before the first restart: the image (kept at most every 30 s, and the board
    # showed its pairing code and, until its first manifest, the fallback slide before it).
    wait_until(lambda: _near(read_frame(state / "last-frame.jpg"), _colour(0)), "the image kept", [player],
               log=site.log, timeout_s=LAST_FRAME_WAIT_S)
    player.kill()
    player.wait(timeout=30)
    tally, documents = Tally(), {}
    _signed_documents(site, board_id, documents)
    started = time.monotonic()
    for _ in range(RESTARTS):
        board.swap_image()  # between restarts: the player is down
        _signed_documents(site, board_id, documents)
        _one_run(site, port, state, board, rng, tally)
        _signed_documents(site, board_id, documents)
    print(f"\n{RESTARTS} kill -9 restarts in {time.monotonic() - started:.0f} s: "
          f"black first frames {tally.black_first_frames}, runs showing the fallback slide "
          f"{tally.runs_with_fallback}, frames sampled {tally.frames_seen}, cache files per run "
          f"min {min(tally.cache_files)} max {max(tally.cache_files)}")
    accepted = _replayed_accepted(site, port, state, [documents[k] for k in sorted(documents)])
    assert tally.black_first_frames == 0
    assert tally.runs_with_fallback == 0
    assert min(tally.cache_files) >= 1
    assert accepted == 0
