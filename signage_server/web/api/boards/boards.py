"""Boards: the screens, owned by a unit; moving one to another unit keeps its history
(``devices/boards``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from signage_server.core.audit import client_ip
from signage_server.devices import boards
from signage_server.manifest.programme import ProgrammePlay, board_programme
from signage_server.models import Board, utcnow
from signage_server.schemas import BoardCreate, BoardHistoryPublic, BoardPublic, BoardUpdate
from signage_server.web.deps import (
    AdminUser,
    ChangesDep,
    CurrentUser,
    OperatorUser,
    ScreenshotStoreDep,
    SessionDep,
)

router = APIRouter(prefix="/boards", tags=["boards"])


def _public(board: Board) -> BoardPublic:
    return BoardPublic.model_validate(board, from_attributes=True)


@router.get("", response_model=list[BoardPublic])
def list_boards(
    session: SessionDep, user: CurrentUser, unit_id: int | None = None, tag: str | None = None
) -> list[BoardPublic]:
    """Boards in scope; ``unit_id`` narrows to one unit's own boards, ``tag`` to a tag."""
    return [_public(b) for b in boards.list_boards(session, actor=user, unit_id=unit_id, tag=tag)]


@router.post("", response_model=BoardPublic, status_code=status.HTTP_201_CREATED)
def create_board(
    request: Request, session: SessionDep, user: AdminUser, changes: ChangesDep, body: BoardCreate
) -> BoardPublic:
    return _public(boards.create_board(session, actor=user, ip=client_ip(request), changes=changes,
                                       body=body))


@router.get("/{board_id}", response_model=BoardPublic)
def get_board(session: SessionDep, user: CurrentUser, board_id: int) -> BoardPublic:
    return _public(boards.get_board(session, actor=user, board_id=board_id))


@router.patch("/{board_id}", response_model=BoardPublic)
def update_board(
    request: Request, session: SessionDep,
    user: OperatorUser, changes: ChangesDep, board_id: int, body: BoardUpdate
) -> BoardPublic:
    """Partial update; the merged board is validated as a whole (capture inside the resolution)."""
    return _public(boards.update_board(session, actor=user, ip=client_ip(request), changes=changes,
                                       board_id=board_id, body=body))


@router.delete("/{board_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_board(
    session: SessionDep, user: AdminUser, changes: ChangesDep, screenshots: ScreenshotStoreDep,
    request: Request, board_id: int,
) -> None:
    boards.delete_board(session, actor=user, ip=client_ip(request), changes=changes, screenshots=screenshots,
                        board_id=board_id)


@router.get("/{board_id}/history", response_model=list[BoardHistoryPublic])
def board_history(session: SessionDep, user: CurrentUser, board_id: int) -> list[BoardHistoryPublic]:
    """Which unit owned the board when (reports attribute the past to the unit valid then)."""
    return [BoardHistoryPublic.model_validate(r, from_attributes=True)
            for r in boards.board_history(session, actor=user, board_id=board_id)]


@router.get("/{board_id}/programme", response_model=list[ProgrammePlay])
def board_programme_of_day(
    session: SessionDep, user: CurrentUser, board_id: int,
    day: Annotated[date | None, Query(alias="date", description="the board's local day")] = None,
) -> list[ProgrammePlay]:
    """The board's plays of one local day in order, as its player makes them (the programme rule of
    ``signage_contract.programme``): start, end, item, bulletin or media, source schedule, priority."""
    return board_programme(session, actor=user, board_id=board_id, day=day, now=utcnow())
