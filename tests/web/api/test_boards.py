import pytest

API = "/api/v1/boards"


def _board(unit_id: int, **extra) -> dict:
    return {"name": "Bảng UBND xã", "unit_id": unit_id} | extra


def test_admin_creates_a_board_and_history_starts(client, users, tree, changes) -> None:
    body = _board(tree.commune_a, tags=["chợ", "chợ"])
    response = client.post(API, json=body, headers=users["admin_a"].headers)
    assert response.status_code == 201
    board = response.json()
    assert board["tags"] == ["chợ"] and board["timezone"] == "Asia/Ho_Chi_Minh"
    history = client.get(f"{API}/{board['id']}/history", headers=users["admin_a"].headers).json()
    assert [h["unit_id"] for h in history] == [tree.commune_a]
    assert changes[-1].boards == {board["id"]}


def test_editor_cannot_create_boards(client, users, tree) -> None:
    assert client.post(API, json=_board(tree.commune_a), headers=users["editor_a"].headers).status_code == 403


def test_admin_cannot_create_a_board_in_another_commune(client, users, tree) -> None:
    response = client.post(API, json=_board(tree.commune_b), headers=users["admin_a"].headers)
    assert response.status_code == 404


@pytest.mark.parametrize(("fields", "message"), [
    ({"width": 384, "height": 192, "capture_x": 100, "capture_w": 384}, "must lie inside"),
    ({"capture_y": 2000}, "must lie inside"),
    ({"width": 0}, "width"),
    ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"latitude": 91}, "latitude"),
    ({"kind": "billboard"}, "kind"),
])
def test_invalid_board_is_refused_with_a_message(client, users, tree, fields, message) -> None:
    response = client.post(API, json=_board(tree.commune_a, **fields), headers=users["admin"].headers)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_patch_is_validated_against_the_merged_board(client, users, make_board) -> None:
    board = make_board(width=384, height=192)
    response = client.patch(f"{API}/{board.id}", json={"capture_w": 500}, headers=users["admin"].headers)
    assert response.status_code == 422
    assert "384x192" in response.json()["detail"]


def test_moving_a_board_closes_and_opens_history(client, users, tree, make_board) -> None:
    board = make_board()
    move = {"unit_id": tree.commune_b}
    response = client.patch(f"{API}/{board.id}", json=move, headers=users["admin"].headers)
    assert response.json()["unit_id"] == tree.commune_b
    history = client.get(f"{API}/{board.id}/history", headers=users["admin"].headers).json()
    assert [h["unit_id"] for h in history] == [tree.commune_a, tree.commune_b]
    assert history[0]["valid_to"] == history[1]["valid_from"]


def test_operator_cannot_move_a_board_out_of_scope(client, users, tree, make_board) -> None:
    board = make_board()
    response = client.patch(f"{API}/{board.id}", json={"unit_id": tree.commune_b},
                            headers=users["operator_a"].headers)
    assert response.status_code == 404


def test_board_list_is_limited_to_scope(client, users, tree, make_board) -> None:
    mine, other = make_board(tree.village_a), make_board(tree.commune_b)
    ids = {b["id"] for b in client.get(API, headers=users["viewer_a"].headers).json()}
    assert mine.id in ids and other.id not in ids


def test_board_of_another_commune_is_not_found(client, users, tree, make_board) -> None:
    board = make_board(tree.commune_b)
    assert client.get(f"{API}/{board.id}", headers=users["editor_a"].headers).status_code == 404


def test_tag_change_names_old_and_new_tags(client, users, make_board, changes) -> None:
    board = make_board(tags=["a"])
    client.patch(f"{API}/{board.id}", json={"tags": ["b"]}, headers=users["admin"].headers)
    assert changes[-1].tags == {"a", "b"}


def test_delete_board(client, users, make_board) -> None:
    board = make_board()
    assert client.delete(f"{API}/{board.id}", headers=users["admin"].headers).status_code == 204
    assert client.get(f"{API}/{board.id}", headers=users["admin"].headers).status_code == 404


def test_a_board_programme_is_read_like_the_board_in_scope_only(client, users, tree, make_board) -> None:
    board = make_board(tree.commune_a)
    url = f"{API}/{board.id}/programme?date=2026-11-23"
    mine = client.get(url, headers=users["viewer_a"].headers)
    assert mine.status_code == 200 and mine.json() == []  # nothing scheduled yet
    assert client.get(url, headers=users["editor_b"].headers).status_code == 404
    assert client.get(f"{API}/{board.id}/programme?date=23-11-2026",
                      headers=users["viewer_a"].headers).status_code == 422
