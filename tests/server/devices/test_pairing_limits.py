"""Opening pairing tickets (unauthenticated): limited per address, capped in open tickets, and
expired tickets purged as new ones open."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from signage_contract import device as wire
from signage_server.core.errors import TooManyRequests, Unavailable
from signage_server.core.login_guard import LoginGuard
from signage_server.devices import pairing
from signage_server.models import PairingTicket, utcnow

START = wire.PairingStart(hardware_id="nuc-7")


def _rows(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(PairingTicket)).one()


def _limits(per_address: int = 1000, max_open: int = 1000) -> pairing.PairingLimits:
    return pairing.PairingLimits(per_address=LoginGuard(per_address, 600), max_open=max_open)


def test_two_thousand_requests_from_one_address_store_the_limit_only(client, session, capsys) -> None:
    started = time.perf_counter()
    answers = [client.post(wire.PAIRING_START, json={"hardware_id": f"nuc-{n}"}) for n in range(2000)]
    elapsed = time.perf_counter() - started
    statuses = [a.status_code for a in answers]
    assert statuses == [201] * 20 + [429] * 1980
    refused = answers[-1]
    assert refused.json()["code"] == "pairing.too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    with capsys.disabled():
        print(f"\n2000 pairing requests: {_rows(session)} rows, {elapsed:.1f} s")
    assert _rows(session) == 20


def test_open_tickets_are_capped_with_a_clear_code(session, client) -> None:
    limits = _limits(max_open=3)
    for n in range(3):
        pairing.open_ticket(session, limits=limits, ip=f"10.0.0.{n}", start=START)
    with pytest.raises(Unavailable) as full:
        pairing.open_ticket(session, limits=limits, ip="10.0.0.9", start=START)
    assert full.value.code == "pairing.full" and full.value.params["retry_after_s"] == 60
    assert _rows(session) == 3


def test_claimed_tickets_do_not_count_as_open(session, client, make_board) -> None:
    limits = _limits(max_open=1)
    first = pairing.open_ticket(session, limits=limits, ip="10.0.0.1", start=START).ticket
    first.claimed_board_id = make_board().id
    session.add(first)
    session.commit()
    pairing.open_ticket(session, limits=limits, ip="10.0.0.2", start=START)
    assert _rows(session) == 2


def test_expired_tickets_are_purged_when_a_ticket_opens(session, client, make_board) -> None:
    long_ago = utcnow() - timedelta(hours=2)
    board = make_board()
    session.add_all([
        PairingTicket(id="old-open", code="AAAAAA", secret_hash="x", hardware_id="a", expires_at=long_ago),
        PairingTicket(id="old-done", code="CCCCCC", secret_hash="x", hardware_id="b", expires_at=long_ago,
                      claimed_board_id=board.id, delivered_at=long_ago),
        PairingTicket(id="old-claimed", code="DDDDDD", secret_hash="x", hardware_id="c",
                      expires_at=long_ago, claimed_board_id=board.id),  # the device may still collect it
        PairingTicket(id="just-expired", code="EEEEEE", secret_hash="x", hardware_id="d",
                      expires_at=utcnow() - timedelta(minutes=1)),  # its player still hears "expired"
    ])
    session.commit()
    opened = pairing.open_ticket(session, limits=_limits(), ip="10.0.0.1", start=START).ticket
    session.expire_all()
    kept = set(session.exec(select(PairingTicket.id)).all())
    assert kept == {"old-claimed", "just-expired", opened.id}


def test_one_address_is_refused_after_its_limit(session, client) -> None:
    limits = _limits(per_address=2)
    for _ in range(2):
        pairing.open_ticket(session, limits=limits, ip="2001:db8::1", start=START)
    with pytest.raises(TooManyRequests) as held:
        pairing.open_ticket(session, limits=limits, ip="2001:db8::2", start=START)  # the same /64
    assert held.value.code == "pairing.too_many_requests"
    pairing.open_ticket(session, limits=limits, ip="2001:db8:0:1::1", start=START)  # another /64


@pytest.mark.parametrize(("ip", "key"), [
    ("192.0.2.7", "ip:192.0.2.7"),
    ("2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"),
    ("testclient", "ip:testclient"),
])
def test_an_address_is_counted_by_its_subscriber(ip, key) -> None:
    assert pairing.address_key(ip) == key
