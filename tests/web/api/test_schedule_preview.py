"""POST /schedules/preview: the airtime plan and warnings of a schedule before it is saved."""

from __future__ import annotations

from typing import Any

from signage_server.models import Schedule

API = "/api/v1/schedules"
PUBLISH = (("editor_a", "submitted"), ("approver_a", "approved"), ("approver_a", "published"))


def _publish(client, users, path: str) -> None:
    for user, state in PUBLISH:
        answer = client.post(f"{path}/state", json={"state": state}, headers=users[user].headers)
        assert answer.status_code == 200, answer.text


def _playlist(client, users, texts: list[str], duration_s: float = 300.0, publish: bool = True) -> int:
    headers = users["editor_a"].headers
    playlist = client.post("/api/v1/playlists", json={"name": texts[0]}, headers=headers).json()["id"]
    for text in texts:
        added = client.post(f"/api/v1/playlists/{playlist}/items", headers=headers,
                            json={"kind": "ticker", "text": text, "duration_s": duration_s})
        assert added.status_code == 201, added.text
    if publish:
        _publish(client, users, f"/api/v1/playlists/{playlist}")
    return playlist


def _body(layout, playlist: int, unit_id: int, **extra: Any) -> dict[str, Any]:
    return {"name": "Lịch mới", "layout_id": layout.id, "regions": {"main": playlist}, "target_kind": "unit",
            "target_unit_id": unit_id} | extra


def _saved(client, users, body: dict[str, Any]) -> int:
    made = client.post(API, json=body, headers=users["editor_a"].headers)
    assert made.status_code == 201, made.text
    _publish(client, users, f"{API}/{made.json()['id']}")
    return int(made.json()["id"])


def _preview(client, users, body: dict[str, Any], user: str = "editor_a") -> Any:
    return client.post(f"{API}/preview", json=body, headers=users[user].headers)


def test_a_new_schedule_shows_its_airtime_plan_on_each_board_without_being_saved(
        client, users, tree, layout, make_board, session) -> None:
    board = make_board(tree.village_a)
    playlist = _playlist(client, users, ["Thông báo tiêm chủng"], publish=False)
    answer = _preview(client, users, _body(layout, playlist, tree.commune_a, daily_start="19:00",
                                           daily_end="21:00", date="2026-12-01"))
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert (preview["boards_total"], preview["boards_checked"]) == (1, 1)
    [plan] = preview["boards"]
    assert plan["board_id"] == board.id and plan["date"] == "2026-12-01"
    assert [(h["hour"], h["shares"]) for h in plan["hours"]] == [(19, [["0", 1.0]]), (20, [["0", 1.0]])]
    assert preview["names"]["0"] == "Lịch mới" and preview["warnings"] == []
    assert session.exec(Schedule.__table__.select()).all() == []  # type: ignore[attr-defined]


def test_an_exclusive_schedule_warns_of_the_schedules_it_silences(client, users, tree, layout, make_board):
    make_board(tree.village_a)
    playlist = _playlist(client, users, ["Tin buổi tối"])
    evening = _saved(client, users, _body(layout, playlist, tree.commune_a, name="Buổi tối",
                                          daily_start="19:00", daily_end="21:00"))
    answer = _preview(client, users, _body(layout, playlist, tree.commune_a, exclusive=True,
                                           daily_start="18:00", daily_end="20:00")).json()
    assert [(w["code"], w["params"]["schedule_id"], w["params"]["boards"]) for w in answer["warnings"]] == [
        ("schedule.preview.silences", evening, 1)]
    assert answer["warnings"][0]["params"]["schedule"] == "Buổi tối"


def test_a_schedule_under_an_exclusive_one_is_warned_that_it_is_silenced(client, users, tree, layout,
                                                                        make_board) -> None:
    make_board(tree.village_a)
    playlist = _playlist(client, users, ["Để tang"])
    mourning = _saved(client, users, _body(layout, playlist, tree.commune_a, exclusive=True))
    answer = _preview(client, users, _body(layout, playlist, tree.commune_a, daily_start="07:00",
                                           daily_end="08:00")).json()
    assert [(w["code"], w["params"]["schedule_id"]) for w in answer["warnings"]] == [
        ("schedule.preview.silenced", mourning)]


def test_stretching_the_loop_warns_of_items_seen_less_than_once_an_hour(client, users, tree, layout,
                                                                       make_board) -> None:
    """Ten 5-minute items loop every 50 minutes; with 9/10 of the board every 56, with half every 100."""
    make_board(tree.village_a)
    existing = _saved(client, users, _body(layout, _playlist(client, users, [f"Tin {n}" for n in range(10)]),
                                           tree.commune_a, name="Tin xã", weight=9))
    newcomer = _playlist(client, users, ["Mới"], duration_s=30)
    assert _preview(client, users, _body(layout, newcomer, tree.commune_a)).json()["warnings"] == []
    answer = _preview(client, users, _body(layout, newcomer, tree.commune_a, weight=9)).json()
    sparse = [w["params"] for w in answer["warnings"] if w["code"] == "schedule.preview.sparse_item"]
    assert len(sparse) == 10 and {p["schedule_id"] for p in sparse} == {existing}
    assert all(p["gap_min"] > 60 and p["boards"] == 1 for p in sparse)
    assert {p["item"] for p in sparse} == {f"Tin {n}" for n in range(10)}


def test_an_edit_is_previewed_in_place_of_the_saved_schedule(client, users, tree, layout, make_board) -> None:
    make_board(tree.village_a)
    playlist = _playlist(client, users, ["Tin xã"])
    saved = _saved(client, users, _body(layout, playlist, tree.commune_a, name="Tin xã"))
    answer = _preview(client, users, _body(layout, playlist, tree.commune_a, name="Tin xã, buổi sáng",
                                           schedule_id=saved, daily_start="07:00", daily_end="09:00")).json()
    hours = answer["boards"][0]["hours"]
    assert [h["hour"] for h in hours] == [7, 8] and hours[0]["shares"] == [[str(saved), 1.0]]
    assert answer["names"][str(saved)] == "Tin xã, buổi sáng"


def test_the_preview_is_scope_checked_like_a_save(client, users, tree, layout, make_board) -> None:
    make_board(tree.village_a)
    playlist = _playlist(client, users, ["Tin xã"])
    saved = _saved(client, users, _body(layout, playlist, tree.commune_a))
    body = _body(layout, playlist, tree.commune_a)
    assert _preview(client, users, body, user="viewer_a").status_code == 403
    other = _preview(client, users, body | {"schedule_id": saved}, user="editor_b")
    assert other.status_code == 404 and other.json()["code"]
    refused = _preview(client, users, _body(layout, playlist, tree.commune_b))
    assert refused.status_code == 422 and refused.json()["code"] == "schedule.invalid_reference"
