"""Request body limits: every route that takes a body reads no more than its own limit, with or
without a declared length, and the CAP route reads nothing before the sender's token is checked.

The app is driven as ASGI with a body larger than every limit, so the tests see how many bytes each
route took from the connection before answering."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from signage_contract.device import DEVICE_HEARTBEAT, DEVICE_PLAYS, DEVICE_SCREENSHOTS
from signage_server.emergency.sources.cap import MAX_CAP_BYTES
from signage_server.settings import CapSender, Settings
from signage_server.web.body_limit import MULTIPART_OVERHEAD_BYTES, PLAY_BATCH_BYTES
from tests.support.cap_xml import SENDER

CHUNK = 64 * 1024
BODY_BYTES = 4 * 1024 * 1024  # past every limit below; it ends, so an unlimited route ends too
TOKEN = "nchmf-token-0123456789"
UPLOAD_LIMIT = 256 * 1024
SCREENSHOT_LIMIT = 128 * 1024
JSON_LIMIT = 32 * 1024
MULTIPART = "multipart/form-data; boundary=xyz"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"  # nothing here depends on the database engine


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seed_units=False,
                    max_upload_bytes=UPLOAD_LIMIT, screenshot_max_bytes=SCREENSHOT_LIMIT,
                    max_body_bytes=JSON_LIMIT, cap_senders={SENDER: CapSender(token=TOKEN)})


@dataclass
class Exchange:
    """One request against the app: the bytes it took of the body, its answer."""

    read: int = 0
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def endless_post(client: TestClient, app: FastAPI, path: str, headers: dict[str, str],
                 prefix: bytes = b"") -> Exchange:
    """POST ``prefix`` then zeros up to ``BODY_BYTES`` (chunked: no length unless ``headers`` says one)."""
    seen = Exchange()

    async def receive() -> dict[str, Any]:
        chunk = prefix[seen.read:seen.read + CHUNK] if seen.read < len(prefix) else b"\0" * CHUNK
        seen.read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": seen.read < BODY_BYTES}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            seen.status = message["status"]
            seen.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            seen.body += message.get("body", b"")

    if "content-length" not in headers:
        headers = {**headers, "transfer-encoding": "chunked"}
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    client.portal.call(app, scope, receive, send)
    return seen


@pytest.fixture
def run(client: TestClient, app: FastAPI) -> Iterator[Any]:
    def post(path: str, headers: dict[str, str], prefix: bytes = b"") -> Exchange:
        return endless_post(client, app, path, headers, prefix)
    yield post


def test_an_unauthenticated_cap_body_is_not_read(run) -> None:
    answer = run("/api/v1/cap", {"content-type": "application/cap+xml"})
    assert answer.status == 401 and answer.read == 0
    assert answer.headers["connection"] == "close"


def test_a_cap_body_with_a_token_of_no_sender_is_not_read(run) -> None:
    answer = run("/api/v1/cap", {"content-type": "application/cap+xml", "x-cap-token": "x" * 20})
    assert answer.status == 403 and answer.read == 0


def test_a_declared_length_over_the_limit_is_refused_before_reading(run) -> None:
    answer = run("/api/v1/cap", {"content-type": "application/cap+xml", "x-cap-token": TOKEN,
                                 "content-length": str(500 * 1024 * 1024)})
    assert answer.status == 413 and answer.read == 0
    assert answer.headers["connection"] == "close"


MEDIA_PREFIX = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
                b"Content-Type: image/png\r\n\r\n")
SHOT_PREFIX = (b'--xyz\r\nContent-Disposition: form-data; name="image"; filename="s.jpg"\r\n'
               b"Content-Type: image/jpeg\r\n\r\n")
ROUTES = [
    # path, content type, body prefix, its limit
    ("/api/v1/cap", "application/cap+xml", b"<alert>", MAX_CAP_BYTES),
    ("/api/v1/media", MULTIPART, MEDIA_PREFIX, UPLOAD_LIMIT + MULTIPART_OVERHEAD_BYTES),
    ("/panel/media", MULTIPART, MEDIA_PREFIX, UPLOAD_LIMIT + MULTIPART_OVERHEAD_BYTES),
    (DEVICE_SCREENSHOTS, MULTIPART, SHOT_PREFIX, SCREENSHOT_LIMIT + MULTIPART_OVERHEAD_BYTES),
    (DEVICE_PLAYS, "application/json", b'{"records": [', PLAY_BATCH_BYTES),
    (DEVICE_HEARTBEAT, "application/json", b'{"status": "', JSON_LIMIT),
    ("/api/v1/bulletins", "application/json", b'{"title": "', JSON_LIMIT),
    ("/api/v1/auth/token", "application/x-www-form-urlencoded", b"username=", JSON_LIMIT),
    ("/panel/login", "application/x-www-form-urlencoded", b"username=", JSON_LIMIT),
]


@pytest.mark.parametrize(("path", "content_type", "prefix", "limit"), ROUTES)
def test_a_chunked_body_over_the_limit_is_cut_at_the_limit(run, path, content_type, prefix, limit) -> None:
    headers = {"content-type": content_type, "x-cap-token": TOKEN, "authorization": "Bearer not-a-token"}
    answer = run(path, headers, prefix)
    assert answer.status == 413, answer.body[:300]
    assert limit < answer.read <= limit + CHUNK
    assert b"too large" in answer.body


@pytest.mark.parametrize(("path", "content_type", "prefix", "limit"), ROUTES)
def test_a_declared_length_over_the_limit_reads_nothing(run, path, content_type, prefix, limit) -> None:
    headers = {"content-type": content_type, "x-cap-token": TOKEN, "content-length": str(limit + 1)}
    answer = run(path, headers, prefix)
    assert answer.status == 413 and answer.read == 0


def test_a_body_within_the_limit_still_gets_through(client) -> None:
    answer = client.post("/api/v1/cap", content=b"<alert/>",
                         headers={"content-type": "application/cap+xml", "x-cap-token": TOKEN})
    assert answer.status_code == 400 and "namespace" in answer.json()["detail"]
