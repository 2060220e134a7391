"""A QR code goes on air only where it stays scannable: approving a schedule (or an edit of a
playlist or a schedule) is refused, with the board and region named and nothing changed, when a
board it reaches would give the code's modules fewer than ``qr.MIN_MODULE_PX`` pixels; a bad
address or caption is refused on write and nothing is stored."""

from typing import Any

import pytest

from signage_contract import qr

API = "/api/v1"
PORTAL = "https://gopy.quangngai.gov.vn/"
NOT_HTTP = "a qr code needs an http:// or https:// address"


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def _publish(client, users, kind: str, object_id: int) -> Any:
    editor, approver = users["editor_a"].headers, users["approver_a"].headers
    _ok(client.post(f"{API}/{kind}/{object_id}/state", json={"state": "submitted"}, headers=editor))
    return client.post(f"{API}/{kind}/{object_id}/state", json={"state": "approved"}, headers=approver)


def _playlist(client, users, items: list[dict[str, Any]]) -> int:
    editor = users["editor_a"].headers
    playlist = _ok(client.post(f"{API}/playlists", json={"name": "Góp ý"}, headers=editor), 201)["id"]
    for item in items:
        _ok(client.post(f"{API}/playlists/{playlist}/items", json=item, headers=editor), 201)
    _ok(_publish(client, users, "playlists", playlist))
    return int(playlist)


def _schedule(client, users, regions: dict[str, int], **target: Any) -> int:
    body = {"name": "Cả ngày", "layout_id": "test-main-ticker", "regions": regions, **target}
    return int(_ok(client.post(f"{API}/schedules", json=body, headers=users["editor_a"].headers), 201)["id"])


def _code(caption: str = "Góp ý với tỉnh") -> dict[str, Any]:
    return {"kind": "qr", "text": PORTAL, "options": {"caption": caption}}


def _state(client, users, kind: str, object_id: int) -> str:
    return str(_ok(client.get(f"{API}/{kind}/{object_id}", headers=users["editor_a"].headers))["state"])


def test_a_code_scannable_on_the_board_it_reaches_is_approved(client, users, layout, make_board) -> None:
    board = make_board(width=320, height=180)  # main region 320x153: 4 px per module
    playlist = _playlist(client, users, [_code()])
    schedule = _schedule(client, users, {"main": playlist}, target_kind="board", target_board_id=board.id)
    assert _ok(_publish(client, users, "schedules", schedule))["state"] == "approved"


def test_a_board_too_small_for_the_code_refuses_the_schedule_and_names_it(
    client, users, layout, make_board
) -> None:
    board = make_board(width=192, height=96)  # main region 192x82: 2 px per module
    playlist = _playlist(client, users, [_code()])
    schedule = _schedule(client, users, {"main": playlist}, target_kind="board", target_board_id=board.id)
    refused = _publish(client, users, "schedules", schedule)
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "qr.too_small"
    assert body["params"] | {"needed_px": qr.needed_px(PORTAL)} == {
        "board": board.name, "region": "main", "module_px": 2, "min_px": qr.MIN_MODULE_PX,
        "needed_px": 111, "width": 192, "height": 82}
    assert _state(client, users, "schedules", schedule) == "submitted"


def test_one_small_board_of_a_unit_refuses_a_schedule_for_the_unit(
    client, users, layout, make_board, tree
) -> None:
    make_board(width=1920, height=1080)
    small = make_board(width=192, height=96)
    playlist = _playlist(client, users, [_code()])
    schedule = _schedule(client, users, {"main": playlist}, target_kind="unit", target_unit_id=tree.commune_a)
    refused = _publish(client, users, "schedules", schedule)
    assert (refused.status_code, refused.json()["params"]["board"]) == (409, small.name)


def test_a_code_in_a_strip_is_refused_where_the_strip_is_too_thin(client, users, layout, make_board) -> None:
    board = make_board(width=1920, height=1080)  # ticker 1920x162, its caption beside: 4 px per module
    playlist = _playlist(client, users, [_code()])
    schedule = _schedule(client, users, {"main": playlist, "ticker": playlist}, target_kind="board",
                         target_board_id=board.id)
    assert _ok(_publish(client, users, "schedules", schedule))["state"] == "approved"
    small = make_board(width=640, height=360)  # ticker 640x54: 1 px per module
    other = _schedule(client, users, {"main": playlist, "ticker": playlist}, target_kind="board",
                      target_board_id=small.id)
    refused = _publish(client, users, "schedules", other)
    assert refused.json()["params"]["region"] == "ticker" and refused.json()["params"]["module_px"] == 1


def test_adding_a_code_to_a_playlist_on_air_on_a_small_board_is_refused_at_approval(
    client, users, layout, make_board
) -> None:
    board = make_board(width=192, height=96)
    playlist = _playlist(client, users, [{"kind": "ticker", "text": "Chào mừng"}])
    schedule = _schedule(client, users, {"main": playlist}, target_kind="board", target_board_id=board.id)
    _ok(_publish(client, users, "schedules", schedule))
    editor = users["editor_a"].headers
    _ok(client.post(f"{API}/playlists/{playlist}/items", json=_code(), headers=editor), 201)
    waiting = _ok(client.get(f"{API}/playlists/{playlist}", headers=users["editor_a"].headers))
    decided = client.post(f"{API}/submissions/{waiting['pending_submission_id']}/decision",
                          json={"state": "approved"}, headers=users["approver_a"].headers)
    assert (decided.status_code, decided.json()["code"]) == (409, "qr.too_small")
    on_air = _ok(client.get(f"{API}/playlists/{playlist}", headers=users["editor_a"].headers))
    assert [i["kind"] for i in on_air["items"]] == ["ticker"]


@pytest.mark.parametrize(("item", "message"), [
    ({"kind": "qr", "text": "ftp://gopy.quangngai.gov.vn/"}, NOT_HTTP),
    ({"kind": "qr", "text": "gopy.quangngai.gov.vn"}, NOT_HTTP),
    ({"kind": "qr", "text": PORTAL + "x" * 300}, f"a qr code address may have at most {qr.max_url_chars()} "
                                                 "characters"),
    ({"kind": "qr", "text": PORTAL, "options": {"caption": "x" * 81}},
     "a qr code caption may have at most 80 characters"),
    ({"kind": "qr"}, "a qr item needs text"),
])
def test_a_bad_address_or_caption_is_refused_and_nothing_stored(client, users, item, message) -> None:
    editor = users["editor_a"].headers
    playlist = _ok(client.post(f"{API}/playlists", json={"name": "Góp ý"}, headers=editor), 201)["id"]
    refused = client.post(f"{API}/playlists/{playlist}/items", json=item, headers=editor)
    assert refused.status_code == 422 and message in refused.json()["detail"]
    assert _ok(client.get(f"{API}/playlists/{playlist}", headers=editor))["items"] == []


def test_an_edit_to_a_bad_address_is_refused_and_the_code_kept(client, users) -> None:
    editor = users["editor_a"].headers
    playlist = _ok(client.post(f"{API}/playlists", json={"name": "Góp ý"}, headers=editor), 201)["id"]
    added = _ok(client.post(f"{API}/playlists/{playlist}/items", json=_code(), headers=editor), 201)
    item = added["items"][0]
    refused = client.patch(f"{API}/playlists/{playlist}/items/{item['id']}", json={"text": "mailto:a@b.vn"},
                           headers=editor)
    assert refused.status_code == 422 and NOT_HTTP in refused.json()["detail"]
    assert _ok(client.get(f"{API}/playlists/{playlist}", headers=editor))["items"][0]["text"] == PORTAL


def test_a_tag_reaches_only_the_boards_of_the_schedules_own_unit(
    client, users, layout, make_board, tree
) -> None:
    make_board(unit_id=tree.commune_b, width=192, height=96, tags=["cho"])  # another commune's small board
    make_board(width=192, height=96, tags=["khac"])
    make_board(width=320, height=180, tags=["cho"])
    playlist = _playlist(client, users, [_code()])
    schedule = _schedule(client, users, {"main": playlist}, target_kind="tag", target_tag="cho")
    assert _ok(_publish(client, users, "schedules", schedule))["state"] == "approved"
    small = make_board(width=192, height=96, tags=["cho"])  # now one of its own unit is too small
    other = _schedule(client, users, {"main": playlist}, target_kind="tag", target_tag="cho")
    assert _publish(client, users, "schedules", other).json()["params"]["board"] == small.name
