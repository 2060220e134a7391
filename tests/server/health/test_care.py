"""Remote care over the API: commands reach the board's socket (audited), a reboot only where the
player's config allows it, a log fetch round trip with a bounded upload, the PC facts and the clock
warning in the board's health."""

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from signage_contract import device as wire
from signage_server.devices.auth import issue_credential
from signage_server.health import care
from signage_server.models import AuditEvent, BoardLogFetch, BoardStatus, utcnow


@pytest.fixture
def device(session, make_board):
    board = make_board()
    _credential, token = issue_credential(session, board.id, "mini-pc")
    return board, {"Authorization": f"Bearer {token}"}


JSON = {"Content-Type": "application/json"}


def _receive(ws, kind: str) -> dict:
    while (message := json.loads(ws.receive_text()))["type"] != kind:
        pass  # a nudge for the manifest may come first
    return message


def _beat(client, headers, **fields) -> None:
    beat = wire.Heartbeat(sent_at=utcnow(), **fields)
    response = client.post(wire.DEVICE_HEARTBEAT, content=beat.model_dump_json(), headers=headers)
    assert response.status_code == 200


def test_restart_and_log_level_reach_the_board_and_are_audited(client, session, device, users):
    board, headers = device
    operator = users["operator_a"].headers
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=dict(headers)) as ws:
        ws.send_text(wire.Hello().model_dump_json())
        url = f"/api/v1/boards/{board.id}/care"
        assert client.post(url, json={"action": "restart"}, headers=operator).status_code == 202
        assert wire.CareCommand.model_validate(_receive(ws, "care")).action == "restart"
        debug = {"action": "log_level", "level": "DEBUG"}
        assert client.post(url, json=debug, headers=operator).status_code == 202
        assert wire.CareCommand.model_validate(_receive(ws, "care")).level == "DEBUG"
    loud = {"action": "log_level", "level": "LOUD"}
    assert client.post(url, json=loud, headers=operator).status_code == 422
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == care.OBJECT_TYPE)).all()
    assert sorted(actions) == ["log_level", "restart"]


def test_reboot_only_where_the_boards_player_allows_it(client, device, users):
    board, headers = device
    url = f"/api/v1/boards/{board.id}/care"
    operator = users["operator_a"].headers
    refused = client.post(url, json={"action": "reboot"}, headers=operator)
    assert refused.status_code == 409 and refused.json()["code"] == "care.reboot_not_allowed"
    _beat(client, headers, allow_reboot=False)
    assert client.post(url, json={"action": "reboot"}, headers=operator).status_code == 409
    _beat(client, headers, allow_reboot=True)
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=dict(headers)) as ws:
        ws.send_text(wire.Hello().model_dump_json())
        assert client.post(url, json={"action": "reboot"}, headers=operator).status_code == 202
        assert _receive(ws, "care")["action"] == "reboot"


def test_viewers_cannot_care_for_boards(client, device, users):
    board, _headers = device
    viewer = users["viewer_a"].headers
    assert client.post(f"/api/v1/boards/{board.id}/care", json={"action": "restart"},
                       headers=viewer).status_code == 403
    assert client.post(f"/api/v1/boards/{board.id}/log-requests", json={"lines": 5},
                       headers=viewer).status_code == 403


def test_a_log_fetch_round_trip(client, session, device, users, make_board):
    board, headers = device
    operator = users["operator_a"].headers
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=dict(headers)) as ws:
        ws.send_text(wire.Hello().model_dump_json())
        asked = client.post(f"/api/v1/boards/{board.id}/log-requests", json={"lines": 2}, headers=operator)
        assert asked.status_code == 202
        request = wire.LogsRequest.model_validate(_receive(ws, "logs"))
    assert request.request_id == asked.json()["request_id"] and request.lines == 2
    status_url = f"/api/v1/boards/{board.id}/log-requests/{request.request_id}"
    assert client.get(status_url, headers=operator).json()["lines"] is None
    body = wire.LogUpload(request_id=request.request_id, lines=["dòng 1", "line 2"])
    sent = client.post(wire.DEVICE_LOGS, content=body.model_dump_json(), headers=headers | JSON)
    assert sent.status_code == 204
    assert client.get(status_url, headers=operator).json()["lines"] == ["dòng 1", "line 2"]
    # answered once; another board's token cannot answer it; unknown ids are refused
    again = client.post(wire.DEVICE_LOGS, content=body.model_dump_json(), headers=headers | JSON)
    assert again.status_code == 404
    other = make_board()
    _c, other_token = issue_credential(session, other.id, "other-pc")
    row = BoardLogFetch(id="f" * 24, board_id=board.id)
    session.add(row)
    session.commit()
    stolen = wire.LogUpload(request_id=row.id, lines=["x"]).model_dump_json()
    assert client.post(wire.DEVICE_LOGS, content=stolen,
                       headers={"Authorization": f"Bearer {other_token}"} | JSON).status_code == 404
    assert client.post(wire.DEVICE_LOGS, content=stolen, headers=JSON).status_code == 401


def test_an_oversized_log_upload_is_refused_before_it_is_read(client, device):
    _board, headers = device
    huge = json.dumps({"request_id": "r", "lines": ["x" * 900] * 1500})
    assert len(huge) > wire.LOG_UPLOAD_MAX_BYTES
    assert client.post(wire.DEVICE_LOGS, content=huge, headers=headers | JSON).status_code == 413


def test_health_shows_the_pc_and_warns_of_a_clock_far_off(client, session, device, users):
    board, headers = device
    beat = wire.Heartbeat(sent_at=utcnow() - timedelta(minutes=7), os_name="Linux 6.1 (x86_64)",
                          temperature_c=61.5, allow_reboot=True, log_level="INFO", free_disk_bytes=10**9)
    client.post(wire.DEVICE_HEARTBEAT, content=beat.model_dump_json(), headers=headers)
    health = client.get(f"/api/v1/boards/{board.id}/status", headers=users["viewer_a"].headers).json()
    assert health["os_name"] == "Linux 6.1 (x86_64)"
    assert (health["temperature_c"], health["allow_reboot"]) == (61.5, True)
    assert health["clock_skewed"] is True
    status = session.get(BoardStatus, board.id)
    assert status is not None and status.clock_offset_s > care.CLOCK_SKEW_WARN_S
    _beat(client, headers)
    healthy = client.get(f"/api/v1/boards/{board.id}/status", headers=users["viewer_a"].headers).json()
    assert healthy["clock_skewed"] is False


def test_the_players_own_care_code_answers_a_log_fetch_end_to_end(client, device, users, tmp_path):
    """The player's CareDesk and HealthService against the real server: the socket's request, the
    bounded log file's tail (secrets masked), the upload, the operator reading it."""
    import logging

    from player.core.care import CareDesk, install_log_file
    from player.core.playlog import PlayLog
    from player.core.playtrack import PlayTracker
    from player.core.shared import Shared
    from player.core.state import StateDir
    from player.net.health import HealthService
    from signage_contract.device import DeviceCredential

    board, headers = device
    state = StateDir(tmp_path / "state")
    state.save_credential(DeviceCredential(board_id=str(board.id), token=headers["Authorization"][7:],
                                           server_public_key="", key_id="k"))
    playlog = PlayLog(tmp_path / "plays.sqlite3")
    handler = install_log_file(state.root)
    try:
        health = HealthService(state, Shared(), client, PlayTracker(playlog.submit), playlog)
        desk = CareDesk(log_root=state.root, restart=lambda _code: None, upload_logs=health.upload_logs)
        logging.getLogger("player.e2e").warning("link slow; Authorization: Bearer %s", "leaked-token")
        operator = users["operator_a"].headers
        with client.websocket_connect(wire.DEVICE_SOCKET, headers=dict(headers)) as ws:
            ws.send_text(wire.Hello().model_dump_json())
            asked = client.post(f"/api/v1/boards/{board.id}/log-requests", json={"lines": 5},
                                headers=operator)
            message = wire.parse_server_message(json.dumps(_receive(ws, "logs")))
        assert isinstance(message, wire.LogsRequest)
        desk.handle(message, wait=True)
        fetched = client.get(f"/api/v1/boards/{board.id}/log-requests/{asked.json()['request_id']}",
                             headers=operator).json()
        assert fetched["fulfilled_at"] is not None and fetched["lines"][-1].endswith("Bearer ***")
        assert "leaked-token" not in "\n".join(fetched["lines"])
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        playlog.close()
