"""Media: image uploads stored content-addressed by sha256 (validated by ``MediaStore``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from fastapi.responses import FileResponse

from signage_contract import Category
from signage_server.content import media as service
from signage_server.content import pdf_media
from signage_server.schemas import MediaPublic, MediaUpdate
from signage_server.web.api.content.routes import add_content_routes
from signage_server.web.deps import (
    ChangesDep,
    CurrentUser,
    EditorActor,
    MediaStoreDep,
    SessionDep,
)

router = APIRouter(prefix="/media", tags=["media"])
MAX_TITLE = 200
add_content_routes(router, service, noun="media", plural="media", public=MediaPublic,
                   update=MediaUpdate, routes=("list", "get", "update", "state", "archive"))


@router.post("", response_model=MediaPublic, status_code=status.HTTP_201_CREATED,
             responses={200: {"description": "the same image was already uploaded for this unit"}})
def upload_media(
    response: Response, session: SessionDep, actor: EditorActor, changes: ChangesDep,
    store: MediaStoreDep,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP; or a PDF document")],
    title: Annotated[str, Form(max_length=MAX_TITLE)] = "",
    category: Annotated[Category, Form()] = Category.OTHER,
    unit_id: Annotated[int | None, Form()] = None,
) -> MediaPublic:
    """Upload an image, or a PDF (its pages drawn to pictures: ``GET /media/{id}/pages``); the answer
    carries its width, height, type and sha256."""
    upload = service.Upload(file.file, file.filename or "", file.content_type, title, category, unit_id)
    # A refused file (MediaRejected) answers {"detail", "code", "params"} like a domain error.
    done = service.upload_media(session, actor=actor, changes=changes, store=store, upload=upload)
    if not done.created:
        response.status_code = status.HTTP_200_OK
    return done.media


@router.get("/{media_id}/content", response_class=FileResponse)
def media_content(
    session: SessionDep, user: CurrentUser, store: MediaStoreDep, media_id: int
) -> FileResponse:
    path, content_type = service.media_file(session, user=user, store=store, media_id=media_id)
    return FileResponse(path, media_type=content_type)


@router.get("/{media_id}/thumbnail", response_class=FileResponse)
def media_thumbnail(
    session: SessionDep, user: CurrentUser, store: MediaStoreDep, media_id: int
) -> FileResponse:
    path = service.thumbnail_file(session, user=user, store=store, media_id=media_id)
    return FileResponse(path, media_type="image/jpeg")


@router.get("/{media_id}/pages")
def document_pages(session: SessionDep, user: CurrentUser, media_id: int) -> list[pdf_media.PagePublic]:
    """The pages of a PDF document as the boards show them, in order (empty for an image)."""
    return pdf_media.document_pages(session, user=user, media_id=media_id)


@router.get("/{media_id}/pages/{position}", response_class=FileResponse)
def document_page(
    session: SessionDep, user: CurrentUser, store: MediaStoreDep, media_id: int, position: int
) -> FileResponse:
    """One page's picture (JPEG); ``position`` 0 is the first page."""
    path = pdf_media.page_file(session, user=user, store=store, media_id=media_id, position=position)
    return FileResponse(path, media_type=pdf_media.PAGE_TYPE)


@router.delete("/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_media(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, store: MediaStoreDep,
    media_id: int,
) -> None:
    """Delete the record; the file goes too when no other unit's record shares it."""
    service.delete_media(session, actor=actor, changes=changes, store=store, media_id=media_id)
