"""Group commit of heartbeats: many requests, one transaction, each answered on its own."""

import asyncio
from datetime import UTC, datetime

from sqlmodel import func, select

from signage_contract import device as wire
from signage_server.devices.auth import issue_credential
from signage_server.health.writer import UnknownDevice
from signage_server.models import BoardStatus, DeviceCredential


def test_concurrent_heartbeats_are_written_together_and_answered_each(app, client, session, make_board):
    boards = [make_board() for _ in range(6)]
    tokens = [issue_credential(session, b.id, f"pc-{b.id}")[1] for b in boards]
    writer = app.state.heartbeat_writer
    beat = wire.Heartbeat(sent_at=datetime.now(UTC), software_version="2.0")

    async def burst():
        sent = [*tokens, "not-a-token", tokens[0]]  # one board twice in the same batch
        return await asyncio.gather(*(writer.submit(t, beat) for t in sent), return_exceptions=True)

    results = client.portal.call(burst)
    assert isinstance(results[6], UnknownDevice)
    assert all(isinstance(r, tuple) for i, r in enumerate(results) if i != 6)
    assert results[7][0] >= results[0][0]  # receipt order kept
    session.expire_all()
    assert session.exec(select(func.count()).select_from(BoardStatus)).one() == 6
    row = session.get(BoardStatus, boards[0].id)
    assert row.last_seen_at == results[7][0] and row.software_version == "2.0"
    credential = session.exec(select(DeviceCredential).where(DeviceCredential.board_id == boards[1].id)).one()
    assert credential.last_seen_at is not None


def test_a_revoked_credential_is_refused(client, session, make_board):
    board = make_board()
    _old, old_token = issue_credential(session, board.id, "old-pc")
    issue_credential(session, board.id, "new-pc")  # revokes the old one
    body = {"sent_at": datetime.now(UTC).isoformat()}
    response = client.post(wire.DEVICE_HEARTBEAT, json=body, headers={"Authorization": f"Bearer {old_token}"})
    assert response.status_code == 401


def test_a_malformed_heartbeat_is_422_with_the_field_named(client, session, make_board):
    board = make_board()
    _c, token = issue_credential(session, board.id, "pc")
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(wire.DEVICE_HEARTBEAT, json={"sent_at": "2026-03-10T08:00:00"}, headers=headers)
    assert response.status_code == 422 and "sent_at" in response.text  # no UTC offset
    assert client.post(wire.DEVICE_HEARTBEAT, content=b"{", headers=headers).status_code == 422


def test_a_board_that_leaves_before_its_heartbeat_is_read_is_no_server_error(app, client, session, make_board,
                                                                             caplog):
    board = make_board()
    _c, token = issue_credential(session, board.id, "pc")
    sent: list[dict] = []

    async def leave() -> dict:
        return {"type": "http.disconnect"}

    async def record(message: dict) -> None:
        sent.append(message)

    headers = [(b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json"),
               (b"content-length", b"40"), (b"host", b"testserver")]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": wire.DEVICE_HEARTBEAT, "raw_path": wire.DEVICE_HEARTBEAT.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 5000),
             "server": ("testserver", 80), "headers": headers, "state": {}}
    client.portal.call(app, scope, leave, record)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    session.expire_all()
    assert session.get(BoardStatus, board.id) is None  # nothing written


def test_last_seen_stamps_are_written_in_id_order_by_both_writers(app, client, session, make_board) -> None:
    """The heartbeat writer and the poll cache both stamp device credentials in batches; in the same
    order, two overlapping batches cannot deadlock (they did on PostgreSQL with 10,000 boards)."""
    from sqlalchemy import event

    boards = [make_board() for _ in range(4)]
    issued = [issue_credential(session, b.id, f"pc-{b.id}") for b in boards]
    written: list[list[int]] = []

    def spy(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        if statement.startswith("UPDATE device_credential") and executemany:
            written.append([p["_id"] if isinstance(p, dict) else p[-1] for p in parameters])

    event.listen(app.state.engine, "before_cursor_execute", spy)
    try:
        beat = wire.Heartbeat(sent_at=datetime.now(UTC))

        async def burst():
            writer = app.state.heartbeat_writer
            return await asyncio.gather(*(writer.submit(t, beat) for _c, t in reversed(issued)))

        client.portal.call(burst)
        cache = app.state.poll_cache
        for credential, _token in reversed(issued):
            cache._seen[credential.id] = datetime.now(UTC)
        assert cache.flush_seen(app.state.engine) == 4
    finally:
        event.remove(app.state.engine, "before_cursor_execute", spy)
    ids = sorted(credential.id for credential, _t in issued)
    assert written == [ids, ids]
