"""The webhook notifier: retries, giving up, no blocking, a real local HTTP receiver."""

import asyncio
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from signage_server.health.link_state import LinkEventKind
from signage_server.health.webhook import LinkNotice, WebhookNotifier

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


AT = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)


def notice(kind: LinkEventKind = LinkEventKind.OFFLINE, flaps: int = 0, name: str = "Bảng 1") -> LinkNotice:
    return LinkNotice(kind=kind, board_id=7, board_name=name, unit_id=3, at=AT, flaps=flaps)


def notifier_with(handler, **options) -> WebhookNotifier:
    transport = httpx.MockTransport(handler)
    return WebhookNotifier("http://hooks.test/x", transport=transport, backoff_s=0, **options)


async def test_server_errors_are_retried_until_delivered() -> None:
    statuses = [500, 502, 200]
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return httpx.Response(statuses.pop(0))

    notifier = notifier_with(handler)
    await notifier.start()
    notifier.submit(notice())
    await notifier.drain()
    await notifier.stop()
    assert len(seen) == 3 and notifier.delivered == 1


@pytest.mark.parametrize(("status", "tries"), [(400, 1), (429, 4), (503, 4)])
async def test_giving_up_after_the_attempts_or_at_once_on_a_refusal(status, tries) -> None:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return httpx.Response(status)

    notifier = notifier_with(handler, attempts=4)
    await notifier.start()
    notifier.submit(notice(flaps=1))
    await notifier.drain()
    await notifier.stop()
    assert len(seen) == tries and notifier.delivered == 0


async def test_submit_never_blocks_and_drops_the_oldest_when_full() -> None:
    gate = asyncio.Event()
    bodies: list[dict] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        await gate.wait()  # the receiver hangs until released
        bodies.append(json.loads(request.content))
        return httpx.Response(200)

    notifier = notifier_with(handler, queue_size=2)
    await notifier.start()
    notifier.submit(notice(flaps=0))
    await asyncio.sleep(0)  # let the sender pick up the first payload and hang on it
    for n in range(1, 5):
        notifier.submit(notice(flaps=n))  # returns at once although the receiver hangs
    gate.set()
    await notifier.drain()
    await notifier.stop()
    assert [b["flaps"] for b in bodies] == [0, 3, 4] and notifier.dropped == 2


async def test_delivers_to_a_real_local_http_server() -> None:
    received: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        notifier = WebhookNotifier(f"http://127.0.0.1:{server.server_address[1]}/hook", backoff_s=0)
        await notifier.start()
        notifier.submit(notice(LinkEventKind.BACK_ONLINE, name="Bảng tin UBND xã"))
        await notifier.drain()
        await notifier.stop()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert received == [{"type": "board.back_online", "board_id": 7, "board_name": "Bảng tin UBND xã",
                         "unit_id": 3, "at": "2025-07-01T03:00:00+00:00", "flaps": 0}]
