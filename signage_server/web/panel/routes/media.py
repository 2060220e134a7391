"""Media library: thumbnails by category, drag-and-drop upload (XHR, with progress) through the media
API's upload; a rejected file answers with the API's own message; approval state per image."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlmodel import col, select

from signage_contract import Category
from signage_server.core import roles
from signage_server.core.auth import scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import ContentState, Media, User
from signage_server.schemas import StateChange
from signage_server.web.api import media as api
from signage_server.web.deps import SessionDep
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.bulletins import next_states
from signage_server.web.panel.routes.common import PagesDep, attempt
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/media")


def _library(session: SessionDep, user: User, category: Category | None) -> list[Media]:
    query = select(Media).where(col(Media.unit_id).in_(scope_unit_ids(session, user)))
    if category is not None:
        query = query.where(Media.category == category)
    return list(session.exec(query.order_by(col(Media.id).desc())).all())


@router.get("")
def library(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
            category: Category | None = None) -> Response:
    return _page(request, session, who, view, category)


def _page(request: Request, session: SessionDep, who: PanelUser, view: Pages, category: Category | None,
          error: str = "") -> Response:
    items = _library(session, who.user, category)
    return view.render(request, "media.html", who, items=items, categories=list(Category), category=category,
                       can_upload=who.role in roles.EDITORS, error=error, status_code=422 if error else 200,
                       moves={m.id: next_states(m.state, who.role) for m in items},
                       max_mb=request.app.state.settings.max_upload_bytes // (1024 * 1024))


@router.get("/grid")
def grid(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
         category: Category | None = None) -> Response:
    """The thumbnails alone, for htmx to refresh after an upload."""
    items = _library(session, who.user, category)
    return view.render(request, "media_grid.html", who, items=items,
                       moves={m.id: next_states(m.state, who.role) for m in items})


@router.post("")
def upload(
    request: Request, session: SessionDep, who: CheckedPanelUser, changes: ChangesDep,
    file: Annotated[UploadFile, File()], category: Annotated[Category, Form()] = Category.OTHER,
    title: Annotated[str, Form(max_length=200)] = "",
) -> JSONResponse:
    """The media API's upload; the title defaults to the file's name. Errors keep the API's words."""
    if who.role not in roles.EDITORS:
        raise HTTPException(403, "uploading needs the admin or editor role")
    title = title.strip() or PurePath(file.filename or "").stem[:200]
    try:
        made = api.upload_media(request, Response(), session, who.user, changes, file, title, category, None)
    except HTTPException as exc:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    return JSONResponse({"id": made.id, "thumbnail": f"/panel/media/{made.id}/thumbnail"}, status_code=201)


@router.post("/{media_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, media_id: int, state: Annotated[ContentState, Form()],
                 reason: Annotated[str, Form()] = "") -> Response:
    _done, error = attempt(lambda: api.change_state(request,
        session, who.user, changes, media_id, StateChange(state=state, reason=reason)))
    if error:
        return _page(request, session, who, view, None, error)
    return see_other("/panel/media")


@router.get("/{media_id}/thumbnail")
def thumbnail(request: Request, session: SessionDep, who: CurrentPanelUser, media_id: int) -> FileResponse:
    return api.media_thumbnail(request, session, who.user, media_id)
