"""The CAP source's service (``intake.accept``): refusals are DomainErrors with stable codes, and an
accepted alert goes through the override lifecycle and out through the delivery it is given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio.to_thread
import pytest
from sqlmodel import select

from signage_server.core.bus import BusMessage, LocalBus
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import Forbidden, Invalid
from signage_server.emergency.delivery import Delivery
from signage_server.emergency.sources.cap import parse_cap
from signage_server.emergency.sources.cap.intake import accept
from signage_server.models import Board, Override, OverrideState, UnitLevel
from tests.support.cap_xml import alert_xml, area_xml, info_xml
from tests.support.factories import add_unit

ICT = timedelta(hours=7)


def stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta + ICT).replace(microsecond=0, tzinfo=None).isoformat() + "+07:00"


def document(geocode: str) -> str:
    sent = stamp(timedelta(minutes=-5))
    info = info_xml(effective=sent, onset=None, expires=stamp(timedelta(hours=6)), headline="Bão số 13",
                    areas=(area_xml(polygons=(), circles=(), geocodes=(("UNIT_CODE", geocode),)),))
    return alert_xml(identifier="A-1", sent=sent, msg_type="Alert", references=None, infos=(info,)).decode()


@pytest.fixture
def delivery(client) -> tuple[Delivery, list[BusMessage]]:
    bus, sent = LocalBus(), []
    client.portal.call(bus.start, sent.append)
    return Delivery(bus=bus, changes=ChangeFeed()), sent


def test_an_alert_becomes_an_active_override_pushed_to_its_boards(client, session, make_board,
                                                                  delivery) -> None:
    commune = add_unit(session, "21025", UnitLevel.COMMUNE, "Xã Bình Sơn", None)
    board = make_board(unit_id=commune)
    channel, sent = delivery
    xml = document("21025")

    def receive():
        return accept(session, alert=parse_cap(xml.encode()), document=xml, sender_unit=None, ip="",
                      max_hours=72, delivery=channel)

    result = client.portal.call(anyio.to_thread.run_sync, receive)
    assert result.outcome == "created"
    row = session.get(Override, result.override_id)
    assert row is not None and row.state is OverrideState.ACTIVE
    assert [m.boards for m in sent] == [frozenset({board.id})]


def test_an_alert_covering_no_board_is_invalid(client, session, delivery) -> None:
    channel, sent = delivery
    xml = document("99999")
    with pytest.raises(Invalid) as caught:
        accept(session, alert=parse_cap(xml.encode()), document=xml, sender_unit=None, ip="", max_hours=72,
               delivery=channel)
    assert caught.value.code == "cap.no_board" and "cover no board" in caught.value.message and sent == []


def test_a_sender_configured_with_an_unknown_unit_is_forbidden(client, session, delivery) -> None:
    channel, _sent = delivery
    xml = document("21025")
    with pytest.raises(Forbidden) as caught:
        accept(session, alert=parse_cap(xml.encode()), document=xml, sender_unit="00", ip="", max_hours=72,
               delivery=channel)
    assert caught.value.code == "cap.unknown_unit" and caught.value.params["unit"] == "00"


def _accept(client, session, channel, xml: str, sender_unit: str | None, **options):
    def receive():
        return accept(session, alert=parse_cap(xml.encode()), document=xml, sender_unit=sender_unit, ip="",
                      max_hours=72, delivery=channel, **options)
    return client.portal.call(anyio.to_thread.run_sync, receive)


def test_an_alert_for_an_area_outside_the_senders_unit_is_refused(client, session, make_board,
                                                                  delivery) -> None:
    own = add_unit(session, "51", UnitLevel.PROVINCE, "Tỉnh Quảng Ngãi", None)
    add_unit(session, "21025", UnitLevel.COMMUNE, "Xã Bình Sơn", own)
    elsewhere = add_unit(session, "01", UnitLevel.PROVINCE, "Thành phố Hà Nội", None)
    make_board(unit_id=add_unit(session, "00004", UnitLevel.COMMUNE, "Phường Ba Đình", elsewhere))
    channel, sent = delivery
    with pytest.raises(Forbidden) as caught:
        _accept(client, session, channel, document("00004"), sender_unit="51")
    assert caught.value.code == "cap.outside_unit" and "outside the unit" in caught.value.message
    assert session.exec(select(Override)).all() == [] and sent == []


def test_an_alert_whose_units_hold_no_board_is_not_reported_on_air(client, session, delivery) -> None:
    add_unit(session, "21025", UnitLevel.COMMUNE, "Xã Bình Sơn", None)  # a known unit, no board yet
    channel, sent = delivery
    with pytest.raises(Invalid) as caught:
        _accept(client, session, channel, document("21025"), sender_unit=None)
    assert caught.value.code == "cap.no_board" and sent == []
    assert session.exec(select(Override)).all() == []


def test_an_alert_covering_its_senders_unit_and_beyond_covers_only_its_unit(client, session, make_board,
                                                                            delivery) -> None:
    own = add_unit(session, "51", UnitLevel.PROVINCE, "Tỉnh Quảng Ngãi", None)
    inside = make_board(unit_id=add_unit(session, "21025", UnitLevel.COMMUNE, "Xã Bình Sơn", own))
    elsewhere = add_unit(session, "01", UnitLevel.PROVINCE, "Thành phố Hà Nội", None)
    make_board(unit_id=add_unit(session, "00004", UnitLevel.COMMUNE, "Phường Ba Đình", elsewhere))
    channel, sent = delivery
    sent_at = stamp(timedelta(minutes=-5))
    info = info_xml(effective=sent_at, onset=None, expires=stamp(timedelta(hours=6)), headline="Bão số 13",
                    areas=(area_xml(polygons=(), circles=(),
                                    geocodes=(("UNIT_CODE", "21025"), ("UNIT_CODE", "00004"))),))
    xml = alert_xml(identifier="A-1", sent=sent_at, msg_type="Alert", references=None, infos=(info,)).decode()
    result = _accept(client, session, channel, xml, sender_unit="51")
    assert result.outcome == "created" and "active on 1 boards" in result.detail
    assert [m.boards for m in sent] == [frozenset({inside.id})]


def test_a_pending_update_refused_when_its_alert_arrives_leaves_the_alert_on(client, session, make_board,
                                                                            delivery) -> None:
    own = add_unit(session, "51", UnitLevel.PROVINCE, "Tỉnh Quảng Ngãi", None)
    inside = make_board(unit_id=add_unit(session, "21025", UnitLevel.COMMUNE, "Xã Bình Sơn", own))
    elsewhere = add_unit(session, "01", UnitLevel.PROVINCE, "Thành phố Hà Nội", None)
    make_board(unit_id=add_unit(session, "00004", UnitLevel.COMMUNE, "Phường Ba Đình", elsewhere))
    channel, _sent = delivery
    alert = document("21025")
    sent_at = alert.split("<sent>")[1].split("</sent>")[0]
    info = info_xml(effective=sent_at, onset=None, expires=stamp(timedelta(hours=6)), headline="Lạc chỗ",
                    areas=(area_xml(polygons=(), circles=(), geocodes=(("UNIT_CODE", "00004"),)),))
    update = alert_xml(identifier="A-2", sent=sent_at, msg_type="Update",
                       references=f"canhbao@nchmf.gov.vn,A-1,{sent_at}", infos=(info,)).decode()
    assert _accept(client, session, channel, update, sender_unit="51").outcome == "pending"
    result = _accept(client, session, channel, alert, sender_unit="51")
    assert result.outcome == "created" and "active on 1 boards" in result.detail
    row = session.get(Override, result.override_id)
    assert row.title == "Bão số 13" and row.target_unit_ids == [session.get(Board, inside.id).unit_id]
