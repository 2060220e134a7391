"""The override service called directly (as the API and the panel do): each refusal is a DomainError
with its stable code, and a confirmation is pushed through the delivery it is given."""

from __future__ import annotations

from datetime import timedelta

import anyio.to_thread
import pytest
from sqlmodel import Session

from signage_contract import device as wire
from signage_server.core.bus import BusMessage, LocalBus
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from signage_server.emergency import overrides
from signage_server.emergency.delivery import Delivery
from signage_server.emergency.schemas import OverrideCreate, OverrideTargetIn
from signage_server.models import Override, Role, User, utcnow
from tests.support.factories import make_user

MAX_HOURS = 72


def user(session: Session, api_user) -> User:
    found = session.get(User, api_user.id)
    assert found is not None
    return found


def draft(**fields) -> OverrideCreate:
    values = {"title": "Bão số 13 đổ bộ", "risk_level": 4, "target": OverrideTargetIn(all=True),
              "expires_at": utcnow() + timedelta(hours=6), **fields}
    return OverrideCreate.model_validate(values)


def create(session: Session, actor: User, **fields) -> int:
    made = overrides.create(session, user=actor, ip="", body=draft(**fields), max_hours=MAX_HOURS)
    return made.id


def refusal(action) -> DomainError:
    with pytest.raises(DomainError) as caught:
        action()
    return caught.value


@pytest.fixture
def delivery(client) -> tuple[Delivery, list[BusMessage], list[Change]]:
    """A delivery of its own (a local bus, a change feed) on the app's event loop."""
    bus, feed = LocalBus(), ChangeFeed()
    sent: list[BusMessage] = []
    changed: list[Change] = []
    client.portal.call(bus.start, sent.append)
    feed.subscribe(changed.append)
    return Delivery(bus=bus, changes=feed), sent, changed


def test_confirm_pushes_to_the_targeted_boards_then_recomposes_them(client, session, users, make_board,
                                                                    delivery) -> None:
    board = make_board()
    channel, sent, changed = delivery
    operator = user(session, users["operator_a"])
    override_id = create(session, operator)

    def confirm() -> None:
        overrides.confirm(session, user=operator, ip="", override_id=override_id, delivery=channel)

    client.portal.call(anyio.to_thread.run_sync, confirm)  # announce runs in a worker thread of the loop
    assert [m.boards for m in sent] == [frozenset({board.id})]
    assert wire.OverridePush.model_validate_json(sent[0].text).override.id == str(override_id)
    assert changed == [Change(boards=frozenset({board.id}))]


def test_confirming_twice_is_a_conflict_not_pending(client, session, users, make_board, delivery) -> None:
    make_board()
    channel, _sent, _changed = delivery
    operator = user(session, users["operator_a"])
    override_id = create(session, operator)
    client.portal.call(anyio.to_thread.run_sync, lambda: overrides.confirm(
        session, user=operator, ip="", override_id=override_id, delivery=channel))
    again = refusal(lambda: overrides.confirm(session, user=operator, ip="", override_id=override_id,
                                              delivery=channel))
    assert isinstance(again, Conflict) and again.code == "override.not_pending"
    assert again.params == {"id": override_id, "state": "active"}
    assert again.message == f"override {override_id} is active, not pending"


def test_confirming_after_the_expiry_is_a_conflict_expired(client, session, users, delivery) -> None:
    channel, sent, _changed = delivery
    operator = user(session, users["operator_a"])
    override_id = create(session, operator)
    row = session.get(Override, override_id)
    assert row is not None
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.add(row)
    session.commit()
    late = refusal(lambda: overrides.confirm(session, user=operator, ip="", override_id=override_id,
                                             delivery=channel))
    assert isinstance(late, Conflict) and late.code == "override.expired" and sent == []


@pytest.mark.parametrize(("fields", "code"), [
    ({"expires_at": utcnow() - timedelta(minutes=1)}, "override.expires_in_past"),
    ({"starts_at": utcnow() + timedelta(hours=8)}, "override.invalid_window"),
    ({"expires_at": utcnow() + timedelta(hours=MAX_HOURS + 1)}, "override.too_long"),
    ({"target": OverrideTargetIn()}, "override.no_target"),
])
def test_an_invalid_window_or_target_is_refused_with_its_code(client, session, users, fields, code) -> None:
    wrong = refusal(lambda: create(session, user(session, users["operator_a"]), **fields))
    assert isinstance(wrong, Invalid) and wrong.code == code


def test_a_target_outside_the_scope_is_not_found(client, session, users, tree, make_board) -> None:
    other = make_board(unit_id=tree.commune_b)
    outside = refusal(lambda: create(session, user(session, users["operator_a"]),
                                     target=OverrideTargetIn(board_ids=[other.id])))
    assert isinstance(outside, NotFound) and outside.code == "board.not_found"
    assert outside.message == f"board {other.id} not found"


def test_only_operators_and_admins_issue(client, session, users) -> None:
    denied = refusal(lambda: create(session, user(session, users["editor_a"])))
    assert isinstance(denied, Forbidden) and denied.code == "override.operators_only"


def test_an_override_issued_above_is_left_to_its_issuer(client, session, users, delivery) -> None:
    channel, _sent, _changed = delivery
    override_id = create(session, user(session, users["admin"]))  # province level, above commune A
    operator = user(session, users["operator_a"])
    above = refusal(lambda: overrides.cancel(session, user=operator, ip="", override_id=override_id,
                                             delivery=channel))
    assert isinstance(above, Forbidden) and above.code == "override.issued_above"


def test_an_override_out_of_sight_is_not_found(client, session, users, tree, password_hash, delivery) -> None:
    channel, _sent, _changed = delivery
    override_id = create(session, user(session, users["operator_a"]))
    operator_b = make_user(session, "operator-b", Role.OPERATOR, tree.commune_b, password_hash)
    hidden = refusal(lambda: overrides.get(session, user=user(session, operator_b), override_id=override_id,
                                           delivery=channel))
    assert isinstance(hidden, NotFound) and hidden.code == "override.not_found"


def test_cancelling_twice_is_a_conflict_already_ended(client, session, users, delivery) -> None:
    channel, sent, _changed = delivery
    operator = user(session, users["operator_a"])
    override_id = create(session, operator)
    cancelled = overrides.cancel(session, user=operator, ip="", override_id=override_id, delivery=channel)
    assert cancelled.state == "cancelled" and sent == []  # pending: no board was showing it
    again = refusal(lambda: overrides.cancel(session, user=operator, ip="", override_id=override_id,
                                             delivery=channel))
    assert isinstance(again, Conflict) and again.code == "override.already_ended"
