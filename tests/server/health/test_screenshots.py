"""Screenshots: device upload, validation, bounded history, on-demand request over the WebSocket,
files and the unit wall, all scoped to the user's subtree."""

import io
import json

import pytest
from PIL import Image
from sqlmodel import select

from signage_contract import device as wire
from signage_server.devices.auth import issue_credential
from signage_server.models import Screenshot


def jpeg(width: int = 1920, height: int = 1080, color=(20, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=80)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def device(session, make_board):
    board = make_board()
    _credential, token = issue_credential(session, board.id, "mini-pc")
    return board, {"Authorization": f"Bearer {token}"}


def upload(client, headers, data: bytes, **form):
    return client.post(wire.DEVICE_SCREENSHOTS, headers=headers, data=form,
                       files={"image": ("screen.jpg", data, "image/jpeg")})


def test_upload_keeps_the_image_and_a_thumbnail(client, device, users):
    board, headers = device
    data = jpeg()
    response = upload(client, headers, data, taken_at="2026-03-10T08:00:00+07:00")
    assert response.status_code == 201, response.text
    shot = response.json()
    assert (shot["width"], shot["height"], shot["size"]) == (1920, 1080, len(data))
    viewer = users["viewer_a"].headers
    latest = client.get(f"/api/v1/boards/{board.id}/screenshots/latest", headers=viewer).json()
    assert latest["id"] == shot["id"] and latest["taken_at"].startswith("2026-03-10T01:00:00")
    image = client.get(shot["image_url"], headers=viewer)
    assert image.status_code == 200 and image.content == data
    thumb = Image.open(io.BytesIO(client.get(shot["thumbnail_url"], headers=viewer).content))
    assert thumb.format == "JPEG" and max(thumb.size) <= 320


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("a PNG", png(), 415),
        ("a truncated JPEG", jpeg()[:2000], 400),
        ("empty", b"", 400),
        ("not an image", b"\xff\xd8\xff" + b"garbage" * 100, 400),
    ],
)
def test_bad_uploads_are_rejected_and_nothing_is_kept(client, session, device, name, data, status):
    _board, headers = device
    assert upload(client, headers, data).status_code == status, name
    assert session.exec(select(Screenshot)).all() == []


def test_too_large_upload_is_413(app, client, device):
    _board, headers = device
    app.state.screenshot_store.max_bytes = 10_000
    assert upload(client, headers, jpeg(800, 600, (1, 2, 3)) + b"\0" * 10_000).status_code == 413


def test_upload_needs_a_device_credential(client):
    assert upload(client, {}, jpeg()).status_code == 401


def test_history_is_bounded_and_old_files_go(app, client, session, device, users):
    board, headers = device
    app.state.screenshot_store.keep = 3
    shots = [upload(client, headers, jpeg(320, 200, (i * 40, 0, 0))).json() for i in range(5)]
    listed = client.get(f"/api/v1/boards/{board.id}/screenshots", headers=users["viewer_a"].headers).json()
    assert [s["id"] for s in listed] == [s["id"] for s in reversed(shots)][:3]
    board_dir = app.state.screenshot_store.root / str(board.id)
    assert len(list(board_dir.iterdir())) == 6  # three images, three thumbnails
    gone = client.get(shots[0]["image_url"], headers=users["viewer_a"].headers)
    assert gone.status_code == 404


def test_a_request_reaches_the_device_over_its_socket_and_the_upload_fulfils_it(client, device, users):
    board, headers = device
    operator = users["operator_a"].headers
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=headers) as ws:
        ws.send_text(wire.Hello(manifest_version=None).model_dump_json())
        response = client.post(f"/api/v1/boards/{board.id}/screenshot-request", headers=operator)
        assert response.status_code == 202
        request_id = response.json()["request_id"]
        while (message := json.loads(ws.receive_text()))["type"] != "screenshot":
            pass  # a nudge for the manifest may come first
    assert wire.ScreenshotRequest.model_validate(message).request_id == request_id
    status_url = f"/api/v1/boards/{board.id}/screenshot-requests/{request_id}"
    assert client.get(status_url, headers=operator).json()["fulfilled_at"] is None
    shot = upload(client, headers, jpeg(), request_id=request_id).json()
    fulfilled = client.get(status_url, headers=operator).json()
    assert fulfilled["screenshot_id"] == shot["id"] and fulfilled["fulfilled_at"] is not None


def test_viewers_cannot_request_screenshots(client, device, users):
    board, _headers = device
    url = f"/api/v1/boards/{board.id}/screenshot-request"
    assert client.post(url, headers=users["viewer_a"].headers).status_code == 403


def test_wall_shows_every_board_of_the_subtree_and_is_scoped(client, make_board, tree, users, device):
    board_a, headers = device
    board_village = make_board(unit_id=tree.village_a)
    board_b = make_board(unit_id=tree.commune_b)
    shot = upload(client, headers, jpeg()).json()
    viewer = users["viewer_a"].headers
    wall = client.get(f"/api/v1/units/{tree.commune_a}/wall", headers=viewer).json()
    tiles = {t["board_id"]: t for t in wall}
    assert set(tiles) == {board_a.id, board_village.id}
    assert tiles[board_a.id]["thumbnail_url"] == shot["thumbnail_url"]
    assert tiles[board_village.id]["thumbnail_url"] is None
    assert tiles[board_village.id]["status"] == "never_seen"
    assert client.get(f"/api/v1/units/{tree.commune_b}/wall", headers=viewer).status_code == 404
    for path in ("screenshots", "screenshots/latest"):
        url = f"/api/v1/boards/{board_b.id}/{path}"
        assert client.get(url, headers=viewer).status_code == 404
    province = client.get(f"/api/v1/units/{tree.province}/wall", headers=users["admin"].headers).json()
    assert {t["board_id"] for t in province} == {board_a.id, board_village.id, board_b.id}
