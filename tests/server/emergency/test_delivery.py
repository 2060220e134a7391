"""Delivery over a real WebSocket: the push arrives, acks update the status, the cancel arrives, and
a board that reconnects (a reboot) gets the live override at once and in its manifest."""

from signage_contract import Manifest, SignedManifest
from signage_contract import device as wire
from tests.support.overrides import OVERRIDES, device_headers, issue, issue_and_confirm


def hello(ws, client, headers) -> None:
    version = client.get(wire.DEVICE_MANIFEST, headers=headers).headers["ETag"].strip('"')
    ws.send_text(wire.Hello(manifest_version=version).model_dump_json())


def test_confirm_pushes_the_override_at_once(client, session, users, make_board) -> None:
    board = make_board()
    device = device_headers(session, board.id)
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=device) as ws:
        hello(ws, client, device)
        created = issue(client, users["operator_a"].headers)
        client.post(f"{OVERRIDES}/{created['id']}/confirm", headers=users["operator_a"].headers)
        push = wire.OverridePush.model_validate_json(ws.receive_text())
    assert push.override.id == str(created["id"]) and push.override.title == created["title"]


def test_acks_show_in_the_status_and_the_cancel_arrives(client, session, users, make_board) -> None:
    board = make_board()
    absent = make_board()
    device = device_headers(session, board.id)
    headers = users["operator_a"].headers
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=device) as ws:
        hello(ws, client, device)
        override_id = issue_and_confirm(client, headers)["id"]
        push = wire.OverridePush.model_validate_json(ws.receive_text())
        for stage in ("received", "displayed"):
            ack = wire.OverrideAck(override_id=push.override.id, stage=stage, at=push.override.issued_at)
            ws.send_text(ack.model_dump_json())
        client.portal.call(client.app.state.receipts.wait_recorded, 2)
        status = client.get(f"{OVERRIDES}/{override_id}/status", headers=headers).json()
        client.post(f"{OVERRIDES}/{override_id}/cancel", headers=headers)
        cancel = _next_of(ws, "override_cancel")
    by_board = {b["board_id"]: b for b in status["boards"]}
    assert by_board[board.id]["status"] == "displayed" and by_board[board.id]["connected"]
    assert by_board[absent.id]["status"] == "unreachable"
    assert status["counts"] == {"displayed": 1, "delivered": 0, "pending": 0, "unreachable": 1}
    assert wire.OverrideCancel.model_validate_json(cancel).override_id == str(override_id)


def test_a_rebooted_board_gets_the_live_override_after_hello_and_in_its_manifest(client, session, users,
                                                                                  make_board) -> None:
    board = make_board()
    override_id = str(issue_and_confirm(client, users["operator_a"].headers)["id"])
    device = device_headers(session, board.id)  # a new connection, as after a power cut
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=device) as ws:
        ws.send_text(wire.Hello(manifest_version=None).model_dump_json())
        push = wire.OverridePush.model_validate_json(ws.receive_text())
    assert push.override.id == override_id
    client.portal.call(client.app.state.composer.wait_idle)
    signed = SignedManifest.model_validate(client.get(wire.DEVICE_MANIFEST, headers=device).json())
    assert [o.id for o in Manifest.model_validate_json(signed.payload).overrides] == [override_id]


def test_an_update_is_pushed_again(client, session, users, make_board) -> None:
    board = make_board()
    device = device_headers(session, board.id)
    headers = users["operator_a"].headers
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=device) as ws:
        hello(ws, client, device)
        override_id = issue_and_confirm(client, headers)["id"]
        _next_of(ws, "override")
        client.patch(f"{OVERRIDES}/{override_id}", json={"body": "Sơ tán ngay."}, headers=headers)
        again = wire.OverridePush.model_validate_json(_next_of(ws, "override"))
    assert again.override.body == "Sơ tán ngay."


def _next_of(ws, kind: str) -> str:
    """The next message of this type (nudges from recomposition may come in between)."""
    while True:
        text = ws.receive_text()
        if f'"type":"{kind}"' in text:
            return text
