"""The override API: two steps, scope, roles, bounded expiry, update, cancel, audit, lazy expiry."""

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from signage_contract import Manifest, SignedManifest
from signage_contract import device as wire
from signage_server.models import AuditEvent, BoardKind, Override, Role
from tests.support.factories import make_user
from tests.support.overrides import OVERRIDES, body, device_headers, in_hours, issue, issue_and_confirm


def manifest_of(client, session, board_id: int) -> Manifest:
    client.portal.call(client.app.state.composer.wait_idle)
    answer = client.get(wire.DEVICE_MANIFEST, headers=device_headers(session, board_id))
    return Manifest.model_validate_json(SignedManifest.model_validate(answer.json()).payload)


def test_create_is_pending_lists_the_boards_and_pushes_nothing(client, session, users, tree, make_board,
                                                               changes) -> None:
    public = make_board()
    commercial = make_board(unit_id=tree.village_a, kind=BoardKind.COMMERCIAL)  # requisitioned
    make_board(unit_id=tree.commune_b)
    created = issue(client, users["operator_a"].headers)
    assert created["state"] == "pending_confirmation"
    assert created["board_count"] == 2
    assert {b["id"] for b in created["boards"]} == {public.id, commercial.id}
    assert changes == []
    assert manifest_of(client, session, public.id).overrides == []


LONG_INSTRUCTION = (
    "Lũ quét và sạt lở đất có thể xảy ra trong đêm nay. Người dân ven suối Nậm Pàn sơ tán ngay đến "
    "nhà văn hóa bản; tuyệt đối không qua ngầm, tràn khi nước đang chảy xiết; gọi 112 khi cần cứu nạn."
)


def test_the_operator_is_told_how_many_pages_the_text_takes_on_the_smallest_board(client, users,
                                                                                   make_board) -> None:
    make_board(width=1920, height=1080)
    make_board(width=1920, height=1080, capture_w=384, capture_h=192)  # an LED card's rectangle
    title = "Cảnh báo lũ quét, sạt lở đất khu vực ven suối"
    created = issue(client, users["operator_a"].headers, title=title,
                    body=LONG_INSTRUCTION)
    assert created["pages"]["pages"] > 1
    assert (created["pages"]["width"], created["pages"]["height"]) == (384, 192)
    short = issue(client, users["operator_a"].headers)
    assert short["pages"] == {"pages": 1, "width": 384, "height": 192}


def test_confirm_makes_it_active_and_part_of_every_targeted_manifest(client, session, users, tree,
                                                                      make_board) -> None:
    board = make_board(kind=BoardKind.COMMERCIAL)
    other = make_board(unit_id=tree.commune_b)
    confirmed = issue_and_confirm(client, users["operator_a"].headers)
    assert confirmed["state"] == "active" and confirmed["confirmed_by"] == users["operator_a"].id
    carried = manifest_of(client, session, board.id).overrides
    assert [o.id for o in carried] == [str(confirmed["id"])]
    assert carried[0].risk_level == 4 and carried[0].title == "Bão số 13 đổ bộ"
    assert manifest_of(client, session, other.id).overrides == []


def test_another_operator_in_scope_may_confirm_but_not_one_outside(client, session, users, tree,
                                                                    make_board, password_hash) -> None:
    make_board()
    created = issue(client, users["operator_a"].headers)
    operator_b = make_user(session, "operator-b", Role.OPERATOR, tree.commune_b, password_hash)
    url = f"{OVERRIDES}/{created['id']}/confirm"
    assert client.post(url, headers=operator_b.headers).status_code == 404
    confirmed = client.post(url, headers=users["admin"].headers)  # province admin, above commune A
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_by"] == users["admin"].id


def test_confirming_twice_conflicts(client, users, make_board) -> None:
    make_board()
    confirmed = issue_and_confirm(client, users["operator_a"].headers)
    again = client.post(f"{OVERRIDES}/{confirmed['id']}/confirm", headers=users["operator_a"].headers)
    assert again.status_code == 409 and "active" in again.json()["detail"]


@pytest.mark.parametrize("who", ["editor_a", "approver_a", "viewer_a"])
def test_only_operators_and_admins_issue(client, users, who) -> None:
    answer = client.post(OVERRIDES, json=body(), headers=users[who].headers)
    assert answer.status_code == 403


def test_operator_of_commune_a_cannot_target_commune_b(client, users, tree, make_board) -> None:
    board_b = make_board(unit_id=tree.commune_b)
    headers = users["operator_a"].headers
    by_unit = client.post(OVERRIDES, json=body({"unit_ids": [tree.commune_b]}), headers=headers)
    by_board = client.post(OVERRIDES, json=body({"board_ids": [board_b.id]}), headers=headers)
    assert by_unit.status_code == 404 and by_board.status_code == 404


def test_many_named_boards_are_checked_together_and_one_outside_or_missing_refuses_all(
        client, users, tree, make_board, monkeypatch) -> None:
    monkeypatch.setattr("signage_server.emergency.overrides._CHUNK", 2)  # several IN lists
    mine = [make_board(unit_id=unit).id for unit in (tree.commune_a, tree.village_a, tree.commune_a)]
    board_b = make_board(unit_id=tree.commune_b)
    headers = users["operator_a"].headers
    for wrong in ([*mine, board_b.id], [*mine, 987_654]):
        answer = client.post(OVERRIDES, json=body({"board_ids": wrong}), headers=headers)
        assert answer.status_code == 404 and str(wrong[-1]) in answer.text
    missing_unit = client.post(OVERRIDES, json=body({"unit_ids": [tree.commune_a, 987_654]}), headers=headers)
    assert missing_unit.status_code == 404
    assert client.post(OVERRIDES, json=body({"board_ids": mine}), headers=headers).status_code == 201


def test_a_tag_targets_only_boards_within_the_issuers_scope(client, users, tree, make_board) -> None:
    in_a = make_board(unit_id=tree.village_a, tags=["cho"])
    make_board(unit_id=tree.commune_b, tags=["cho"])
    make_board(tags=["truong"])
    created = issue(client, users["operator_a"].headers, target={"tags": ["cho"]})
    assert [b["id"] for b in created["boards"]] == [in_a.id]


@pytest.mark.parametrize(
    ("hours", "reason"),
    [(None, "expires_at"), (-1, "future"), (73, "at most 72 h")],
)
def test_expiry_is_required_and_bounded(client, users, hours, reason) -> None:
    payload = body()
    if hours is None:
        del payload["expires_at"]
    else:
        payload["expires_at"] = in_hours(hours)
    answer = client.post(OVERRIDES, json=payload, headers=users["operator_a"].headers)
    assert answer.status_code == 422 and reason in answer.json()["detail"]


def test_text_is_stored_nfc(client, users, make_board) -> None:
    make_board()
    title = unicodedata.normalize("NFD", "Cảnh báo lũ quét")
    created = issue(client, users["operator_a"].headers, title=title)
    assert created["title"] == unicodedata.normalize("NFC", title)


def test_update_cancel_and_the_audit_trail(client, session, users, make_board) -> None:
    make_board()
    headers = users["operator_a"].headers
    override_id = issue_and_confirm(client, headers)["id"]
    patched = client.patch(f"{OVERRIDES}/{override_id}", json={"title": "Bão số 13 suy yếu", "risk_level": 3},
                           headers=headers)
    assert patched.status_code == 200 and patched.json()["title"] == "Bão số 13 suy yếu"
    cancelled = client.post(f"{OVERRIDES}/{override_id}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert client.post(f"{OVERRIDES}/{override_id}/cancel", headers=headers).status_code == 409
    events = session.exec(select(AuditEvent).where(AuditEvent.object_id == str(override_id))
                          .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["issue", "confirm", "update", "cancel"]
    assert all(e.actor == "operator-a" and e.ip == "testclient" for e in events)
    assert events[2].before["risk_level"] == 4 and events[2].after["risk_level"] == 3
    assert events[3].after["state"] == "cancelled"


def test_an_override_past_its_expiry_reads_as_expired(client, session, users, make_board) -> None:
    make_board()
    override_id = issue_and_confirm(client, users["operator_a"].headers)["id"]
    row = session.get(Override, override_id)
    row.starts_at = datetime.now(UTC) - timedelta(hours=2)
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.add(row)
    session.commit()
    answer = client.get(f"{OVERRIDES}/{override_id}", headers=users["operator_a"].headers)
    assert answer.json()["state"] == "expired"


def test_other_communes_do_not_see_it_and_the_province_does(client, users, make_board) -> None:
    make_board()
    override_id = issue(client, users["operator_a"].headers)["id"]
    assert client.get(f"{OVERRIDES}/{override_id}", headers=users["editor_b"].headers).status_code == 404
    assert client.get(OVERRIDES, headers=users["editor_b"].headers).json() == []
    listed = client.get(OVERRIDES, headers=users["admin"].headers).json()
    assert [o["id"] for o in listed] == [override_id]


def test_a_draft_never_sent_has_no_delivery_status(client, users, make_board) -> None:
    """Unconfirmed, it reached no board: neither pending nor unreachable, just nothing."""
    make_board()
    created = issue(client, users["operator_a"].headers)
    status = client.get(f"{OVERRIDES}/{created['id']}/status", headers=users["operator_a"].headers).json()
    assert status["boards"] == [] and set(status["counts"].values()) == {0}


def test_extending_through_the_api_moves_the_expiry_and_counts_the_pages_again(client, session, users,
                                                                               make_board) -> None:
    make_board(width=384, height=192)
    headers = users["operator_a"].headers
    created = issue_and_confirm(client, headers)
    def instant(text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    later = instant(created["expires_at"]) + timedelta(hours=3)
    patched = client.patch(f"{OVERRIDES}/{created['id']}", json={"expires_at": later.isoformat()},
                           headers=headers)
    assert patched.status_code == 200, patched.text
    answer = patched.json()
    assert instant(answer["expires_at"]) == later
    assert answer["board_count"] == 1 and answer["pages"]["width"] == 384 and answer["pages"]["pages"] >= 1
