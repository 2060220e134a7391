"""Media library: thumbnails by category, drag-and-drop upload (XHR, with progress) through the media
upload service; a rejected file answers with the API's own message; approval state per image."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from signage_contract import Category
from signage_server.content import media as service
from signage_server.content.media_store import MediaRejected
from signage_server.content.workflow import Actor, next_states
from signage_server.core import roles
from signage_server.core.errors import DomainError
from signage_server.models import Media, utcnow
from signage_server.schemas import MediaUpdate
from signage_server.web.deps import ChangesDep, ClientIpDep, MediaStoreDep, SessionDep, SettingsDep
from signage_server.web.errors import status_of
from signage_server.web.panel.local_dates import local_text, parse_local, validity_at
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.approvals import ReasonField, StateField, move
from signage_server.web.panel.routes.common import PagesDep, run_service
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/media")
MB = 1024 * 1024


@router.get("")
def library(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
            settings: SettingsDep, category: Category | None = None) -> Response:
    return _page(request, session, who, view, settings.max_upload_bytes, category)


def _page(request: Request, session: SessionDep, who: PanelUser, view: Pages, max_bytes: int,
          category: Category | None, error: str = "") -> Response:
    items = service.library(session, user=who.user, category=category)
    return view.render(request, "media.html", who, items=items, categories=list(Category), category=category,
                       can_upload=who.role in roles.EDITORS, error=error, status_code=422 if error else 200,
                       max_mb=max_bytes // MB, **_grid_context(items, who))


def _grid_context(items: list[Media], who: PanelUser) -> dict[str, Any]:
    now = utcnow()
    return {"moves": {m.id: next_states(m.state, who.role) for m in items},
            "validity": {m.id: validity_at(m.valid_from, m.valid_until, now) for m in items},
            "local_text": local_text, "can_edit": who.role in roles.EDITORS}


@router.get("/grid")
def grid(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
         category: Category | None = None) -> Response:
    """The thumbnails alone, for htmx to refresh after an upload."""
    items = service.library(session, user=who.user, category=category)
    return view.render(request, "media_grid.html", who, items=items, **_grid_context(items, who))


@router.post("")
def upload(
    session: SessionDep, who: CheckedPanelUser, ip: ClientIpDep, changes: ChangesDep, store: MediaStoreDep,
    file: Annotated[UploadFile, File()], category: Annotated[Category, Form()] = Category.OTHER,
    title: Annotated[str, Form(max_length=200)] = "",
) -> JSONResponse:
    """The media upload service; the title defaults to the file's name. Errors keep the API's words."""
    if who.role not in roles.EDITORS:
        raise HTTPException(403, "uploading needs the admin or editor role")
    title = title.strip() or PurePath(file.filename or "").stem[:200]
    upload = service.Upload(file.file, file.filename or "", file.content_type, title, category)
    try:
        done = service.upload_media(session, actor=Actor(who.user, ip), changes=changes, store=store,
                                    upload=upload)
    except MediaRejected as exc:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)
    except DomainError as exc:
        return JSONResponse({"detail": exc.message}, status_code=status_of(exc))
    made = done.media
    return JSONResponse({"id": made.id, "thumbnail": f"/panel/media/{made.id}/thumbnail"}, status_code=201)


@router.post("/{media_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 settings: SettingsDep, changes: ChangesDep, ip: ClientIpDep, media_id: int,
                 state: StateField, reason: ReasonField = "") -> Response:
    error = move(session, actor=Actor(who.user, ip), changes=changes, kind="media", item_id=media_id,
                 state=state, reason=reason)
    if error:
        return _page(request, session, who, view, settings.max_upload_bytes, None, error)
    return see_other("/panel/media")


@router.post("/{media_id}/validity")
def set_validity(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 settings: SettingsDep, changes: ChangesDep, ip: ClientIpDep, media_id: int,
                 valid_from: Annotated[str, Form(max_length=40)] = "",
                 valid_until: Annotated[str, Form(max_length=40)] = "") -> Response:
    """When the image may be shown, typed in local time (``local_dates``); the media update service."""
    if who.role not in roles.EDITORS:
        raise HTTPException(403, "dating images needs the admin or editor role")
    done, error = run_service(lambda: service.update_media(
        session, actor=Actor(who.user, ip), changes=changes, media_id=media_id,
        patch=MediaUpdate(valid_from=parse_local(valid_from, "valid_from"),
                          valid_until=parse_local(valid_until, "valid_until", end_of_day=True))))
    if done is None:
        return _page(request, session, who, view, settings.max_upload_bytes, None, error)
    return see_other("/panel/media")


@router.get("/{media_id}/thumbnail")
def thumbnail(
    session: SessionDep, who: CurrentPanelUser, store: MediaStoreDep, media_id: int
) -> FileResponse:
    path = service.thumbnail_file(session, user=who.user, store=store, media_id=media_id)
    return FileResponse(path, media_type="image/jpeg")
