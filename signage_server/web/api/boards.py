"""Boards: the screens, owned by a unit; moving one to another unit keeps its history."""

from __future__ import annotations

import shutil

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session, col, delete, select, update

from signage_server.content.workflow import owner_unit, publish
from signage_server.core import audit
from signage_server.core.auth import in_scope, not_found, scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import (
    Board,
    BoardEvent,
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
from signage_server.schemas import BoardCreate, BoardHistoryPublic, BoardPublic, BoardUpdate, revalidate
from signage_server.units.service import rehome_board
from signage_server.web.deps import AdminUser, CurrentUser, OperatorUser, SessionDep

router = APIRouter(prefix="/boards", tags=["boards"])


def _public(board: Board) -> BoardPublic:
    return BoardPublic.model_validate(board, from_attributes=True)


def _get(session: Session, user: User, board_id: int) -> Board:
    board = session.get(Board, board_id)
    if board is None or not in_scope(session, user, board.unit_id):
        raise not_found("board", board_id)
    return board


@router.get("", response_model=list[BoardPublic])
def list_boards(
    session: SessionDep, user: CurrentUser, unit_id: int | None = None, tag: str | None = None
) -> list[BoardPublic]:
    """Boards in scope; ``unit_id`` narrows to one unit's own boards, ``tag`` to a tag."""
    units = scope_unit_ids(session, user) if unit_id is None else [owner_unit(session, user, unit_id)]
    rows = session.exec(select(Board).where(col(Board.unit_id).in_(units)).order_by(col(Board.id))).all()
    return [_public(b) for b in rows if tag is None or tag in b.tags]


@router.post("", response_model=BoardPublic, status_code=status.HTTP_201_CREATED)
def create_board(
    request: Request, session: SessionDep, user: AdminUser, changes: ChangesDep, body: BoardCreate
) -> BoardPublic:
    owner_unit(session, user, body.unit_id)
    board = Board.model_validate(body)
    session.add(board)
    session.flush()
    assert board.id is not None
    session.add(BoardUnitHistory(board_id=board.id, unit_id=board.unit_id, valid_from=board.created_at))
    audit.record_by(session, request, user, "create", "board", board.id, unit_id=board.unit_id,
                    after=audit.snapshot(board))
    session.commit()
    session.refresh(board)
    publish(changes, boards={board.id})
    return _public(board)


@router.get("/{board_id}", response_model=BoardPublic)
def get_board(session: SessionDep, user: CurrentUser, board_id: int) -> BoardPublic:
    return _public(_get(session, user, board_id))


@router.patch("/{board_id}", response_model=BoardPublic)
def update_board(
    request: Request, session: SessionDep,
    user: OperatorUser, changes: ChangesDep, board_id: int, body: BoardUpdate
) -> BoardPublic:
    """Partial update; the merged board is validated as a whole (capture inside the resolution)."""
    board = _get(session, user, board_id)
    before = audit.snapshot(board)
    patch = body.model_dump(exclude_unset=True)
    merged = revalidate(BoardCreate, {**board.model_dump(include=set(BoardCreate.model_fields)), **patch})
    old_unit, old_tags = board.unit_id, set(board.tags)
    if merged.unit_id != old_unit:
        owner_unit(session, user, merged.unit_id)
        rehome_board(session, board, merged.unit_id, utcnow())
    board.sqlmodel_update(merged.model_dump(include=set(patch)))
    board.updated_at = utcnow()
    session.add(board)
    audit.record_by(session, request, user, "update", "board", board_id, unit_id=board.unit_id,
                    before=before, after=audit.snapshot(board))
    session.commit()
    session.refresh(board)
    publish(changes, boards={board_id}, tags=old_tags ^ set(board.tags))
    return _public(board)


@router.delete("/{board_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_board(
    session: SessionDep, user: AdminUser, changes: ChangesDep, request: Request, board_id: int
) -> None:
    board = _get(session, user, board_id)
    targeted = session.exec(select(Schedule.id).where(Schedule.target_board_id == board_id)).all()
    if targeted:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"schedules {list(targeted)} target this board; retarget or delete them first")
    # Health rows go with the board; proof of play stays (play_log has no foreign key to board).
    for table in (BoardUnitHistory, DeviceCredential, ComposedManifest, ScreenshotRequestRow, Screenshot,
                  BoardStatus, BoardSeen, BoardEvent):
        session.exec(delete(table).where(col(table.board_id) == board_id))
    session.exec(update(PairingTicket).where(col(PairingTicket.claimed_board_id) == board_id)
                 .values(claimed_board_id=None))
    audit.record_by(session, request, user, "delete", "board", board_id, unit_id=board.unit_id,
                    before=audit.snapshot(board))
    session.delete(board)
    session.commit()
    shutil.rmtree(request.app.state.screenshot_store.root / str(board_id), ignore_errors=True)
    publish(changes, boards={board_id})


@router.get("/{board_id}/history", response_model=list[BoardHistoryPublic])
def board_history(session: SessionDep, user: CurrentUser, board_id: int) -> list[BoardHistoryPublic]:
    """Which unit owned the board when (reports attribute the past to the unit valid then)."""
    _get(session, user, board_id)
    rows = session.exec(
        select(BoardUnitHistory).where(BoardUnitHistory.board_id == board_id)
        .order_by(col(BoardUnitHistory.valid_from))
    ).all()
    return [BoardHistoryPublic.model_validate(r, from_attributes=True) for r in rows]
