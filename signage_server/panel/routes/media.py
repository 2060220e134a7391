"""Media library: thumbnails by category, drag-and-drop upload (XHR, with progress) into the
content-addressed store; a rejected file answers with the store's own message."""

from __future__ import annotations

import unicodedata
from pathlib import PurePath
from typing import Annotated

import anyio
from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlmodel import col, select

from signage_contract import Category

from ...auth import scope_unit_ids
from ...changes import ChangesDep
from ...content import get_owned, publish
from ...deps import SessionDep
from ...media_store import MediaRejected, MediaStore, StoredMedia
from ...models import Media, User
from ..session import CheckedPanelUser, CurrentPanelUser
from .common import EDITOR_ROLES, PagesDep

router = APIRouter(prefix="/media")


def _library(session: SessionDep, user: User, category: Category | None) -> list[Media]:
    query = select(Media).where(col(Media.unit_id).in_(scope_unit_ids(session, user)))
    if category is not None:
        query = query.where(Media.category == category)
    return list(session.exec(query.order_by(col(Media.id).desc())).all())


@router.get("")
def library(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
            category: Category | None = None) -> Response:
    return view.render(request, "media.html", who, items=_library(session, who.user, category),
                       categories=list(Category), category=category,
                       can_upload=who.role in EDITOR_ROLES,
                       max_mb=request.app.state.settings.max_upload_bytes // (1024 * 1024))


@router.get("/grid")
def grid(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
         category: Category | None = None) -> Response:
    """The thumbnails alone, for htmx to refresh after an upload."""
    return view.render(request, "media_grid.html", who, items=_library(session, who.user, category))


def _record(session: SessionDep, user: User, stored: StoredMedia, title: str, category: Category) -> Media:
    row = Media(
        unit_id=user.unit_id, created_by=user.id, sha256=stored.sha256, size=stored.size,
        content_type=stored.content_type, width=stored.width, height=stored.height,
        original_name=stored.safe_name, title=title or PurePath(stored.safe_name).stem, category=category,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


@router.post("")
async def upload(
    request: Request, session: SessionDep, who: CheckedPanelUser, changes: ChangesDep,
    file: Annotated[UploadFile, File()], category: Annotated[Category, Form()] = Category.OTHER,
    title: Annotated[str, Form(max_length=200)] = "",
) -> JSONResponse:
    if who.role not in EDITOR_ROLES:
        raise HTTPException(403, "uploading needs the admin or editor role")
    store: MediaStore = request.app.state.media_store
    try:
        stored = await anyio.to_thread.run_sync(
            store.ingest, file.file, file.filename or "", file.content_type
        )
    except MediaRejected as exc:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)
    row = await anyio.to_thread.run_sync(
        _record, session, who.user, stored, unicodedata.normalize("NFC", title).strip(), category
    )
    assert row.id is not None
    publish(changes, media={row.id})
    return JSONResponse({"id": row.id, "thumbnail": f"/panel/media/{row.id}/thumbnail"}, status_code=201)


@router.get("/{media_id}/thumbnail")
def thumbnail(request: Request, session: SessionDep, who: CurrentPanelUser, media_id: int) -> FileResponse:
    row = get_owned(session, Media, media_id, who.user, "media")
    store: MediaStore = request.app.state.media_store
    return FileResponse(store.thumbnail_path(row.sha256), media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=86400"})
