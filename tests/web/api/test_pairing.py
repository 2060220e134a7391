"""Claiming a player's on-screen code for a board, and revoking a board's devices."""

import pytest
from starlette.websockets import WebSocketDisconnect

from signage_contract import device as wire


def _start(client):
    ticket = wire.PairingTicket.model_validate(
        client.post(wire.PAIRING_START, json={"hardware_id": "nuc-7"}).json()
    )
    return ticket, wire.PAIRING_POLL.format(ticket_id=ticket.ticket_id), {"X-Pairing-Secret": ticket.secret}


def test_operator_claims_code_and_device_collects_credential(client, users, make_board) -> None:
    board = make_board()
    ticket, poll, secret = _start(client)
    spoken = " ".join(ticket.code.lower())  # read aloud over the phone: spaces, lower case
    claimed = client.post(
        f"/api/v1/boards/{board.id}/pairing", json={"code": spoken}, headers=users["operator_a"].headers
    )
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["hardware_id"] == "nuc-7"
    status = wire.PairingStatus.model_validate(client.get(poll, headers=secret).json())
    assert status.credential is not None and status.credential.board_id == str(board.id)


@pytest.mark.parametrize("who", ["editor_a", "viewer_a", "approver_a"])
def test_only_admins_and_operators_claim(client, users, make_board, who) -> None:
    board = make_board()
    ticket, _poll, _secret = _start(client)
    answer = client.post(
        f"/api/v1/boards/{board.id}/pairing", json={"code": ticket.code}, headers=users[who].headers
    )
    assert answer.status_code == 403


def test_board_outside_scope_is_not_found(client, users, make_board, tree) -> None:
    board = make_board(unit_id=tree.commune_b)
    ticket, _poll, _secret = _start(client)
    answer = client.post(
        f"/api/v1/boards/{board.id}/pairing", json={"code": ticket.code}, headers=users["operator_a"].headers
    )
    assert answer.status_code == 404


def test_unknown_or_malformed_code_says_why(client, users, make_board) -> None:
    board = make_board()
    headers = users["operator_a"].headers
    bad = client.post(f"/api/v1/boards/{board.id}/pairing", json={"code": "12"}, headers=headers)
    assert bad.status_code == 422 and "pairing code is 6 characters" in bad.text
    unknown = client.post(f"/api/v1/boards/{board.id}/pairing", json={"code": "ACDEFH"}, headers=headers)
    assert unknown.status_code == 404 and "no player is showing code ACDEFH" in unknown.text


def test_revoking_devices_cuts_polls_and_live_socket(client, users, make_board) -> None:
    board = make_board()
    ticket, poll, secret = _start(client)
    headers = users["operator_a"].headers
    client.post(f"/api/v1/boards/{board.id}/pairing", json={"code": ticket.code}, headers=headers)
    token = client.get(poll, headers=secret).json()["credential"]["token"]
    auth = {"Authorization": f"Bearer {token}"}
    etag = client.get(wire.DEVICE_MANIFEST, headers=auth).headers["ETag"]
    unchanged = {**auth, "If-None-Match": etag}
    assert client.get(wire.DEVICE_MANIFEST, headers=unchanged).status_code == 304  # now from memory
    devices = client.get(f"/api/v1/boards/{board.id}/devices", headers=headers).json()
    assert [d["hardware_id"] for d in devices] == ["nuc-7"] and "token" not in devices[0]
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=auth) as ws:
        ws.send_text(wire.Hello(manifest_version=None).model_dump_json())
        ws.receive_text()  # the nudge: its manifest version differs from none
        assert client.delete(f"/api/v1/boards/{board.id}/devices", headers=headers).status_code == 204
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text()
    assert client.get(wire.DEVICE_MANIFEST, headers=unchanged).status_code == 401
