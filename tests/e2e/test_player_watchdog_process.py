"""A real headless player started as systemd would start it (``$NOTIFY_SOCKET`` set) tells it it is
ready once it draws, then keeps feeding the watchdog from its frame loop."""

from __future__ import annotations

import socket

from tests.e2e.test_player_override_process import start_player, stored_override_state


def test_a_running_player_reports_ready_and_feeds_the_watchdog(tmp_path, monkeypatch) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = tmp_path / "notify"
    sock.bind(str(address))
    sock.settimeout(60)
    monkeypatch.setenv("NOTIFY_SOCKET", str(address))
    stored_override_state(tmp_path / "state")
    player = start_player(tmp_path / "state")
    try:
        messages = [sock.recv(4096).decode()]
        messages.append(sock.recv(4096).decode())
        assert messages[0].startswith("READY=1") and messages[1] == "WATCHDOG=1"
        sock.settimeout(30)
        assert sock.recv(4096) == b"WATCHDOG=1"  # the next one, from the running loop (every 7.5 s)
    finally:
        player.terminate()
        player.wait(timeout=30)
        sock.close()
    assert player.returncode == 0
