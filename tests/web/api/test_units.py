import unicodedata

from signage_server.models import AdminUnit, UnitLevel

API = "/api/v1/units"


def test_subtree_of_the_province_holds_both_communes_and_the_village(client, users, tree) -> None:
    rows = client.get(f"{API}/{tree.province}/subtree", headers=users["admin"].headers).json()
    assert {r["id"] for r in rows} == {tree.province, tree.commune_a, tree.commune_b, tree.village_a}


def test_commune_editor_cannot_read_another_commune(client, users, tree) -> None:
    response = client.get(f"{API}/{tree.commune_b}", headers=users["editor_a"].headers)
    assert response.status_code == 404


def test_commune_editor_cannot_read_the_province_above(client, users, tree) -> None:
    assert client.get(f"{API}/{tree.province}", headers=users["editor_a"].headers).status_code == 404


def test_editor_adds_a_village_with_nfc_name(client, users, tree, changes) -> None:
    decomposed = unicodedata.normalize("NFD", "Thôn Hạ")
    response = client.post(f"{API}/{tree.commune_a}/villages", json={"name": decomposed},
                           headers=users["editor_a"].headers)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == unicodedata.normalize("NFC", "Thôn Hạ")
    assert (body["level"], body["parent_id"]) == (UnitLevel.VILLAGE.value, tree.commune_a)
    assert changes[-1].units == {body["id"]}


def test_village_under_a_village_is_refused(client, users, tree) -> None:
    response = client.post(f"{API}/{tree.village_a}/villages", json={"name": "Xóm"},
                           headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert "commune" in response.json()["detail"]


def test_empty_village_name_is_refused_with_a_message(client, users, tree) -> None:
    response = client.post(f"{API}/{tree.commune_a}/villages", json={"name": "   "},
                           headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert "name must not be empty" in response.json()["detail"]


def test_admin_merges_communes_and_boards_follow(client, users, tree, make_board, session) -> None:
    board = make_board(unit_id=tree.commune_b)
    response = client.post(f"{API}/reorganise", headers=users["admin"].headers, json={
        "from_ids": [tree.commune_a, tree.commune_b], "effective": "2099-01-01",
        "new_code": "91003", "new_name": "Xã Hợp Nhất",
    })
    assert response.status_code == 200
    (new_id,) = response.json()["new_unit_ids"]
    history = client.get(f"/api/v1/boards/{board.id}/history", headers=users["admin"].headers).json()
    assert [h["unit_id"] for h in history] == [tree.commune_b, new_id]
    session.expire_all()
    assert session.get(AdminUnit, tree.village_a).parent_id == new_id


def test_commune_admin_cannot_reorganise_outside_scope(client, users, tree) -> None:
    response = client.post(f"{API}/reorganise", headers=users["admin_a"].headers, json={
        "from_ids": [tree.commune_b], "effective": "2026-01-01", "into_id": tree.commune_a,
    })
    assert response.status_code == 404


def test_reorganise_without_a_target_says_so(client, users, tree) -> None:
    response = client.post(f"{API}/reorganise", headers=users["admin"].headers, json={
        "from_ids": [tree.commune_b], "effective": "2026-01-01",
    })
    assert response.status_code == 422
    assert "into_id" in response.json()["detail"]


def test_retroactive_merge_gives_a_newer_board_to_the_new_unit(client, users, tree, make_board) -> None:
    board = make_board(unit_id=tree.commune_b)
    response = client.post(f"{API}/reorganise", headers=users["admin"].headers, json={
        "from_ids": [tree.commune_b], "effective": "2025-08-01", "into_id": tree.commune_a,
    })
    assert response.status_code == 200
    history = client.get(f"/api/v1/boards/{board.id}/history", headers=users["admin"].headers).json()
    assert [h["unit_id"] for h in history] == [tree.commune_a]
