"""The CAP source's service (``intake.accept``): refusals are DomainErrors with stable codes, and an
accepted alert goes through the override lifecycle and out through the delivery it is given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio.to_thread
import pytest

from signage_server.core.bus import BusMessage, LocalBus
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import Forbidden, Invalid
from signage_server.emergency.delivery import Delivery
from signage_server.emergency.sources.cap import parse_cap
from signage_server.emergency.sources.cap.intake import accept
from signage_server.models import Override, OverrideState, UnitLevel
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
    assert caught.value.code == "cap.rejected" and "cover no board" in caught.value.message and sent == []


def test_a_sender_configured_with_an_unknown_unit_is_forbidden(client, session, delivery) -> None:
    channel, _sent = delivery
    xml = document("21025")
    with pytest.raises(Forbidden) as caught:
        accept(session, alert=parse_cap(xml.encode()), document=xml, sender_unit="00", ip="", max_hours=72,
               delivery=channel)
    assert caught.value.code == "cap.unknown_unit" and caught.value.params["unit"] == "00"
