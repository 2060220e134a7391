"""Boards and pairing as services: refusals carry stable codes; writes are audited and announced."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict, Forbidden, Invalid, NotFound
from signage_server.devices import boards, pairing
from signage_server.models import AuditEvent, Schedule, TargetKind, User
from signage_server.schemas import BoardUpdate


def _user(session: Session, user_id: int) -> User:
    found = session.get(User, user_id)
    assert found is not None
    return found


def _feed() -> tuple[ChangeFeed, list[Change]]:
    feed, seen = ChangeFeed(), []
    feed.subscribe(seen.append)
    return feed, seen


def test_a_board_outside_scope_is_not_found(session, users, tree, make_board) -> None:
    board = make_board(unit_id=tree.commune_b)
    with pytest.raises(NotFound) as refused:
        boards.get_board(session, actor=_user(session, users["editor_a"].id), board_id=board.id)
    assert refused.value.code == "board.not_found" and refused.value.message == f"board {board.id} not found"


def test_an_update_is_validated_whole_audited_and_announced(session, users, make_board) -> None:
    board = make_board(tags=["cho"])
    operator = _user(session, users["operator_a"].id)
    feed, seen = _feed()
    with pytest.raises(Invalid) as refused:
        boards.update_board(session, actor=operator, ip="", changes=feed, board_id=board.id,
                            body=BoardUpdate(width=100, capture_w=200))
    assert refused.value.code == "board.invalid" and not seen
    boards.update_board(session, actor=operator, ip="10.1.1.1", changes=feed, board_id=board.id,
                        body=BoardUpdate(tags=["truong"]))
    assert seen == [Change(boards=frozenset({board.id}), tags=frozenset({"cho", "truong"}))]
    event = session.exec(select(AuditEvent).where(AuditEvent.object_type == "board")).one()
    assert event.action == "update" and event.ip == "10.1.1.1"


def test_viewers_cannot_update_boards(session, users, make_board) -> None:
    board = make_board()
    feed, _seen = _feed()
    with pytest.raises(Forbidden):
        boards.update_board(session, actor=_user(session, users["viewer_a"].id), ip="", changes=feed,
                            board_id=board.id, body=BoardUpdate(name="x"))


def test_a_targeted_board_cannot_be_deleted(session, users, make_board, layout, app) -> None:
    board = make_board()
    session.add(Schedule(name="s", unit_id=board.unit_id, layout_id=layout.id, target_kind=TargetKind.BOARD,
                     target_board_id=board.id))
    session.commit()
    feed, _seen = _feed()
    with pytest.raises(Conflict) as refused:
        boards.delete_board(session, actor=_user(session, users["admin_a"].id), ip="", changes=feed,
                            screenshots=app.state.screenshot_store, board_id=board.id)
    assert refused.value.code == "board.targeted_by_schedules"


def test_an_unknown_pairing_code_says_why(session, users, make_board) -> None:
    board = make_board()
    with pytest.raises(NotFound) as refused:
        pairing.claim_code(session, actor=_user(session, users["operator_a"].id), ip="", board_id=board.id,
                           claim=pairing.PairingClaim(code="acd efh"))
    assert refused.value.code == "pairing.unknown_code" and "ACDEFH" in refused.value.message
