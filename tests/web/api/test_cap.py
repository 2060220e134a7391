"""POST /api/v1/cap: trusted senders, areas to boards and units, Update/Cancel (also out of order),
expired alerts, and the reasons given for every refusal."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from signage_server.emergency.overrides import targets
from signage_server.models import AuditEvent, Override, OverrideState, UnitLevel
from signage_server.settings import CapSender, Settings
from tests.support.cap_xml import SENDER, alert_xml, area_xml, info_xml
from tests.support.factories import add_unit

CAP = "/api/v1/cap"
TOKEN = "nchmf-token-0123456789"
XML = {"Content-Type": "application/cap+xml", "X-CAP-Token": TOKEN}
ICT = timedelta(hours=7)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seed_units=False,
                    cap_senders={SENDER: CapSender(token=TOKEN)})


@pytest.fixture
def places(session, make_board):
    """Commune 21025 (geocoded), a board inside the Quảng Ngãi polygon elsewhere, one in Hà Nội."""
    province = add_unit(session, "51", UnitLevel.PROVINCE, "Tỉnh Quảng Ngãi", None)
    commune = add_unit(session, "21025", UnitLevel.COMMUNE, "Xã Bình Sơn", province)
    other = add_unit(session, "21100", UnitLevel.COMMUNE, "Phường Nghĩa Lộ", province)
    return {
        "in_commune": make_board(unit_id=commune).id,
        "in_polygon": make_board(unit_id=other, latitude=15.12, longitude=108.80).id,
        "far": make_board(unit_id=other, latitude=21.03, longitude=105.85).id,
    }


def stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta + ICT).replace(microsecond=0, tzinfo=None).isoformat() + "+07:00"


SENT = stamp(timedelta(minutes=-5))


def message(identifier: str = "A-1", msg_type: str = "Alert", references: str | None = None,
            headline: str = "Cảnh báo bão số 13", expires: timedelta = timedelta(hours=6),
            areas: tuple[str, ...] | None = None) -> bytes:
    info = info_xml(effective=SENT, onset=None, expires=stamp(expires), headline=headline, areas=areas)
    infos = () if msg_type == "Cancel" else (info,)
    return alert_xml(identifier=identifier, sent=SENT, msg_type=msg_type, references=references, infos=infos)


def ref(identifier: str) -> str:
    return f"{SENDER},{identifier},{SENT}"


def post(client, document: bytes, headers=XML):
    return client.post(CAP, content=document, headers=headers)


def test_an_alert_from_a_trusted_sender_is_active_at_once_on_its_areas(client, session, places) -> None:
    answer = post(client, message())
    assert answer.status_code == 200 and answer.json()["outcome"] == "created"
    row = session.get(Override, answer.json()["override_id"])
    assert row.state is OverrideState.ACTIVE and row.cap_identifier == "A-1" and row.risk_level == 5
    # by geocode (commune 21025) and by polygon; not the board in Hà Nội
    covered = {b.id for b in targets(session, row, datetime.now(UTC))}
    assert covered == {places["in_commune"], places["in_polygon"]}
    actions = session.exec(select(AuditEvent.action, AuditEvent.actor)).all()
    assert actions == [("issue", f"cap:{SENDER}"), ("confirm", f"cap:{SENDER}")]


def test_update_then_cancel_follow_references(client, session, places) -> None:
    override_id = post(client, message()).json()["override_id"]
    updated = post(client, message("A-2", "Update", ref("A-1"), headline="Bão số 13 đã vào bờ"))
    assert updated.json() == {"outcome": "updated", "override_id": override_id,
                              "detail": f"override {override_id} updated"}
    cancelled = post(client, message("A-3", "Cancel", f"{ref('A-1')} {ref('A-2')}"))
    assert cancelled.json()["outcome"] == "cancelled"
    row = session.get(Override, override_id)
    session.refresh(row)
    assert row.title == "Bão số 13 đã vào bờ" and row.state is OverrideState.CANCELLED


def test_an_update_that_arrives_first_applies_when_its_alert_arrives(client, session, places) -> None:
    early = post(client, message("A-2", "Update", ref("A-1"), headline="Bão số 13 mạnh thêm"))
    assert early.json()["outcome"] == "pending" and "A-1" in early.json()["detail"]
    alert = post(client, message())
    row = session.get(Override, alert.json()["override_id"])
    assert row.state is OverrideState.ACTIVE and row.title == "Bão số 13 mạnh thêm"


def test_a_cancel_that_arrives_first_cancels_the_alert_on_arrival(client, session, places) -> None:
    assert post(client, message("A-3", "Cancel", ref("A-2"))).json()["outcome"] == "pending"
    assert post(client, message("A-2", "Update", ref("A-1"))).json()["outcome"] == "pending"
    alert = post(client, message())
    assert alert.json()["outcome"] == "cancelled"
    assert session.get(Override, alert.json()["override_id"]).state is OverrideState.CANCELLED


def test_an_expired_alert_is_ignored_with_the_reason(client, session, places) -> None:
    answer = post(client, message(expires=timedelta(minutes=-1)))
    assert answer.status_code == 200 and answer.json()["outcome"] == "ignored"
    assert "expired" in answer.json()["detail"]
    assert session.exec(select(Override)).all() == []


def test_a_repeated_message_is_not_applied_twice(client, places) -> None:
    first = post(client, message()).json()
    again = post(client, message()).json()
    assert again["outcome"] == "duplicate" and again["override_id"] == first["override_id"]


NOWHERE = (area_xml(polygons=("10.0,104.0 10.0,104.1 10.1,104.1 10.0,104.0",), circles=(),
                    geocodes=(("UNIT_CODE", "99999"),)),)


@pytest.mark.parametrize(
    ("document", "headers", "code", "reason"),
    [
        (message(), {"Content-Type": "application/cap+xml"}, 401, "X-CAP-Token"),
        (message(), {**XML, "X-CAP-Token": "wrong-token-0123456789"}, 403, "does not match"),
        (message().replace(SENDER.encode(), b"someone@example.vn"), XML, 403, "not trusted"),
        (message(), {**XML, "Content-Type": "application/json"}, 415, "application/cap+xml"),
        (b"<alert/>", XML, 400, "namespace"),
        (message(areas=NOWHERE), XML, 422, "cover no board"),
        (alert_xml(identifier="A-9", sent=SENT, status="Exercise",
                   infos=(info_xml(effective=SENT, onset=None, expires=stamp(timedelta(hours=1))),)),
         XML, 422, "Exercise"),
    ],
)
def test_every_refusal_says_why(client, places, document, headers, code, reason) -> None:
    answer = post(client, document, headers)
    assert answer.status_code == code and reason in answer.json()["detail"]


def test_a_headline_written_in_tcvn3_is_converted(client, session, places) -> None:
    answer = post(client, message(identifier="A-T", headline="C¶nh b¸o b·o sè 13"))
    assert answer.status_code == 200, answer.text
    assert session.get(Override, answer.json()["override_id"]).title == "Cảnh báo bão số 13"


def test_a_headline_mixing_unicode_and_tcvn3_is_refused(client, places) -> None:
    answer = post(client, message(identifier="A-M", headline="Cảnh báo b·o sè 13"))
    assert answer.status_code == 400 and "<headline>" in answer.json()["detail"]
