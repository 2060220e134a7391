"""Power and brightness schedules through the API: who may set them, inheritance down the unit
tree, the signed manifest carrying them, and the heartbeat's screen state and brightness."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from signage_contract import Manifest, SignedManifest
from signage_contract import device as wire
from signage_server.models import AuditEvent, BoardStatus
from tests.support.overrides import device_headers

NIGHT = {"off": [{"start": "22:00", "end": "05:30"}],
         "dim": [{"start": "19:00", "end": "06:00", "level": 30}]}
WEEKEND = {"off": [{"start": "20:00", "end": "07:00", "days": [5, 6]}]}


def _manifest(client, headers) -> Manifest:
    response = client.get(wire.DEVICE_MANIFEST, headers=headers)
    assert response.status_code == 200, response.text
    return Manifest.model_validate_json(SignedManifest.model_validate(response.json()).payload)


def test_unit_schedule_is_inherited_and_a_board_overrides_it(client, users, tree, make_board, changes):
    board = make_board(tree.commune_a)
    admin = users["admin"].headers
    assert client.put(f"/api/v1/units/{tree.province}/power", json=NIGHT, headers=admin).status_code == 200
    assert changes[-1].units == {tree.province}
    got = client.get(f"/api/v1/boards/{board.id}/power", headers=users["viewer_a"].headers).json()
    assert got["own"] is None and got["inherited_from_unit_id"] == tree.province
    assert got["effective"]["off"][0]["start"] == "22:00:00"

    approver = users["approver_a"].headers
    response = client.put(f"/api/v1/boards/{board.id}/power", json=WEEKEND, headers=approver)
    assert response.status_code == 200, response.text
    assert response.json()["effective"]["off"][0]["days"] == [5, 6]
    assert changes[-1].boards == {board.id}
    deleted = client.delete(f"/api/v1/boards/{board.id}/power", headers=users["admin_a"].headers)
    assert deleted.status_code == 204
    assert client.get(f"/api/v1/boards/{board.id}/power", headers=admin).json()["own"] is None
    bad = {"off": [{"start": "22:00", "end": "22:00"}]}
    assert client.put(f"/api/v1/units/{tree.commune_a}/power", json=bad, headers=admin).status_code == 422


def test_only_admins_and_approvers_of_the_unit_set_schedules(client, users, tree, make_board, session):
    board = make_board(tree.commune_a)
    for who in ("editor_a", "operator_a", "viewer_a"):
        response = client.put(f"/api/v1/boards/{board.id}/power", json=NIGHT, headers=users[who].headers)
        assert response.status_code == 403, who
    assert client.put(f"/api/v1/units/{tree.commune_b}/power", json=NIGHT,
                      headers=users["approver_a"].headers).status_code == 404
    assert client.put(f"/api/v1/units/{tree.province}/power", json=NIGHT,
                      headers=users["approver_a"].headers).status_code == 404  # above their unit
    assert client.put(f"/api/v1/units/{tree.commune_a}/power", json=NIGHT,
                      headers=users["approver_a"].headers).status_code == 200
    events = session.exec(select(AuditEvent).where(AuditEvent.object_type == "power_schedule")).all()
    assert [e.action for e in events] == ["create"]


def test_the_manifest_and_uptime_follow_the_schedule_that_applies(client, users, tree, make_board, session):
    board = make_board(tree.commune_a)
    board.created_at = datetime.now(UTC) - timedelta(days=3)  # a night lies inside what is observed
    session.add(board)
    session.commit()
    headers = device_headers(session, board.id)
    assert _manifest(client, headers).power is None
    client.put(f"/api/v1/units/{tree.commune_a}/power", json=NIGHT, headers=users["admin"].headers)
    client.app.state.composer.recompose(session, [board.id])  # its own runs in the background
    power = _manifest(client, headers).power
    assert power is not None and power.dim[0].level == 30
    # uptime counts the night apart from what was observed
    days = client.get(f"/api/v1/boards/{board.id}/uptime", headers=users["admin"].headers).json()
    assert any(d["scheduled_off_s"] > 0 for d in days)


def test_heartbeat_screen_state_and_brightness_are_stored_and_shown(client, users, make_board, session):
    board = make_board()
    beat = wire.Heartbeat(sent_at=datetime.now(UTC), screen_state="off", brightness=0)
    response = client.post(wire.DEVICE_HEARTBEAT, content=beat.model_dump_json(),
                           headers={**device_headers(session, board.id), "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    shown = client.get(f"/api/v1/boards/{board.id}/status", headers=users["admin"].headers).json()
    assert (shown["screen_state"], shown["brightness"]) == ("off", 0)
    session.expire_all()
    assert session.get(BoardStatus, board.id).brightness == 0
    assert json.loads(beat.model_dump_json())["brightness"] == 0

