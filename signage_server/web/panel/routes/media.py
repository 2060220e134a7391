"""Media library: thumbnails by category, drag-and-drop upload (XHR, with progress) through the media
upload service; a rejected file answers with the API's own message; approval state per image."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from signage_contract import Category
from signage_server.content import media as service
from signage_server.content import pdf_media
from signage_server.content.media_store import MediaRejected
from signage_server.content.workflow import Actor, next_states
from signage_server.core import roles
from signage_server.core.errors import DomainError, Forbidden
from signage_server.models import ContentState, utcnow
from signage_server.schemas import MediaUpdate
from signage_server.web.deps import ChangesDep, ClientIpDep, MediaStoreDep, SessionDep, SettingsDep
from signage_server.web.errors import status_of
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQuery, ListQueryDep
from signage_server.web.panel.local_dates import local_text, parse_local, validity_at
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.approvals import ReasonField, StateField, move
from signage_server.web.panel.routes.common import (
    NO_REFUSAL,
    ArchiveMove,
    PagesDep,
    Refusal,
    run_archive,
    run_delete,
    run_service,
    units_in_scope,
)
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/media")
MB = 1024 * 1024


@router.get("")
def library(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
            settings: SettingsDep, q: ListQueryDep) -> Response:
    return _page(request, session, who, view, settings.max_upload_bytes, q)


def _found(session: SessionDep, who: PanelUser, q: ListQuery) -> dict[str, Any]:
    """The page of thumbnails the query asks for, with what the grid shows beside each."""
    found = service.media_page(session, user=who.user, wanted=q.content(),
                               category=q.option("category", Category))
    now = utcnow()
    return {"found": found, "items": found.rows, "q": q, "can_upload": who.role in roles.EDITORS,
            "moves": {m.id: next_states(m.state, who.role) for m in found.rows},
            "validity": {m.id: validity_at(m.valid_from, m.valid_until, now) for m in found.rows},
            "local_text": local_text, "can_edit": who.role in roles.EDITORS}


def _page(request: Request, session: SessionDep, who: PanelUser, view: Pages, max_bytes: int,
          q: ListQuery, refusal: Refusal = NO_REFUSAL) -> Response:
    return view.render(request, "media.html", who, categories=list(Category), states=list(ContentState),
                       pdf_max_pages=pdf_media.MAX_PAGES,
                       units=units_in_scope(session, who.user), error=refusal.message, refusal=refusal,
                       status_code=422 if refusal else 200, max_mb=max_bytes // MB, **_found(session, who, q))


@router.get("/grid")
def grid(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
         q: ListQueryDep) -> Response:
    """The thumbnails alone, for htmx to refresh after an upload."""
    return view.render(request, "media_grid.html", who, **_found(session, who, q))


@router.get("/{media_id}")
def edit_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
              media_id: int) -> Response:
    return _editor(request, session, who, view, media_id)


def _editor(request: Request, session: SessionDep, who: PanelUser, view: Pages, media_id: int,
            refusal: Refusal = NO_REFUSAL) -> Response:
    row = service.get_media(session, user=who.user, media_id=media_id)
    used = service.where_used(session, user=who.user, media_id=media_id)
    pages = pdf_media.document_pages(session, user=who.user, media_id=media_id)
    return view.render(request, "media_edit.html", who, m=row, categories=list(Category), pages=pages,
                       used_in=[(f"/panel/playlists/{ident}", name) for ident, name in used],
                       can_edit=who.role in roles.EDITORS, moves={row.id: next_states(row.state, who.role)},
                       error=refusal.message, refusal=refusal, status_code=422 if refusal else 200)


@router.post("/{media_id}")
def update(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
           ip: ClientIpDep, media_id: int, title: Annotated[str, Form(max_length=200)],
           category: Annotated[Category, Form()]) -> Response:
    """Rename an image or file it under another category (an approved image goes back for approval)."""
    actor = _writer(who, ip)
    _done, error = run_service(lambda: service.update_media(
        session, actor=actor, changes=changes, media_id=media_id,
        patch=MediaUpdate(title=title, category=category)))
    if error:
        return _editor(request, session, who, view, media_id, Refusal(error))
    return see_other(f"/panel/media/{media_id}")


@router.post("/{media_id}/delete")
def delete(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
           ip: ClientIpDep, store: MediaStoreDep, media_id: int) -> Response:
    """Delete an image no playlist shows; otherwise the page says which playlists do."""
    actor = _writer(who, ip)
    refusal = run_delete(lambda: service.delete_media(
        session, actor=actor, changes=changes, store=store, media_id=media_id),
        view.translator(request).lang)
    if refusal:
        return _editor(request, session, who, view, media_id, refusal)
    return see_other("/panel/media")


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
                 state: StateField, reason: ReasonField = "", back: Annotated[str, Form()] = "") -> Response:
    error = move(session, actor=Actor(who.user, ip), changes=changes, kind="media", item_id=media_id,
                 state=state, reason=reason)
    if error:
        return _page(request, session, who, view, settings.max_upload_bytes, ListQuery({}), Refusal(error))
    return see_other(back if back.startswith("/panel/media") else "/panel/media")


def _writer(who: PanelUser, ip: str) -> Actor:
    if who.role not in roles.EDITORS:
        raise Forbidden("panel.role_needed", "editing media needs the admin or editor role")
    return Actor(who.user, ip)


@router.post("/{media_id}/validity")
def set_validity(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 settings: SettingsDep, changes: ChangesDep, ip: ClientIpDep, media_id: int,
                 valid_from: Annotated[str, Form(max_length=40)] = "",
                 valid_until: Annotated[str, Form(max_length=40)] = "") -> Response:
    """When the image may be shown, typed in local time (``local_dates``); the media update service."""
    if who.role not in roles.EDITORS:
        raise HTTPException(403, N_("dating images needs the admin or editor role"))
    done, error = run_service(lambda: service.update_media(
        session, actor=Actor(who.user, ip), changes=changes, media_id=media_id,
        patch=MediaUpdate(valid_from=parse_local(valid_from, "valid_from"),
                          valid_until=parse_local(valid_until, "valid_until", end_of_day=True))))
    if done is None:
        return _page(request, session, who, view, settings.max_upload_bytes, ListQuery({}), Refusal(error))
    return see_other("/panel/media")


@router.get("/{media_id}/thumbnail")
def thumbnail(
    session: SessionDep, who: CurrentPanelUser, store: MediaStoreDep, media_id: int
) -> FileResponse:
    path = service.thumbnail_file(session, user=who.user, store=store, media_id=media_id)
    return FileResponse(path, media_type="image/jpeg")


@router.get("/{media_id}/pages/{position}")
def document_page(
    session: SessionDep, who: CurrentPanelUser, store: MediaStoreDep, media_id: int, position: int
) -> FileResponse:
    """One page of a PDF document as the boards show it (the preview shows every page)."""
    path = pdf_media.page_file(session, user=who.user, store=store, media_id=media_id, position=position)
    return FileResponse(path, media_type=pdf_media.PAGE_TYPE)


@router.post("/{media_id}/{move}")
def archive(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
            changes: ChangesDep, ip: ClientIpDep, media_id: int, move: ArchiveMove) -> Response:
    """Archive (refused while a live playlist shows it: the page says which) or restore."""
    actor = _writer(who, ip)
    act = service.archive_media if move == "archive" else service.restore_media
    refusal = run_archive(lambda: act(session, actor=actor, changes=changes, media_id=media_id),
                          view.translator(request).lang)
    if refusal:
        return _editor(request, session, who, view, media_id, refusal)
    return see_other(f"/panel/media/{media_id}")
