"""Screenshots of boards for operators and viewers: latest, history, files, on-demand requests
(``health/service``)."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import FileResponse
from sqlmodel import Session

from signage_server.health import service
from signage_server.health.schemas import ScreenshotPublic, ScreenshotRequestPublic
from signage_server.health.screenshots import ScreenshotStore
from signage_server.models import ScreenshotRequestRow, User
from signage_server.web.deps import BusDep, CurrentUser, OperatorUser, ScreenshotStoreDep, SessionDep

router = APIRouter(prefix="/boards/{board_id}", tags=["screenshots"])
IMAGE_CACHE_CONTROL = "private, max-age=86400"  # a screenshot's file never changes


@router.get("/screenshots", response_model=list[ScreenshotPublic])
def history(session: SessionDep, user: CurrentUser, board_id: int) -> list[ScreenshotPublic]:
    """The board's kept screenshots, newest first (bounded by ``SIGNAGE_SCREENSHOT_KEEP``)."""
    return [ScreenshotPublic.of(s) for s in service.screenshots(session, actor=user, board_id=board_id)]


@router.get("/screenshots/latest", response_model=ScreenshotPublic)
def latest(session: SessionDep, user: CurrentUser, board_id: int) -> ScreenshotPublic:
    return ScreenshotPublic.of(service.latest_screenshot(session, actor=user, board_id=board_id))


def _image(session: Session, user: User, store: ScreenshotStore, board_id: int, shot_id: int, *,
           thumbnail: bool) -> FileResponse:
    path = service.screenshot_file(session, actor=user, store=store, board_id=board_id, shot_id=shot_id,
                                   thumbnail=thumbnail)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": IMAGE_CACHE_CONTROL})


@router.get("/screenshots/{shot_id}/image", response_class=FileResponse)
def image(
    session: SessionDep, user: CurrentUser, store: ScreenshotStoreDep, board_id: int, shot_id: int
) -> FileResponse:
    return _image(session, user, store, board_id, shot_id, thumbnail=False)


@router.get("/screenshots/{shot_id}/thumbnail", response_class=FileResponse)
def thumbnail(
    session: SessionDep, user: CurrentUser, store: ScreenshotStoreDep, board_id: int, shot_id: int
) -> FileResponse:
    return _image(session, user, store, board_id, shot_id, thumbnail=True)


def _request_public(row: ScreenshotRequestRow) -> ScreenshotRequestPublic:
    return ScreenshotRequestPublic(request_id=row.id, board_id=row.board_id, requested_at=row.requested_at,
                                   fulfilled_at=row.fulfilled_at, screenshot_id=row.screenshot_id)


@router.post("/screenshot-request", response_model=ScreenshotRequestPublic,
             status_code=status.HTTP_202_ACCEPTED)
def request_screenshot(
    session: SessionDep, user: OperatorUser, bus: BusDep, board_id: int
) -> ScreenshotRequestPublic:
    """Ask the board for a fresh capture over its WebSocket; the upload naming ``request_id``
    fulfils the request (poll GET .../screenshot-requests/{request_id})."""
    return _request_public(service.request_screenshot(session, actor=user, bus=bus, board_id=board_id))


@router.get("/screenshot-requests/{request_id}", response_model=ScreenshotRequestPublic)
def screenshot_request_status(
    session: SessionDep, user: CurrentUser, board_id: int, request_id: str
) -> ScreenshotRequestPublic:
    return _request_public(service.screenshot_request(session, actor=user, board_id=board_id,
                                                      request_id=request_id))
