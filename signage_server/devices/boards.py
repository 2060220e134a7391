"""Boards: the screens, owned by a unit; moving one to another unit keeps its history.

Every function takes the acting user; a board outside their subtree answers ``board.not_found``.
Writes are audited with the actor's address and announce the boards (and tags) they touched.
"""

from __future__ import annotations

import shutil

from sqlmodel import Session, col, delete, select, update

from signage_server.core import audit, roles
from signage_server.core.auth import ensure_in_scope, get_in_scope, require_role, scope_unit_ids
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict
from signage_server.core.paging import Page, PageRequest, matches, paged, search_text
from signage_server.core.validation import validated
from signage_server.health.screenshots import ScreenshotStore
from signage_server.models import (
    Board,
    BoardEvent,
    BoardKind,
    BoardSeen,
    BoardStatus,
    BoardUnitHistory,
    ComposedManifest,
    DeviceCredential,
    PairingTicket,
    Schedule,
    Screenshot,
    ScreenshotRequestRow,
    User,
    utcnow,
)
from signage_server.schemas import BoardCreate, BoardUpdate
from signage_server.units.service import rehome_board, subtree_ids

OBJECT_TYPE = "board"
# Rows that go with a deleted board; proof of play stays (play_log has no foreign key to board).
BOARD_ROWS = (BoardUnitHistory, DeviceCredential, ComposedManifest, ScreenshotRequestRow, Screenshot,
              BoardStatus, BoardSeen, BoardEvent)


def get_board(session: Session, *, actor: User, board_id: int) -> Board:
    return get_in_scope(session, actor, Board, board_id, OBJECT_TYPE)


def list_boards(session: Session, *, actor: User, unit_id: int | None = None, tag: str | None = None,
                order_by_name: bool = False) -> list[Board]:
    """Boards in scope; ``unit_id`` narrows to one unit's own boards, ``tag`` to a tag."""
    if unit_id is not None:
        ensure_in_scope(session, actor, unit_id)
    units = scope_unit_ids(session, actor) if unit_id is None else [unit_id]
    order = col(Board.name) if order_by_name else col(Board.id)
    rows = session.exec(select(Board).where(col(Board.unit_id).in_(units)).order_by(order)).all()
    return [b for b in rows if tag is None or tag in b.tags]


def board_page(
    session: Session, *, actor: User, text: str = "", unit_id: int | None = None,
    kind: BoardKind | None = None, wanted: PageRequest | None = None,
) -> Page[Board]:
    """One page of the boards in scope by name: words in the name or address, a unit's subtree, a kind."""
    units = scope_unit_ids(session, actor)
    if unit_id is not None:
        ensure_in_scope(session, actor, unit_id)
        units = subtree_ids(session, unit_id)
    query = select(Board).where(col(Board.unit_id).in_(units))
    if kind is not None:
        query = query.where(Board.kind == kind)
    if search_text(text):
        query = query.where(matches(search_text(text), col(Board.name), col(Board.address)))
    return paged(session, query.order_by(col(Board.name), col(Board.id)), wanted or PageRequest())


def create_board(session: Session, *, actor: User, ip: str, changes: ChangeFeed, body: BoardCreate) -> Board:
    require_role(actor, roles.ADMINS)
    ensure_in_scope(session, actor, body.unit_id)
    board = Board.model_validate(body)
    session.add(board)
    session.flush()
    assert board.id is not None
    session.add(BoardUnitHistory(board_id=board.id, unit_id=board.unit_id, valid_from=board.created_at))
    audit.record_as(session, actor, ip, "create", OBJECT_TYPE, board.id, unit_id=board.unit_id,
                    after=audit.snapshot(board))
    session.commit()
    session.refresh(board)
    changes.publish(Change(boards=frozenset({board.id})))
    return board


def update_board(session: Session, *, actor: User, ip: str, changes: ChangeFeed, board_id: int,
                 body: BoardUpdate) -> Board:
    """Partial update; the merged board is validated as a whole (capture inside the resolution)."""
    require_role(actor, roles.OPERATORS)
    board = get_board(session, actor=actor, board_id=board_id)
    before = audit.snapshot(board)
    patch = body.model_dump(exclude_unset=True)
    current = board.model_dump(include=set(BoardCreate.model_fields))
    merged = validated(BoardCreate, {**current, **patch}, "board.invalid")
    old_unit, old_tags = board.unit_id, set(board.tags)
    if merged.unit_id != old_unit:
        ensure_in_scope(session, actor, merged.unit_id)
        rehome_board(session, board, merged.unit_id, utcnow())
    board.sqlmodel_update(merged.model_dump(include=set(patch)))
    board.updated_at = utcnow()
    session.add(board)
    audit.record_as(session, actor, ip, "update", OBJECT_TYPE, board_id, unit_id=board.unit_id,
                    before=before, after=audit.snapshot(board))
    session.commit()
    session.refresh(board)
    changes.publish(Change(boards=frozenset({board_id}), tags=frozenset(old_tags ^ set(board.tags))))
    return board


def delete_board(session: Session, *, actor: User, ip: str, changes: ChangeFeed,
                 screenshots: ScreenshotStore, board_id: int) -> None:
    """Delete a board no schedule targets, with its health rows and screenshot files."""
    require_role(actor, roles.ADMINS)
    board = get_board(session, actor=actor, board_id=board_id)
    targeted = session.exec(select(Schedule.id).where(Schedule.target_board_id == board_id)).all()
    if targeted:
        raise Conflict("board.targeted_by_schedules",
                       f"schedules {list(targeted)} target this board; retarget or delete them first",
                       board_id=board_id)
    for table in BOARD_ROWS:
        session.exec(delete(table).where(col(table.board_id) == board_id))
    session.exec(update(PairingTicket).where(col(PairingTicket.claimed_board_id) == board_id)
                 .values(claimed_board_id=None))
    audit.record_as(session, actor, ip, "delete", OBJECT_TYPE, board_id, unit_id=board.unit_id,
                    before=audit.snapshot(board))
    session.delete(board)
    session.commit()
    shutil.rmtree(screenshots.root / str(board_id), ignore_errors=True)
    changes.publish(Change(boards=frozenset({board_id})))


def board_history(session: Session, *, actor: User, board_id: int) -> list[BoardUnitHistory]:
    """Which unit owned the board when (reports attribute the past to the unit valid then)."""
    get_board(session, actor=actor, board_id=board_id)
    rows = session.exec(
        select(BoardUnitHistory).where(BoardUnitHistory.board_id == board_id)
        .order_by(col(BoardUnitHistory.valid_from))
    ).all()
    return list(rows)
