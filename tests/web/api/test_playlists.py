import unicodedata

import pytest

from signage_server.models import Media

API = "/api/v1/playlists"


@pytest.fixture
def playlist(client, users) -> int:
    return client.post(API, json={"name": "Buổi sáng"}, headers=users["editor_a"].headers).json()["id"]


def _add(client, user, playlist_id: int, **item):
    return client.post(f"{API}/{playlist_id}/items", json=item, headers=user.headers)


def _media(session, unit_id: int) -> int:
    row = Media(unit_id=unit_id, sha256="a" * 64, size=10, content_type="image/png", width=4, height=3)
    session.add(row)
    session.commit()
    return row.id


def test_items_keep_their_order_and_can_be_reordered(client, users, playlist) -> None:
    editor = users["editor_a"]
    _add(client, editor, playlist, kind="clock")
    body = _add(client, editor, playlist, kind="ticker", text="Chào mừng").json()
    ids = [i["id"] for i in body["items"]]
    assert [i["kind"] for i in body["items"]] == ["clock", "ticker"]
    order = {"item_ids": ids[::-1]}
    reordered = client.post(f"{API}/{playlist}/items/reorder", json=order, headers=editor.headers)
    assert [i["kind"] for i in reordered.json()["items"]] == ["ticker", "clock"]


def test_reorder_must_name_every_item_once(client, users, playlist) -> None:
    item = _add(client, users["editor_a"], playlist, kind="clock").json()["items"][0]["id"]
    response = client.post(f"{API}/{playlist}/items/reorder", json={"item_ids": [item, item]},
                           headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert "exactly once" in response.json()["detail"]


def test_ticker_text_is_nfc(client, users, playlist) -> None:
    nfd = unicodedata.normalize("NFD", "Phòng chống bão lũ")
    item = _add(client, users["editor_a"], playlist, kind="ticker", text=nfd).json()["items"][0]
    assert item["text"] == "Phòng chống bão lũ"


@pytest.mark.parametrize(("item", "message"), [
    ({"kind": "image"}, "needs media_id"),
    ({"kind": "ticker"}, "needs text"),
    ({"kind": "clock", "text": "x"}, "takes no text"),
    ({"kind": "clock", "duration_s": 0.5}, "duration_s"),
    ({"kind": "clock", "duration_s": 90000}, "duration_s"),
    ({"kind": "clock", "options": {"format": "century"}}, "options for a clock item: format"),
    ({"kind": "ticker", "text": "a", "options": {"speed": 99}}, "speed"),
    ({"kind": "clock", "options": {"blink": True}}, "blink"),
    ({"kind": "clock", "valid_from": "2026-01-02T00:00:00+07:00", "valid_until": "2026-01-01T00:00:00+07:00"},
     "valid_until must be after valid_from"),
    ({"kind": "hologram"}, "kind"),
    ({"kind": "video"}, "needs media_id"),
])
def test_invalid_item_is_refused_with_a_message(client, users, playlist, item, message) -> None:
    response = _add(client, users["editor_a"], playlist, **item)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_item_cannot_reference_media_of_another_commune(client, users, tree, playlist, session) -> None:
    other = _media(session, tree.commune_b)
    response = _add(client, users["editor_a"], playlist, kind="image", media_id=other)
    assert response.status_code == 422
    assert f"media {other} not found" in response.json()["detail"]


def test_item_can_reference_media_of_its_scope(client, users, tree, playlist, session) -> None:
    mine = _media(session, tree.village_a)
    options = {"fit": "cover"}
    response = _add(client, users["editor_a"], playlist, kind="image", media_id=mine, options=options)
    assert response.status_code == 201
    assert response.json()["items"][0]["options"] == {"fit": "cover"}


def test_item_patch_is_validated_as_a_whole(client, users, playlist) -> None:
    item = _add(client, users["editor_a"], playlist, kind="clock").json()["items"][0]["id"]
    response = client.patch(f"{API}/{playlist}/items/{item}", json={"kind": "ticker"},
                            headers=users["editor_a"].headers)
    assert response.status_code == 422
    assert "needs text" in response.json()["detail"]


def test_item_edit_publishes_the_playlist_change(client, users, playlist, changes) -> None:
    _add(client, users["editor_a"], playlist, kind="clock")
    assert changes[-1].playlists == {playlist}


def test_playlist_of_another_commune_is_not_found(client, users, playlist) -> None:
    assert client.get(f"{API}/{playlist}", headers=users["editor_b"].headers).status_code == 404
    assert _add(client, users["editor_b"], playlist, kind="clock").status_code == 404
