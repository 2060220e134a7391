"""Boards: list by unit, detail with what plays now, pairing by the on-screen code, the week grid."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from signage_server.core.auth import in_scope, not_found
from signage_server.models import Board, Schedule, User, utcnow
from signage_server.web.api import health as health_api
from signage_server.web.api import screenshots as screenshots_api
from signage_server.web.api.pairing import PairingClaim, claim_code
from signage_server.web.deps import SessionDep
from signage_server.web.panel.routes.common import PAIRING_ROLES, PagesDep, attempt, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser
from signage_server.web.panel.timeline_view import now_playing, parse_document, week, zone_of

router = APIRouter(prefix="/boards")


def _board(session: Session, user: User, board_id: int) -> Board:
    board = session.get(Board, board_id)
    if board is None or not in_scope(session, user, board.unit_id):
        raise not_found("board", board_id)
    return board


@router.get("")
def board_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    units = units_in_scope(session, who.user)
    boards = session.exec(
        select(Board).where(col(Board.unit_id).in_(list(units))).order_by(col(Board.name))
    ).all()
    groups = [(unit, [b for b in boards if b.unit_id == uid]) for uid, unit in units.items()]
    return view.render(request, "boards.html", who, groups=[g for g in groups if g[1]])


def _schedule_names(session: Session, ids: set[str]) -> dict[str, str]:
    numeric = [int(i) for i in ids if i.isdigit()]
    rows = session.exec(select(Schedule).where(col(Schedule.id).in_(numeric))).all()
    return {str(r.id): r.name for r in rows}


def _detail(request: Request, session: Session, who: CurrentPanelUser, view: PagesDep, board: Board,
            *, message: str = "", error: str = "", status_code: int = 200, asked: bool = False) -> Response:
    assert board.id is not None
    manifest = parse_document(request.app.state.composer.current(session, board.id).document)
    now = utcnow()
    playing = now_playing(manifest, now)
    current = playing.entry.schedule_id if playing else None
    names = _schedule_names(session, {current} if current else set())
    shot, _missing = attempt(lambda: screenshots_api.latest(session, who.user, board.id or 0))
    return view.render(
        request, "board.html", who, board=board, unit=units_in_scope(session, who.user).get(board.unit_id),
        playing=playing, schedule_names=names, can_pair=who.role in PAIRING_ROLES,
        health=health_api.board_status(session, who.user, request, board.id),
        uptime=health_api.board_uptime(session, who.user, request, board.id),
        shot=shot, shot_thumb="/panel" + shot.thumbnail_url.removeprefix("/api/v1") if shot else None,
        paired=message, error=error, asked=asked, status_code=status_code, tz=zone_of(manifest),
    )


@router.get("/{board_id}")
def board_detail(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                 board_id: int) -> Response:
    return _detail(request, session, who, view, _board(session, who.user, board_id))


@router.post("/{board_id}/pairing")
def pair(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, board_id: int,
         code: Annotated[str, Form()]) -> Response:
    """The same claim the API makes (roles, scope, code rules), answered as a page."""
    board = _board(session, who.user, board_id)
    if who.role not in PAIRING_ROLES:
        raise HTTPException(403, "pairing needs the admin or operator role")
    claim = PairingClaim(code=code)
    claimed, error = attempt(lambda: claim_code(board_id, claim, request, session, who.user))
    message = "" if claimed is None else claimed.hardware_id
    return _detail(request, session, who, view, board, message=message, error=error,
                   status_code=422 if error else 200)


@router.post("/{board_id}/screenshot")
def ask_screenshot(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                   board_id: int) -> Response:
    """Screenshot on demand: the board uploads a capture over its connection when it is online."""
    board = _board(session, who.user, board_id)
    if who.role not in PAIRING_ROLES:
        raise HTTPException(403, "screenshots on demand need the admin or operator role")
    screenshots_api.request_screenshot(session, who.user, request, board_id)
    return _detail(request, session, who, view, board, asked=True)


@router.get("/{board_id}/week")
def board_week(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
               board_id: int) -> Response:
    board = _board(session, who.user, board_id)
    assert board.id is not None
    manifest = parse_document(request.app.state.composer.current(session, board.id).document)
    now: datetime = utcnow()
    columns = week(manifest, now)
    ids = {b[2].schedule_id for c in columns for b in c.blocks} - {None}
    return view.render(request, "week.html", who, board=board, columns=columns,
                       schedule_names=_schedule_names(session, {i for i in ids if i}))
