"""Media library: thumbnails by category, drag-and-drop upload (XHR, with progress) through the media
upload service; a rejected file answers with the API's own message; approval state per image."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from signage_contract import Category
from signage_server.content import media as service
from signage_server.content.media_store import MediaRejected
from signage_server.content.workflow import Actor, next_states
from signage_server.core import roles
from signage_server.core.errors import DomainError
from signage_server.models import utcnow
from signage_server.web.deps import ChangesDep, ClientIpDep, MediaStoreDep, SessionDep, SettingsDep
from signage_server.web.errors import status_of
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.approvals import ReasonField, StateField, move
from signage_server.web.panel.routes.common import PagesDep
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
                       moves={m.id: next_states(m.state, who.role) for m in items},
                       expired=service.expired_ids(items, utcnow()), max_mb=max_bytes // MB)


@router.get("/grid")
def grid(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
         category: Category | None = None) -> Response:
    """The thumbnails alone, for htmx to refresh after an upload."""
    items = service.library(session, user=who.user, category=category)
    return view.render(request, "media_grid.html", who, items=items,
                       moves={m.id: next_states(m.state, who.role) for m in items},
                       expired=service.expired_ids(items, utcnow()))


def _refused(detail: str, code: str, params: Mapping[str, object], status_code: int) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, "params": dict(params)}, status_code=status_code)


@router.post("")
def upload(
    request: Request, view: PagesDep, session: SessionDep, who: CheckedPanelUser, ip: ClientIpDep,
    changes: ChangesDep, store: MediaStoreDep,
    file: Annotated[UploadFile, File()], category: Annotated[Category, Form()] = Category.OTHER,
    title: Annotated[str, Form(max_length=200)] = "",
) -> JSONResponse:
    """The media upload service; the title defaults to the file's name. A refusal is said in the
    reader's language ("detail"), with the API's code and params beside it."""
    if who.role not in roles.EDITORS:
        raise HTTPException(403, N_("uploading needs the admin or editor role"))
    title = title.strip() or PurePath(file.filename or "").stem[:200]
    upload = service.Upload(file.file, file.filename or "", file.content_type, title, category)
    try:
        done = service.upload_media(session, actor=Actor(who.user, ip), changes=changes, store=store,
                                    upload=upload)
    except MediaRejected as exc:
        return _refused(view.refusal(request, exc), exc.code, exc.params, exc.status_code)
    except DomainError as exc:
        return _refused(view.refusal(request, exc), exc.code, exc.params, status_of(exc))
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


@router.get("/{media_id}/thumbnail")
def thumbnail(
    session: SessionDep, who: CurrentPanelUser, store: MediaStoreDep, media_id: int
) -> FileResponse:
    path = service.thumbnail_file(session, user=who.user, store=store, media_id=media_id)
    return FileResponse(path, media_type="image/jpeg")
