"""A clip goes on air only on boards whose class plays it: approving a schedule (or a playlist a
schedule plays) is refused, with the clip and the board named and nothing changed, when a board it
reaches is of a class below the clip (here 60 fps: an LED board's PC plays at most 30)."""

from pathlib import Path
from typing import Any

import pytest

from tests.server.content.test_qr_fit import _ok, _publish, _schedule, _state
from tests.support.video_clips import make_clip

API = "/api/v1"


@pytest.fixture(scope="module")
def fast_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("fit") / "nhanh.mp4", fps=60, seconds=1).read_bytes()


def _clip_playlist(client, users, data: bytes, publish: bool = True) -> tuple[int, int]:
    editor = users["editor_a"].headers
    media = _ok(client.post(f"{API}/media", files={"file": ("phim nhanh.mp4", data, "video/mp4")},
                            data={"title": "Phim 60 hình"}, headers=editor), 201)["id"]
    _ok(_publish(client, users, "media", media))
    playlist = _ok(client.post(f"{API}/playlists", json={"name": "Phim"}, headers=editor), 201)["id"]
    _ok(client.post(f"{API}/playlists/{playlist}/items", json={"kind": "video", "media_id": media},
                    headers=editor), 201)
    if publish:
        _ok(_publish(client, users, "playlists", playlist))
    return int(media), int(playlist)


def test_a_clip_within_the_boards_class_is_approved(client, users, layout, make_board, fast_clip) -> None:
    board = make_board(width=1920, height=1080)  # a full HD panel plays 60 fps
    _, playlist = _clip_playlist(client, users, fast_clip)
    schedule = _schedule(client, users, {"main": playlist}, target_kind="board", target_board_id=board.id)
    assert _ok(_publish(client, users, "schedules", schedule))["state"] == "approved"


def test_a_board_below_the_clip_refuses_the_schedule_and_names_both(
    client, users, layout, make_board, fast_clip
) -> None:
    make_board(width=1920, height=1080)
    led = make_board(width=384, height=192)
    _, playlist = _clip_playlist(client, users, fast_clip)
    schedule = _schedule(client, users, {"main": playlist}, target_kind="unit",
                         target_unit_id=users["editor_a"].unit_id)
    refused = _publish(client, users, "schedules", schedule)
    assert refused.status_code == 409, refused.text
    body: dict[str, Any] = refused.json()
    assert body["code"] == "video.fps_on_board"
    assert body["params"] == {"clip": "Phim 60 hình", "board": led.name, "fps": "60.00", "limit": "30"}
    assert _state(client, users, "schedules", schedule) == "submitted"


def test_a_clip_added_to_a_playlist_on_air_on_an_led_board_is_refused_at_approval(
    client, users, layout, make_board, fast_clip, tmp_path: Path
) -> None:
    led = make_board(width=384, height=192)
    slow = make_clip(tmp_path / "cham.mp4", fps=10, seconds=1).read_bytes()
    _, playlist = _clip_playlist(client, users, slow)
    schedule = _schedule(client, users, {"main": playlist}, target_kind="board", target_board_id=led.id)
    _ok(_publish(client, users, "schedules", schedule))
    editor = users["editor_a"].headers
    media = _ok(client.post(f"{API}/media", files={"file": ("phim nhanh.mp4", fast_clip, "video/mp4")},
                            data={"title": "Phim 60 hình"}, headers=editor), 201)["id"]
    _ok(_publish(client, users, "media", media))
    _ok(client.post(f"{API}/playlists/{playlist}/items", json={"kind": "video", "media_id": media},
                    headers=editor), 201)
    waiting = _ok(client.get(f"{API}/playlists/{playlist}", headers=editor))
    decided = client.post(f"{API}/submissions/{waiting['pending_submission_id']}/decision",
                          json={"state": "approved"}, headers=users["approver_a"].headers)
    assert (decided.status_code, decided.json()["code"]) == (409, "video.fps_on_board")
    on_air = _ok(client.get(f"{API}/playlists/{playlist}", headers=editor))
    assert len(on_air["items"]) == 1  # the slow clip only
