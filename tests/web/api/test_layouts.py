import pytest

from signage_server.manifest.inputs import load_layouts

API = "/api/v1/layouts"
REGIONS = [
    {"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 0.8},
    {"id": "ticker", "role": "ticker", "x": 0, "y": 0.8, "w": 1, "h": 0.2},
]


def _layout(**extra) -> dict:
    return {"id": "bang-xa", "name": "Bảng xã", "regions": REGIONS} | extra


def test_built_in_layouts_are_listed(client, users) -> None:
    ids = {lay["id"] for lay in client.get(API, headers=users["viewer_a"].headers).json()}
    assert {"fullscreen", "main_ticker_clock", "two_zones", "portrait", "led_lowres"} <= ids


def test_editor_creates_a_custom_layout(client, users, tree, changes) -> None:
    response = client.post(API, json=_layout(), headers=users["editor_a"].headers)
    assert response.status_code == 201
    made = response.json()
    assert made["unit_id"] == tree.commune_a and not made["builtin"]
    assert made["id"] == f"u{tree.commune_a}.bang-xa" and changes[-1].layouts == {made["id"]}


def test_another_units_layout_name_is_not_revealed(client, users, tree) -> None:
    theirs = client.post(API, json=_layout(), headers=users["editor_b"].headers)
    mine = client.post(API, json=_layout(), headers=users["editor_a"].headers)
    assert (theirs.status_code, mine.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    again = client.post(API, json=_layout(), headers=users["editor_a"].headers)
    assert again.status_code == 409 and again.json()["params"]["id"] == mine.json()["id"]


def test_a_scoped_id_fits_the_stored_id(client, users, tree) -> None:
    longest = client.post(API, json=_layout(id="x" * 48), headers=users["editor_a"].headers)
    assert longest.status_code == 201 and len(longest.json()["id"]) <= 64
    assert client.post(API, json=_layout(id="x" * 49), headers=users["editor_a"].headers).status_code == 422


@pytest.mark.parametrize(("extra", "message"), [
    ({"regions": [REGIONS[1]]}, "no region with role 'main'"),
    ({"regions": [REGIONS[0], REGIONS[0] | {"id": "b"}]}, "overlap"),
    ({"regions": [REGIONS[0] | {"x": 0.5}]}, "extends past the screen"),
    ({"id": "Bad Id"}, "id"),
    ({"background": "red"}, "background"),
])
def test_invalid_layout_is_refused_with_a_message(client, users, extra, message) -> None:
    response = client.post(API, json=_layout(**extra), headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_built_in_layouts_are_read_only(client, users) -> None:
    response = client.patch(f"{API}/fullscreen", json={"name": "x"}, headers=users["admin"].headers)
    assert response.status_code == 403


def test_custom_layout_of_another_commune_is_not_found(client, users) -> None:
    theirs = client.post(API, json=_layout(), headers=users["editor_b"].headers).json()["id"]
    assert client.get(f"{API}/{theirs}", headers=users["editor_a"].headers).status_code == 404


def test_schedule_can_use_a_built_in_layout(client, users, tree) -> None:
    playlist = client.post("/api/v1/playlists", json={"name": "P"}, headers=users["editor_a"].headers).json()
    body = {"name": "S", "layout_id": "main_ticker_clock", "regions": {"main": playlist["id"]},
            "target_kind": "unit", "target_unit_id": tree.commune_a}
    assert client.post("/api/v1/schedules", json=body, headers=users["editor_a"].headers).status_code == 201


PORTRAIT = [
    {"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 0.9},
    {"id": "ticker", "role": "ticker", "x": 0, "y": 0.9, "w": 1, "h": 0.1},
]


def test_a_custom_layout_sets_its_orientation_variant(client, users, session) -> None:
    """Issue 12 part 4: the same regions placed for a portrait board, stored and composed."""
    made = client.post(API, json=_layout(variants={"portrait": PORTRAIT}), headers=users["editor_a"].headers)
    assert made.status_code == 201, made.text
    assert made.json()["variants"]["portrait"][0]["h"] == 0.9
    wire = load_layouts(session, {made.json()["id"]})[made.json()["id"]]
    assert [r.h for r in wire.variants["portrait"]] == [0.9, 0.1]
    fetched = client.get(f"{API}/{made.json()['id']}", headers=users["viewer_a"].headers).json()
    assert fetched["variants"] == made.json()["variants"]


@pytest.mark.parametrize(("variants", "message"), [
    ({"portrait": [PORTRAIT[0]]}, "same regions"),
    ({"portrait": [PORTRAIT[0], PORTRAIT[1] | {"y": 0.5}]}, "overlap"),
    ({"square": PORTRAIT}, "variants"),
])
def test_an_unplayable_variant_is_refused(client, users, variants, message) -> None:
    response = client.post(API, json=_layout(variants=variants), headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_variants_are_replaced_or_removed_by_an_update(client, users) -> None:
    editor = users["editor_a"].headers
    made = client.post(API, json=_layout(), headers=editor).json()
    url = f"{API}/{made['id']}"
    added = client.patch(url, json={"variants": {"portrait": PORTRAIT}}, headers=editor)
    assert added.status_code == 200 and list(added.json()["variants"]) == ["portrait"]
    renamed = client.patch(url, json={"regions": [REGIONS[0] | {"id": "chinh"}, REGIONS[1]]}, headers=editor)
    assert renamed.status_code == 422 and "same regions" in renamed.json()["detail"]
    removed = client.patch(url, json={"variants": {}}, headers=editor)
    assert removed.status_code == 200 and removed.json()["variants"] == {}


def test_a_layout_is_composed_anew_after_an_edit_and_shared_while_unchanged(client, users, session) -> None:
    """The composer keeps each layout's model per stored content: the same object while the row is
    unchanged, a new one as soon as an edit (here of the portrait variant) is stored."""
    editor = users["editor_a"].headers
    made = client.post(API, json=_layout(variants={"portrait": PORTRAIT}), headers=editor).json()
    before = load_layouts(session, {made["id"]})[made["id"]]
    assert load_layouts(session, {made["id"]})[made["id"]] is before
    taller = [PORTRAIT[0] | {"h": 0.8}, PORTRAIT[1] | {"y": 0.8, "h": 0.2}]
    assert client.patch(f"{API}/{made['id']}", json={"variants": {"portrait": taller}},
                        headers=editor).status_code == 200
    session.expire_all()
    after = load_layouts(session, {made["id"]})[made["id"]]
    assert [r.h for r in after.variants["portrait"]] == [0.8, 0.2]
    assert [r.h for r in before.variants["portrait"]] == [0.9, 0.1]
