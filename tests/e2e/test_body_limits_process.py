"""A real server process (``signage-server``, uvicorn) under oversized CAP bodies: its resident memory
stays flat and the connection is closed, instead of the body being buffered or drained.

Linux only (the server's RSS is read from ``/proc``)."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_site import stop, wait_until
from tests.support.net import free_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
TOKEN = "e2e-cap-token-0123456789"
BODY_BYTES = 200 * 1024 * 1024
CHUNK = 256 * 1024
MAX_GROWTH_KIB = 20 * 1024


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS line")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    senders = json.dumps({"a@example.vn": {"token": TOKEN}})
    env = {**os.environ, "SIGNAGE_DATA_DIR": str(tmp_path / "data"), "SIGNAGE_SEED_UNITS": "false",
           "SIGNAGE_LOG_LEVEL": "warning", "SIGNAGE_CAP_SENDERS": senders}
    env.pop("SIGNAGE_DATABASE_URL", None)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "signage_server.cli", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _healthy(port), "the server to answer /healthz", [process], log=log)
        yield process, port
    finally:
        stop(process)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def send_chunked(port: int, headers: dict[str, str]) -> tuple[str, int]:
    """POST BODY_BYTES of chunked body to /api/v1/cap; the status line and the bytes the server took."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    frame = f"{CHUNK:x}\r\n".encode() + b"\0" * CHUNK + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"POST /api/v1/cap HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                     f"Content-Type: application/cap+xml\r\n{head}\r\n".encode())
        try:
            while sent < BODY_BYTES:
                sock.sendall(frame)
                sent += CHUNK
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed the connection
        status = sock.recv(4096).split(b"\r\n", 1)[0].decode()
    return status, sent


def peak_growth_kib(pid: int, action) -> tuple[object, int]:
    """Run ``action`` while sampling the process's RSS; its result and the peak growth in KiB."""
    idle = rss_kib(pid)
    peak = [idle]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            done.wait(0.005)  # a sampling period, not a wait for an event

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = action()
    finally:
        done.set()
        sampler.join()
    return result, peak[0] - idle


@pytest.mark.parametrize(("headers", "answer"), [
    ({}, "401"),
    ({"X-CAP-Token": "not-the-token-0123456789"}, "403"),
    ({"X-CAP-Token": TOKEN}, "413"),
])
def test_a_200_mb_cap_body_leaves_the_servers_memory_flat(server, headers, answer) -> None:
    process, port = server
    (status, sent), growth_kib = peak_growth_kib(process.pid, lambda: send_chunked(port, headers))
    assert answer in status
    assert growth_kib < MAX_GROWTH_KIB, f"RSS grew by {growth_kib / 1024:.1f} MiB"
    assert sent < BODY_BYTES // 4  # the connection was closed, not drained to the end
    assert _healthy(port)


def test_an_idle_connection_outlives_uvicorns_five_seconds_so_a_proxy_can_reuse_it(server) -> None:
    """A proxy or client keeps idle connections for reuse (nginx upstream keepalive 60 s, Caddy
    2 min): the server must not close one first, or a request sent on it as it closes is reset."""
    _process, port = server
    request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        assert _whole_response(sock).startswith(b"HTTP/1.1 200")
        # The behaviour under test is the idle time itself: a close within it makes the socket readable
        # (so the whole response was read first: its body can come in a segment of its own).
        readable, _, _ = select.select([sock], [], [], 6.5)
        assert not readable, "the server closed an idle connection within 6.5 s"
        sock.sendall(request)
        assert _whole_response(sock).startswith(b"HTTP/1.1 200")


def _whole_response(sock: socket.socket) -> bytes:
    """One HTTP/1.1 response with a Content-Length, read to its last byte."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, "the server closed the connection before answering"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(4096)
        assert chunk, "the server closed the connection in the middle of a response"
        body += chunk
    assert len(body) == length, "more than one response arrived"
    return data
