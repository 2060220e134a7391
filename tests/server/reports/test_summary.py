"""Summary reports: figures, roll-up through lineage after a merger, CSV for Excel, scope and the
token of the source information system."""

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from signage_contract import device as wire
from signage_server.core.auth import issue_token
from signage_server.devices.auth import issue_credential
from signage_server.models import BoardUnitHistory, Role, TokenKind, User
from signage_server.units.service import reorganise
from tests.support.factories import make_user

DAY = datetime(2026, 3, 10, tzinfo=UTC) - timedelta(hours=7)  # 00:00 on 10 March in Vietnam
PERIOD = "from=2026-03-10&to=2026-03-10"


def play(start: datetime, hours: float, category: str = "other", priority: str = "normal",
         reason: str = "scheduled") -> dict:
    return {"id": uuid.uuid4().hex, "region_id": "main", "item_id": "x", "reason": reason,
            "category": category, "priority": priority, "started_at": start.isoformat(),
            "ended_at": (start + timedelta(hours=hours)).isoformat()}


@pytest.fixture
def clock(app, client):
    app.state.health.clock = lambda: DAY + timedelta(days=1, hours=2)
    return app.state.health.clock


def paired(session, board) -> dict[str, str]:
    history = session.exec(select(BoardUnitHistory).where(BoardUnitHistory.board_id == board.id)).one()
    history.valid_from = board.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    session.add_all([history, board])
    session.commit()
    _credential, token = issue_credential(session, board.id, f"pc-{board.id}")
    return {"Authorization": f"Bearer {token}"}


def upload(client, headers, records) -> None:
    assert client.post(wire.DEVICE_PLAYS, json={"records": records}, headers=headers).status_code == 200


def report(client, headers, unit_id: int, extra: str = PERIOD, fmt: str = "json"):
    return client.get(f"/api/v1/reports/summary?unit_id={unit_id}&{extra}&format={fmt}", headers=headers)


def test_summary_of_a_commune(client, session, make_board, tree, users, clock):
    board = make_board()
    headers = paired(session, board)
    paired(session, make_board(unit_id=tree.village_a))  # paired but never seen
    upload(client, headers, [
        play(DAY + timedelta(hours=8), 2, category="policy_law"),
        play(DAY + timedelta(hours=10), 1, category="incidents", priority="emergency", reason="emergency"),
        play(DAY + timedelta(hours=30), 5),  # the next day: outside the period
    ])
    health = client.app.state.health
    for i in range(2 * 90):  # seen every 40 s from midnight to 02:00, "now"
        health.clock = lambda i=i: DAY + timedelta(seconds=40 * i)
        client.post(wire.DEVICE_HEARTBEAT, json={"sent_at": DAY.isoformat()}, headers=headers)
    health.clock = lambda: DAY + timedelta(hours=2)
    body = report(client, users["viewer_a"].headers, tree.commune_a).json()
    assert (body["boards"], body["online_now"]) == (2, 1)
    assert body["uptime_percent"] == pytest.approx(50.0, abs=0.01)  # one board always up, one never
    plays = body["plays"]
    assert plays["records"] == 2 and plays["hours"] == 3.0
    assert plays["by_category"]["policy_law"] == 2.0 and plays["by_category"]["incidents"] == 1.0
    assert plays["by_category"]["public_order"] == 0.0
    assert plays["by_priority"] == {"normal": 2.0, "priority": 0.0, "emergency": 1.0}
    assert plays["by_reason"]["emergency"] == 1.0
    assert body["emergencies"]["issued"] == 0  # none issued in the period


def test_records_of_a_fast_board_clock_count_when_they_really_played(client, session, make_board, tree, users,
                                                                       clock):
    """Issue 11, finding 12: a board two hours fast stamps a play of 23:00 on 10 March as 01:00 on
    11 March; the offset its heartbeat measured puts it back on the 10th, and the report says so."""
    headers = paired(session, make_board())
    client.app.state.health.clock = lambda: DAY + timedelta(hours=23, minutes=30)
    sent_at = DAY + timedelta(hours=25, minutes=30)  # the board's clock: two hours fast
    client.post(wire.DEVICE_HEARTBEAT, json={"sent_at": sent_at.isoformat()}, headers=headers)
    upload(client, headers, [play(DAY + timedelta(hours=25), 0.25)])
    plays = report(client, users["viewer_a"].headers, tree.commune_a).json()["plays"]
    assert (plays["records"], plays["hours"]) == (1, 0.25)
    assert (plays["clock_corrected"], plays["clock_unverified"]) == (1, 0)
    rows = list(csv.reader(io.StringIO(
        report(client, users["viewer_a"].headers, tree.commune_a, fmt="csv").content.decode("utf-8-sig"))))
    assert ["summary", "play_records_clock_corrected", "1"] in rows


def test_a_merged_unit_reports_the_plays_of_the_units_it_absorbed(client, session, make_board, tree, users,
                                                                 clock):
    board_a, board_b = make_board(unit_id=tree.commune_a), make_board(unit_id=tree.commune_b)
    headers_a, headers_b = paired(session, board_a), paired(session, board_b)
    upload(client, headers_a, [play(DAY - timedelta(days=20), 1)])  # 18 February: commune A
    upload(client, headers_b, [play(DAY - timedelta(days=20), 2)])  # 18 February: commune B
    merged = reorganise(session, [tree.commune_a, tree.commune_b], date(2026, 3, 1),
                        new_code="91100", new_name="Xã Hợp Nhất")
    new_unit = merged.new_unit_ids[0]
    upload(client, headers_a, [play(DAY, 4)])  # 10 March: the new unit
    period = "from=2026-02-01&to=2026-03-10"
    admin = users["admin"].headers
    assert report(client, admin, new_unit, period).json()["plays"]["hours"] == 7.0
    assert report(client, admin, tree.commune_a, period).json()["plays"]["hours"] == 1.0  # history stays
    assert report(client, admin, tree.province, period).json()["plays"]["hours"] == 7.0
    merged_report = report(client, admin, new_unit, period).json()
    assert merged_report["boards"] == 2 and merged_report["unit_name"] == "Xã Hợp Nhất"


def test_csv_opens_in_excel_with_vietnamese_names(client, session, make_board, tree, users, clock):
    upload(client, paired(session, make_board()), [play(DAY, 1.5, category="exemplary_people")])
    response = report(client, users["viewer_a"].headers, tree.commune_a, fmt="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "key", "value"]
    values = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert values[("summary", "unit_name")] == "Xã An Bình"
    assert values[("hours_by_category", "exemplary_people")] == "1.5"
    assert "attachment" in response.headers["content-disposition"]


def test_reports_are_scoped(client, tree, users, clock):
    viewer = users["viewer_a"].headers
    assert report(client, viewer, tree.commune_b).status_code == 404
    assert report(client, viewer, tree.province).status_code == 404
    assert report(client, users["admin"].headers, tree.commune_b).status_code == 200


def test_the_source_system_pulls_with_a_province_viewer_api_token(client, session, tree, password_hash,
                                                                 clock):
    make_user(session, "he-thong-nguon", Role.VIEWER, tree.province, password_hash)
    user = session.exec(select(User).where(User.username == "he-thong-nguon")).one()
    token, _row = issue_token(session, user, TokenKind.API, "source information system", None)
    response = report(client, {"Authorization": f"Bearer {token}"}, tree.province)
    assert response.status_code == 200 and response.json()["unit_code"] == "91"


@pytest.mark.parametrize("period", ["from=2026-03-10&to=2026-03-01", "from=2024-01-01&to=2026-03-10"])
def test_bad_periods_are_refused(client, tree, users, clock, period):
    assert report(client, users["admin"].headers, tree.province, period).status_code == 422
