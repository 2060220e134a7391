import pytest

API = "/api/v1/schedules"


@pytest.fixture
def playlist(client, users) -> int:
    return _playlist(client, users["editor_a"], "Chính")


def _playlist(client, user, name: str) -> int:
    return client.post("/api/v1/playlists", json={"name": name}, headers=user.headers).json()["id"]


def _schedule(layout, playlist: int, **extra) -> dict:
    base = {"name": "Lịch sáng", "layout_id": layout.id, "regions": {"main": playlist},
            "target_kind": "unit"}
    return base | extra


def test_editor_schedules_for_own_commune(client, users, tree, layout, playlist, changes) -> None:
    body = _schedule(layout, playlist, target_unit_id=tree.commune_a, weekdays=[4, 0],
                     daily_start="22:00", daily_end="06:00")
    response = client.post(API, json=body, headers=users["editor_a"].headers)
    assert response.status_code == 201
    created = response.json()
    assert created["weekdays"] == [0, 4] and created["regions"] == {"main": playlist}
    assert changes[-1].schedules == {created["id"]} and changes[-1].units == {tree.commune_a}


def test_editor_cannot_target_another_commune(client, users, tree, layout, playlist) -> None:
    body = _schedule(layout, playlist, target_unit_id=tree.commune_b)
    response = client.post(API, json=body, headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert f"unit {tree.commune_b} not found" in response.json()["detail"]


def test_editor_cannot_target_a_board_of_another_commune(client, users, tree, layout, playlist, make_board):
    board = make_board(tree.commune_b)
    body = _schedule(layout, playlist, target_kind="board", target_board_id=board.id)
    assert client.post(API, json=body, headers=users["editor_a"].headers).status_code == 422


def test_editor_cannot_use_a_playlist_of_another_commune(client, users, tree, layout) -> None:
    other = _playlist(client, users["editor_b"], "B")
    body = _schedule(layout, other, target_unit_id=tree.commune_a)
    response = client.post(API, json=body, headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert f"playlist {other} not found" in response.json()["detail"]


@pytest.mark.parametrize(("extra", "message"), [
    ({"regions": {"sidebar": 0}}, "has no region sidebar"),
    ({"layout_id": "nope"}, "layout 'nope' not found"),
    ({"weekdays": [7]}, "weekdays"),
    ({"weekdays": [1, 1]}, "must not repeat"),
    ({"daily_start": "08:00"}, "give both daily_start and daily_end"),
    ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "is before start_date"),
    ({"target_kind": "tag"}, "needs target_tag"),
    ({"target_board_id": 1}, "takes no target_board_id"),
    ({"regions": {}}, "regions"),
    ({"priority": 5000}, "priority"),
])
def test_invalid_schedule_is_refused_with_a_message(client, users, tree, layout, playlist, extra, message):
    body = _schedule(layout, playlist, target_unit_id=tree.commune_a) | extra
    if extra.get("target_kind") == "tag":
        body.pop("target_unit_id")
    response = client.post(API, json=body, headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_retargeting_names_old_and_new_targets(client, users, tree, layout, playlist, changes) -> None:
    created = client.post(API, json=_schedule(layout, playlist, target_unit_id=tree.commune_a),
                          headers=users["editor_a"].headers).json()
    patch = {"target_kind": "tag", "target_unit_id": None, "target_tag": "chợ"}
    response = client.patch(f"{API}/{created['id']}", json=patch, headers=users["editor_a"].headers)
    assert response.status_code == 200
    assert changes[-1].units == {tree.commune_a} and changes[-1].tags == {"chợ"}


def test_schedule_of_another_commune_is_not_found(client, users, tree, layout, playlist) -> None:
    created = client.post(API, json=_schedule(layout, playlist, target_unit_id=tree.commune_a),
                          headers=users["editor_a"].headers).json()
    assert client.get(f"{API}/{created['id']}", headers=users["editor_b"].headers).status_code == 404


def test_an_exclusive_schedule_answers_what_it_silences(client, users, tree, layout, playlist, make_board):
    """Issue 12: an exclusive schedule is the only way to silence others, and saying so is its answer."""
    make_board(tree.village_a)
    editor = users["editor_a"].headers
    evening = client.post(API, json=_schedule(layout, playlist, target_unit_id=tree.commune_a, weight=2,
                                              priority_every_min=5, daily_start="19:00", daily_end="21:00"),
                          headers=editor).json()
    morning = client.post(API, json=_schedule(layout, playlist, target_unit_id=tree.commune_a,
                                              daily_start="07:00", daily_end="08:00"), headers=editor).json()
    steps = (("editor_a", "submitted"), ("approver_a", "approved"), ("approver_a", "published"))
    for path in (f"/api/v1/playlists/{playlist}", f"{API}/{evening['id']}", f"{API}/{morning['id']}"):
        for user, state in steps:
            answer = client.post(f"{path}/state", json={"state": state}, headers=users[user].headers)
            assert answer.status_code == 200, answer.text
    assert (evening["weight"], evening["priority_every_min"], evening["exclusive"]) == (2, 5, False)
    mourning = client.post(API, headers=editor, json=_schedule(
        layout, playlist, target_unit_id=tree.commune_a, exclusive=True, daily_start="18:00",
        daily_end="20:00"))
    assert mourning.status_code == 201 and mourning.json()["silences"] == [evening["id"]]
    assert client.get(f"{API}/{evening['id']}", headers=editor).json()["silences"] == []
    assert client.post(API, json=_schedule(layout, playlist, target_unit_id=tree.commune_a, weight=0),
                       headers=editor).status_code == 422
