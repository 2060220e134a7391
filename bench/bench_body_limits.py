"""Oversized request bodies against a real server process (uvicorn, one worker, SQLite).

For each case a raw socket sends 500 MB (chunked, or with its Content-Length) while the server's
resident memory (``/proc/PID/status`` VmRSS, Linux) and ``/healthz`` latency are sampled. Reported:
the status, the bytes the client got to send before the server closed, the RSS growth over the
idle server (target < 20 MB) and the worst ``/healthz`` time during the send.

``BENCH_BODY_MB`` changes the size; ``BENCH_PORT`` pins the server's port.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .bench_server import _free_port, _serve

BODY_MB = int(os.environ.get("BENCH_BODY_MB", "500"))
TOKEN = "bench-cap-token-0123456789"
SENDER = "bench@example.vn"
CHUNK = 256 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    headers: dict[str, str]
    chunked: bool
    prefix: bytes = b""


CASES = (
    Case("CAP, no token, chunked", "/api/v1/cap", {"Content-Type": "application/cap+xml"}, True),
    Case("CAP, no token, Content-Length", "/api/v1/cap", {"Content-Type": "application/cap+xml"}, False),
    Case("CAP, valid token, chunked", "/api/v1/cap",
         {"Content-Type": "application/cap+xml", "X-CAP-Token": TOKEN}, True),
    Case("media upload, no login, chunked", "/api/v1/media",
         {"Content-Type": "multipart/form-data; boundary=xyz"}, True,
         b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'),
    Case("play batch, no credential, chunked", "/api/v1/device/plays",
         {"Content-Type": "application/json"}, True),
)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Sampler(threading.Thread):
    """Peak RSS of the server and worst /healthz latency while the send runs."""

    def __init__(self, pid: int, port: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.port = pid, port
        self.peak_kib = 0
        self.worst_healthz_s = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            started = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=30) as answer:
                answer.read()
            self.worst_healthz_s = max(self.worst_healthz_s, time.perf_counter() - started)
            self.done.wait(0.02)


def frame(data: bytes, chunked: bool) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data


def send(port: int, case: Case, total: int) -> tuple[str, int]:
    """Send ``total`` bytes of body (or as much as the server takes); the status line and bytes sent."""
    head = [f"POST {case.path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    head += [f"{k}: {v}" for k, v in case.headers.items()]
    head.append("Transfer-Encoding: chunked" if case.chunked else f"Content-Length: {total}")
    first = frame(case.prefix + b"\0" * (CHUNK - len(case.prefix)), case.chunked)
    rest = frame(b"\0" * CHUNK, case.chunked)
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            while sent < total:
                sock.sendall(rest if sent else first)
                sent += CHUNK
            if case.chunked:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused and closed: what we want
        sock.settimeout(60)
        try:
            status = sock.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
        except (ConnectionResetError, TimeoutError) as exc:
            status = f"({type(exc).__name__})"
    return status, sent


def main() -> None:
    total = BODY_MB * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        port = int(os.environ.get("BENCH_PORT", "0")) or _free_port()
        env = {**os.environ, "SIGNAGE_DATA_DIR": tmp, "SIGNAGE_LOG_LEVEL": "warning",
               "SIGNAGE_SEED_UNITS": "false",
               "SIGNAGE_CAP_SENDERS": json.dumps({SENDER: {"token": TOKEN}})}
        server = _serve([sys.executable, "-m", "signage_server.cli", "--port", str(port)], env, port)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as answer:
                answer.read()
            print(f"{BODY_MB} MB bodies; server pid {server.pid}")
            print(f"{'case':36} {'answer':28} {'MB sent':>8} {'RSS +MB':>8} {'healthz max ms':>15}")
            for case in CASES:
                idle = rss_kib(server.pid)
                sampler = Sampler(server.pid, port)
                sampler.start()
                status, sent = send(port, case, total)
                sampler.done.set()
                sampler.join()
                growth = (sampler.peak_kib - idle) / 1024
                print(f"{case.name:36} {status:28} {sent / 2**20:8.1f} {growth:8.1f} "
                      f"{sampler.worst_healthz_s * 1000:15.1f}", flush=True)
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
