import unicodedata

import pytest

API = "/api/v1/bulletins"
TITLE = "Thông báo lịch tiêm chủng"


def _create(client, user, **extra):
    return client.post(API, json={"title": TITLE} | extra, headers=user.headers)


def test_title_and_body_are_nfc_at_entry(client, users) -> None:
    nfd = unicodedata.normalize("NFD", TITLE)
    body = _create(client, users["editor_a"], title=nfd, body=nfd).json()
    assert body["title"] == TITLE and body["body"] == TITLE
    assert body["state"] == "draft"


def test_patch_is_nfc_too(client, users) -> None:
    created = _create(client, users["editor_a"]).json()
    nfd = unicodedata.normalize("NFD", "Bão số 3")
    patched = client.patch(f"{API}/{created['id']}", json={"body": nfd}, headers=users["editor_a"].headers)
    assert patched.json()["body"] == "Bão số 3"


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": "  "}, "title must not be empty"),
    ({"category": "gossip"}, "category"),
    ({"priority": "urgent"}, "priority"),
    ({"title": "x" * 301}, "title"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_bulletin_is_refused_with_a_message(client, users, fields, message) -> None:
    response = _create(client, users["editor_a"], **fields)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_viewer_cannot_write_bulletins(client, users) -> None:
    assert _create(client, users["viewer_a"]).status_code == 403


def test_editor_of_a_cannot_read_bulletins_of_b(client, users) -> None:
    created = _create(client, users["editor_b"]).json()
    assert client.get(f"{API}/{created['id']}", headers=users["editor_a"].headers).status_code == 404
    listed = client.get(API, headers=users["editor_a"].headers).json()
    assert created["id"] not in {b["id"] for b in listed}


def test_editor_cannot_create_for_another_commune(client, users, tree) -> None:
    assert _create(client, users["editor_a"], unit_id=tree.commune_b).status_code == 404


def test_province_admin_sees_commune_bulletins(client, users) -> None:
    created = _create(client, users["editor_b"]).json()
    assert client.get(f"{API}/{created['id']}", headers=users["admin"].headers).status_code == 200


def test_write_publishes_a_change(client, users, changes) -> None:
    created = _create(client, users["editor_a"]).json()
    assert changes[-1].bulletins == {created["id"]}


def test_a_bulletin_keeps_its_validity_dates_and_lists_mark_it_expired(client, users) -> None:
    editor = users["editor_a"].headers
    past = _create(client, users["editor_a"], valid_from="2026-11-24T00:00:00+07:00",
                   valid_until="2026-11-25T17:00:00+00:00").json()
    current = _create(client, users["editor_a"], valid_until="2999-01-01T00:00:00+00:00").json()
    assert past["valid_until"].startswith("2026-11-25T17:00")
    listed = {b["id"]: b["expired"] for b in client.get(API, headers=editor).json()}
    assert listed[past["id"]] is True and listed[current["id"]] is False


def test_a_bulletin_ending_before_it_starts_is_refused(client, users) -> None:
    response = _create(client, users["editor_a"], valid_from="2026-12-02T00:00:00+07:00",
                       valid_until="2026-12-01T00:00:00+07:00")
    assert response.status_code == 422
    assert "valid_until must be after valid_from" in response.json()["detail"]


def test_a_patch_can_date_a_bulletin_and_clear_the_date_again(client, users) -> None:
    editor = users["editor_a"].headers
    created = _create(client, users["editor_a"]).json()
    dated = client.patch(f"{API}/{created['id']}", json={"valid_until": "2026-01-01T00:00:00+07:00"},
                         headers=editor).json()
    assert dated["expired"] is True
    cleared = client.patch(f"{API}/{created['id']}", json={"valid_until": None}, headers=editor).json()
    assert cleared["valid_until"] is None and cleared["expired"] is False
