"""Per-bulletin receipts, the bulletins report of a unit and individual proof of play: figures,
CSV content, scope, paging."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from signage_contract import device as wire
from signage_server.core.changes import Change
from signage_server.models import PlayLog, Screenshot, TargetKind
from tests.support.receipts import device_headers, play, publish, receipts_url, upload

DAY = datetime(2026, 3, 10, tzinfo=UTC) - timedelta(hours=7)  # 00:00 on 10 March in Vietnam


@pytest.fixture
def scene(client, session, make_board, tree, users, layout):
    """Bulletin at commune A for its whole subtree: board 1 (commune A) fetched and aired it twice,
    board 2 (village) never did; board 3 (commune B) is not targeted."""
    b1, b2, b3 = make_board(), make_board(unit_id=tree.village_a), make_board(unit_id=tree.commune_b)
    published = publish(session, layout, unit_id=tree.commune_a, author=users["editor_a"].id,
                        target={"target_kind": TargetKind.UNIT, "target_unit_id": tree.commune_a})
    h1 = device_headers(session, b1)
    assert client.get(wire.DEVICE_MANIFEST, headers=h1).status_code == 200  # board 1 receives it
    upload(client, h1, [play(published.item_id, DAY + timedelta(hours=8), 30),
                        play(published.item_id, DAY + timedelta(hours=9), 45),
                        play("p999-i999", DAY + timedelta(hours=9, minutes=5))])  # something else
    session.add(Screenshot(board_id=b1.id, taken_at=DAY + timedelta(hours=9, seconds=10), file_name="a.jpg",
                           size=1, width=1, height=1))
    session.add(Screenshot(board_id=b1.id, taken_at=DAY + timedelta(hours=10), file_name="b.jpg",
                           size=1, width=1, height=1))  # not while it showed
    session.commit()
    return published, (b1, b2, b3)


def test_receipts_say_who_received_aired_and_never_aired(client, users, scene):
    published, (b1, b2, _b3) = scene
    reply = client.get(receipts_url(published), headers=users["viewer_a"].headers)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["boards_targeted"], body["boards_received"], body["boards_aired"]) == (2, 1, 1)
    assert body["plays"] == 2 and body["airtime_s"] == 75.0
    assert body["never_aired"] == [b2.id]
    assert datetime.fromisoformat(body["first_aired_at"]) == DAY + timedelta(hours=8)
    first = next(r for r in body["boards"] if r["board_id"] == b1.id)
    assert first["received_at"] is not None
    assert datetime.fromisoformat(first["first_aired_at"]) == DAY + timedelta(hours=8)
    assert first["airtime_s"] == 75.0 and first["plays"] == 2
    assert first["screenshot_url"].endswith(f"/boards/{b1.id}/screenshots/{first['screenshot_id']}/image")
    assert datetime.fromisoformat(first["screenshot_taken_at"]) == DAY + timedelta(hours=9, seconds=10)

    reply = client.get(receipts_url(published) + ".csv", headers=users["viewer_a"].headers)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert [int(r["board_id"]) for r in rows] == [b1.id, b2.id]
    assert rows[0]["first_aired_at"] == "2026-03-10T08:00:00+07:00"
    assert rows[0]["airtime_s"] == "75.0" and rows[0]["targeted"] == "yes"
    assert rows[1]["first_aired_at"] == "" and rows[1]["plays"] == "0"


def test_a_commune_sees_only_its_boards_of_a_province_bulletin(client, session, make_board, tree, users,
                                                                 layout):
    mine, theirs = make_board(), make_board(unit_id=tree.commune_b)
    published = publish(session, layout, unit_id=tree.province, author=users["admin"].id,
                        target={"target_kind": TargetKind.UNIT, "target_unit_id": tree.province})
    upload(client, device_headers(session, theirs), [play(published.item_id, DAY)])
    body = client.get(receipts_url(published), headers=users["admin"].headers).json()
    assert {r["board_id"] for r in body["boards"]} == {mine.id, theirs.id}
    assert body["never_aired"] == [mine.id]
    body = client.get(receipts_url(published), headers=users["viewer_a"].headers).json()
    assert [r["board_id"] for r in body["boards"]] == [mine.id]  # not the other commune's board
    # a commune bulletin that reaches none of another commune's boards is not found there
    theirs_only = publish(session, layout, unit_id=tree.commune_b, author=users["editor_b"].id,
                          target={"target_kind": TargetKind.BOARD, "target_board_id": theirs.id})
    assert client.get(receipts_url(theirs_only), headers=users["viewer_a"].headers).status_code == 404
    # the province's plays query, narrowed to the other commune's board, by a commune user: nothing
    plays = client.get(f"/api/v1/plays?board_id={theirs.id}", headers=users["viewer_a"].headers).json()
    assert plays["plays"] == []


def test_bulletins_report_lists_reach_and_airtime(client, users, tree, scene):
    published, _boards = scene
    url = f"/api/v1/reports/bulletins?unit_id={tree.commune_a}&from=2026-03-10&to=2026-03-10"
    body = client.get(url, headers=users["viewer_a"].headers).json()
    assert body["total"] == 1 and body["page"] == 1
    row = body["bulletins"][0]
    assert (row["bulletin_id"], row["boards_aired"], row["boards_targeted"]) == (published.bulletin_id, 1, 2)
    assert row["airtime_s"] == 75.0 and row["plays"] == 2
    text = client.get(url + "&format=csv", headers=users["viewer_a"].headers).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"] == "Lịch tiếp công dân" and rows[0]["boards_aired"] == "1"
    assert rows[0]["first_aired_at"] == "2026-03-10T08:00:00+07:00"
    assert client.get(f"/api/v1/reports/bulletins?unit_id={tree.commune_a}",
                      headers=users["editor_b"].headers).status_code == 404


def test_plays_are_filtered_and_keyset_paged(client, session, users, scene):
    published, (b1, _b2, _b3) = scene
    headers = users["viewer_a"].headers
    seen, cursor = [], None
    while True:
        query = f"/api/v1/plays?board_id={b1.id}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=headers).json()
        seen += page["plays"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 3
    assert [p["started_at"] for p in seen] == sorted(p["started_at"] for p in seen)
    only = client.get(f"/api/v1/plays?bulletin_id={published.bulletin_id}&from=2026-03-10T08:30:00",
                      headers=headers).json()["plays"]  # no offset: Vietnam's wall clock
    assert [datetime.fromisoformat(p["started_at"]) for p in only] == [DAY + timedelta(hours=9)]
    assert client.get("/api/v1/plays?cursor=nonsense", headers=headers).status_code == 422
    assert client.get("/api/v1/plays?limit=100000", headers=headers).status_code == 422
    stored = session.exec(PlayLog.__table__.select()).all()  # type: ignore[attr-defined]
    assert sorted(r.bulletin_id or 0 for r in stored) == [0, published.bulletin_id, published.bulletin_id]


def test_plays_csv_streams_every_record_in_batches(client, session, users, scene, monkeypatch):
    from signage_server.reports import play_records

    monkeypatch.setattr(play_records, "CSV_BATCH", 2)  # three records: two batches
    published, (b1, _b2, _b3) = scene
    reply = client.get(f"/api/v1/plays.csv?board_id={b1.id}", headers=users["viewer_a"].headers)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and len({r["id"] for r in rows}) == 3
    assert rows[0]["started_at"] == "2026-03-10T08:00:00+07:00"
    assert rows[0]["bulletin_id"] == str(published.bulletin_id) and rows[2]["bulletin_id"] == ""
    assert client.get("/api/v1/plays.csv?from=2026-03-11T00:00:00&to=2026-03-10T00:00:00",
                      headers=users["viewer_a"].headers).status_code == 422


def test_a_fetch_naming_no_new_bulletin_writes_nothing_and_a_new_one_is_recorded(
        client, session, make_board, tree, users, layout):
    """An override's confirmation changes every manifest in the province but none of the bulletins
    in them: those 10,000 fetches must not each read and write the receipts again."""
    from sqlalchemy import event
    from sqlmodel import select

    from signage_server.models import BulletinDelivery

    board = make_board()
    first = publish(session, layout, unit_id=tree.commune_a, author=users["editor_a"].id,
                    target={"target_kind": TargetKind.UNIT, "target_unit_id": tree.commune_a})
    headers = device_headers(session, board)
    assert client.get(wire.DEVICE_MANIFEST, headers=headers).status_code == 200
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = client.app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(wire.DEVICE_MANIFEST, headers=headers).status_code == 200  # same items
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert not [s for s in statements if "bulletin_delivery" in s or "playlist_item" in s]

    second = publish(session, layout, unit_id=tree.commune_a, author=users["editor_a"].id, title="Tiêm chủng",
                     target={"target_kind": TargetKind.UNIT, "target_unit_id": tree.commune_a})
    client.app.state.changes.publish(Change(boards=frozenset({board.id})))
    client.portal.call(client.app.state.composer.wait_idle)
    assert client.get(wire.DEVICE_MANIFEST, headers=headers).status_code == 200
    session.expire_all()
    received = set(session.exec(select(BulletinDelivery.bulletin_id)
                                .where(BulletinDelivery.board_id == board.id)).all())
    assert received == {first.bulletin_id, second.bulletin_id}


def test_a_full_fetch_takes_its_items_from_the_stored_row_and_parses_only_a_row_from_before(
        client, session, make_board, tree, users, layout, monkeypatch):
    """Parsing a 100 KiB manifest twice per full fetch held the interpreter 20,000 times per
    emergency: the item ids are stored with the manifest. A row stored before them is parsed."""
    from types import SimpleNamespace

    from sqlmodel import select

    from signage_server.models import BulletinDelivery, ComposedManifest
    from signage_server.reports import receipts
    from signage_server.reports.receipts import Recorded

    parsed: list[str] = []

    def loads(text: str) -> object:
        parsed.append(text)
        return json.loads(text)

    monkeypatch.setattr(receipts, "json", SimpleNamespace(loads=loads))
    board = make_board()
    first = publish(session, layout, unit_id=tree.commune_a, author=users["editor_a"].id,
                    target={"target_kind": TargetKind.UNIT, "target_unit_id": tree.commune_a})
    headers = device_headers(session, board)

    def received() -> set[int]:
        session.expire_all()
        return set(session.exec(select(BulletinDelivery.bulletin_id)
                                .where(BulletinDelivery.board_id == board.id)).all())

    assert client.get(wire.DEVICE_MANIFEST, headers=headers).status_code == 200
    assert received() == {first.bulletin_id} and parsed == []

    row = session.get(ComposedManifest, board.id)
    row.item_ids = None  # as stored before migration 0024
    session.add(row)
    for delivery in session.exec(select(BulletinDelivery).where(BulletinDelivery.board_id == board.id)):
        session.delete(delivery)
    session.commit()
    client.app.state.recorded = Recorded()  # a restarted instance
    assert client.get(wire.DEVICE_MANIFEST, headers=headers).status_code == 200
    assert received() == {first.bulletin_id} and len(parsed) == 2
