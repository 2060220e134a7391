"""A small HTTP/1.1 keep-alive load generator for loopback benchmarks (no third-party tools).

Each connection sends one request, reads the whole response, and repeats, for a fixed duration;
``run_load`` spreads connections over worker processes so the generator is not the bottleneck of
a single-worker server.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def _connection(host: str, port: int, request: bytes, deadline: float, statuses: dict[int, int]) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    count = 0
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            status = await _read_response(reader)
            statuses[status] = statuses.get(status, 0) + 1
            count += 1
    finally:
        writer.close()
    return count


async def _worker_async(host: str, port: int, request: bytes, connections: int, seconds: float) -> LoadResult:
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    deadline = started + seconds
    counts = await asyncio.gather(
        *(_connection(host, port, request, deadline, statuses) for _ in range(connections))
    )
    return LoadResult(sum(counts), time.perf_counter() - started, statuses)


def _worker(args: tuple[str, int, bytes, int, float]) -> LoadResult:
    return asyncio.run(_worker_async(*args))


def build_request(path: str, host: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def run_load(
    host: str,
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    connections: int = 32,
    seconds: float = 5.0,
    processes: int = 1,
) -> LoadResult:
    request = build_request(path, f"{host}:{port}", headers)
    per_process = max(1, connections // processes)
    args = [(host, port, request, per_process, seconds)] * processes
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        results = pool.map(_worker, args)
    statuses: dict[int, int] = {}
    for result in results:
        for status, n in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return LoadResult(
        requests=sum(r.requests for r in results),
        seconds=max(r.seconds for r in results),
        statuses=statuses,
    )
