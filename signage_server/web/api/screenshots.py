"""Screenshots of boards for operators and viewers: latest, history, files, on-demand requests."""

from __future__ import annotations

import secrets
from pathlib import Path

import anyio
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse
from sqlmodel import Session, col, select

from signage_contract import device as wire
from signage_server.core.bus import BusMessage
from signage_server.health.schemas import ScreenshotPublic, ScreenshotRequestPublic
from signage_server.health.screenshots import ScreenshotStore
from signage_server.models import Screenshot, ScreenshotRequestRow, User
from signage_server.web.api.health import board_in_scope
from signage_server.web.deps import CurrentUser, OperatorUser, SessionDep

router = APIRouter(prefix="/boards/{board_id}", tags=["screenshots"])
IMAGE_CACHE_CONTROL = "private, max-age=86400"  # a screenshot's file never changes


def _history(session: Session, board_id: int, limit: int | None = None) -> list[Screenshot]:
    statement = (select(Screenshot).where(Screenshot.board_id == board_id)
                 .order_by(col(Screenshot.received_at).desc(), col(Screenshot.id).desc()))
    return list(session.exec(statement.limit(limit) if limit else statement).all())


@router.get("/screenshots", response_model=list[ScreenshotPublic])
def history(session: SessionDep, user: CurrentUser, board_id: int) -> list[ScreenshotPublic]:
    """The board's kept screenshots, newest first (bounded by ``SIGNAGE_SCREENSHOT_KEEP``)."""
    board_in_scope(session, user, board_id)
    return [ScreenshotPublic.of(s) for s in _history(session, board_id)]


@router.get("/screenshots/latest", response_model=ScreenshotPublic)
def latest(session: SessionDep, user: CurrentUser, board_id: int) -> ScreenshotPublic:
    board_in_scope(session, user, board_id)
    shots = _history(session, board_id, 1)
    if not shots:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"board {board_id} has sent no screenshot yet")
    return ScreenshotPublic.of(shots[0])


def _file(session: Session, user: User, request: Request, board_id: int, shot_id: int, thumb: bool) -> Path:
    board_in_scope(session, user, board_id)
    shot = session.get(Screenshot, shot_id)
    if shot is None or shot.board_id != board_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"screenshot {shot_id} not found")
    store: ScreenshotStore = request.app.state.screenshot_store
    path = store.thumbnail_path(shot) if thumb else store.image_path(shot)
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"screenshot {shot_id} file missing")
    return path


@router.get("/screenshots/{shot_id}/image", response_class=FileResponse)
def image(
    session: SessionDep, user: CurrentUser, request: Request, board_id: int, shot_id: int
) -> FileResponse:
    path = _file(session, user, request, board_id, shot_id, thumb=False)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": IMAGE_CACHE_CONTROL})


@router.get("/screenshots/{shot_id}/thumbnail", response_class=FileResponse)
def thumbnail(
    session: SessionDep, user: CurrentUser, request: Request, board_id: int, shot_id: int
) -> FileResponse:
    path = _file(session, user, request, board_id, shot_id, thumb=True)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": IMAGE_CACHE_CONTROL})


def _request_public(row: ScreenshotRequestRow) -> ScreenshotRequestPublic:
    return ScreenshotRequestPublic(request_id=row.id, board_id=row.board_id, requested_at=row.requested_at,
                                   fulfilled_at=row.fulfilled_at, screenshot_id=row.screenshot_id)


@router.post("/screenshot-request", response_model=ScreenshotRequestPublic,
             status_code=status.HTTP_202_ACCEPTED)
def request_screenshot(
    session: SessionDep, user: OperatorUser, request: Request, board_id: int
) -> ScreenshotRequestPublic:
    """Ask the board for a fresh capture over its WebSocket; the upload naming ``request_id``
    fulfils the request (poll GET .../screenshot-requests/{request_id})."""
    board_in_scope(session, user, board_id)
    row = ScreenshotRequestRow(id=secrets.token_hex(12), board_id=board_id, requested_by=user.id)
    session.add(row)
    session.commit()
    session.refresh(row)
    text = wire.ScreenshotRequest(request_id=row.id).model_dump_json()
    anyio.from_thread.run(request.app.state.bus.publish, BusMessage(text, frozenset({board_id})))
    return _request_public(row)


@router.get("/screenshot-requests/{request_id}", response_model=ScreenshotRequestPublic)
def screenshot_request_status(
    session: SessionDep, user: CurrentUser, board_id: int, request_id: str
) -> ScreenshotRequestPublic:
    board_in_scope(session, user, board_id)
    row = session.get(ScreenshotRequestRow, request_id)
    if row is None or row.board_id != board_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"screenshot request {request_id} not found")
    return _request_public(row)
