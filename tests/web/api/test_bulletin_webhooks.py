"""A source account's bulletin webhook: registration, and signed events sent once each to a real
local HTTP server that fails once before taking them."""

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from signage_server.models import AuditEvent, BulletinEvent, TargetKind, utcnow
from signage_server.reports.bulletin_events import BulletinEventWorker
from tests.support.receipts import device_headers, play, publish, upload

SECRET = "a-long-shared-secret-0123456789"
URL = "/api/v1/webhooks/bulletins"


class Receiver:
    """A local HTTP server answering 500 to the first ``fail_first`` calls, then 204."""

    def __init__(self, fail_first: int) -> None:
        self.calls: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                code = 500 if len(receiver.calls) < fail_first else 204
                receiver.calls.append((dict(self.headers), body, code))
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def taken(self) -> list[dict]:
        return [json.loads(body) for _headers, body, code in self.calls if code == 204]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(fail_first=1)
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def sweep(app) -> int:
    worker = BulletinEventWorker(app.state.engine, interval_s=60, grace=timedelta(hours=1), attempts=3,
                                 backoff_s=0.01)
    return asyncio.run(worker.run_once())


def test_an_account_sets_reads_and_removes_its_webhook(client, session, users):
    headers = users["editor_a"].headers
    assert client.get(URL, headers=headers).status_code == 404
    reply = client.put(URL, json={"url": "https://nguon.example.vn/hook", "secret": SECRET}, headers=headers)
    assert reply.status_code == 200 and "secret" not in reply.json()
    assert client.get(URL, headers=headers).json()["url"] == "https://nguon.example.vn/hook"
    assert client.get(URL, headers=users["editor_b"].headers).status_code == 404  # per account
    assert client.put(URL, json={"url": "ftp://x", "secret": SECRET}, headers=headers).status_code == 422
    short = {"url": "https://x.vn", "secret": "short"}
    assert client.put(URL, json=short, headers=headers).status_code == 422
    for private in ("http://127.0.0.1:8000/", "http://localhost/", "http://10.0.0.5/", "http://[::1]/"):
        assert client.put(URL, json={"url": private, "secret": SECRET}, headers=headers).status_code == 422
    assert client.delete(URL, headers=headers).status_code == 204
    assert client.get(URL, headers=headers).status_code == 404
    audits = session.exec(AuditEvent.__table__.select().where(  # type: ignore[attr-defined]
        AuditEvent.object_type == "bulletin_webhook")).all()
    assert [a.action for a in audits] == ["create", "delete"]
    assert all(SECRET not in json.dumps([a.before, a.after]) for a in audits)


def set_hook(app, client, headers: dict[str, str], url: str) -> None:
    app.state.settings.bulletin_webhook_allow_private = True  # the receiver listens on 127.0.0.1
    assert client.put(URL, json={"url": url, "secret": SECRET}, headers=headers).status_code == 200


def test_events_are_signed_retried_and_sent_once(client, app, session, make_board, tree, users, layout,
                                                 receiver):
    editor = users["editor_a"]
    set_hook(app, client, editor.headers, receiver.url)
    aired, late = make_board(), make_board(unit_id=tree.village_a)
    published = publish(session, layout, unit_id=tree.commune_a, author=editor.id,
                        valid_from=utcnow() - timedelta(hours=2),
                        target={"target_kind": TargetKind.UNIT, "target_unit_id": tree.commune_a})
    upload(client, device_headers(session, aired), [play(published.item_id, utcnow() - timedelta(minutes=5))])
    publish(session, layout, unit_id=tree.commune_a, author=users["admin_a"].id,  # another account's
            valid_from=utcnow() - timedelta(hours=2),
            target={"target_kind": TargetKind.UNIT, "target_unit_id": tree.commune_a})

    assert sweep(app) == 1  # the late board missed it; the first call failed and was retried
    assert [code for _h, _b, code in receiver.calls] == [500, 204]
    headers, body, _code = receiver.calls[1]
    stamp, _, digest = headers["X-Signage-Signature"].partition(",v1=")
    expected = hmac.new(SECRET.encode(), stamp.removeprefix("t=").encode() + b"." + body, hashlib.sha256)
    assert hmac.compare_digest(digest, expected.hexdigest())
    event = json.loads(body)
    assert (event["type"], event["bulletin_id"], event["board_id"]) == (
        "bulletin.missed_deadline", published.bulletin_id, late.id)
    assert headers["X-Signage-Event-Id"] == str(event["event_id"])

    assert sweep(app) == 0 and len(receiver.calls) == 2  # nothing new: nothing sent again

    upload(client, device_headers(session, late), [play(published.item_id, utcnow() - timedelta(minutes=1))])
    assert sweep(app) == 1
    assert [e["type"] for e in receiver.taken()] == ["bulletin.missed_deadline", "bulletin.aired_everywhere"]
    assert sweep(app) == 0
    stored = session.exec(BulletinEvent.__table__.select()).all()  # type: ignore[attr-defined]
    assert len(stored) == 2 and all(e.sent_at is not None and not e.failed for e in stored)
    assert {e.bulletin_id for e in stored} == {published.bulletin_id}  # none for the other account's
    assert sorted(e.attempts for e in stored) == [1, 2]
