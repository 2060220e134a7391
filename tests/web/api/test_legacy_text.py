"""Text pasted in TCVN3 (ABC) or VNI is converted at every API entry and the answer says so."""

from signage_server.core.legacy_text import Encoding, encode
from tests.support.overrides import OVERRIDES, body

TITLE = "Thông báo lịch cắt điện"
TCVN3 = encode(TITLE, Encoding.TCVN3)  # "Th«ng b¸o lÞch c¾t ®iÖn"
VNI = encode(TITLE, Encoding.VNI)


def test_a_bulletin_in_tcvn3_is_stored_in_unicode_and_the_answer_shows_the_conversion(client, users) -> None:
    answer = client.post("/api/v1/bulletins", json={"title": TCVN3, "body": "Power cut"},
                         headers=users["editor_a"].headers)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["title"] == TITLE and made["body"] == "Power cut"
    assert made["converted"] == [{"field": "title", "encoding": "tcvn3", "before": TCVN3, "after": TITLE}]
    again = client.get(f"/api/v1/bulletins/{made['id']}", headers=users["editor_a"].headers).json()
    assert again["title"] == TITLE and again["converted"] == []


def test_a_bulletin_patch_in_vni_is_converted(client, users) -> None:
    headers = users["editor_a"].headers
    made = client.post("/api/v1/bulletins", json={"title": "Tin"}, headers=headers).json()
    patched = client.patch(f"/api/v1/bulletins/{made['id']}", json={"body": VNI}, headers=headers).json()
    assert patched["body"] == TITLE and patched["converted"][0]["encoding"] == "vni"


def test_unicode_text_is_not_reported_as_converted(client, users) -> None:
    made = client.post("/api/v1/bulletins", json={"title": TITLE}, headers=users["editor_a"].headers).json()
    assert made["title"] == TITLE and made["converted"] == []


def test_mixed_text_is_refused_with_its_reason(client, users) -> None:
    mixed = "Thông báo " + encode("lịch cắt điện", Encoding.TCVN3)
    answer = client.post("/api/v1/bulletins", json={"title": mixed}, headers=users["editor_a"].headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "text.legacy_mixed" and answer.json()["params"]["field"] == "title"


def test_a_ticker_text_and_a_playlist_name_in_tcvn3_are_converted(client, users) -> None:
    headers = users["editor_a"].headers
    made = client.post("/api/v1/playlists", json={"name": TCVN3}, headers=headers).json()
    assert made["name"] == TITLE and made["converted"][0]["field"] == "name"
    added = client.post(f"/api/v1/playlists/{made['id']}/items", json={"kind": "ticker", "text": VNI},
                        headers=headers).json()
    assert added["items"][0]["text"] == TITLE and added["converted"][0]["field"] == "text"


def test_an_emergency_text_in_vni_is_converted(client, users, make_board) -> None:
    make_board()
    answer = client.post(OVERRIDES, json=body(title=VNI), headers=users["operator_a"].headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["title"] == TITLE and answer.json()["converted"][0]["encoding"] == "vni"
