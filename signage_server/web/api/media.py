"""Media: image uploads stored content-addressed by sha256 (validated by ``MediaStore``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile, status
from fastapi.responses import FileResponse
from sqlmodel import col, select

from signage_contract import Category, nfc
from signage_server.content.media_store import MediaRejected, MediaStore
from signage_server.content.workflow import (
    audit_content,
    change_state_of,
    get_owned,
    mark_edited,
    owner_unit,
    publish,
)
from signage_server.core.audit import snapshot
from signage_server.core.auth import scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import ContentState, Media, PlaylistItem
from signage_server.schemas import MediaPublic, MediaUpdate, StateChange
from signage_server.web.deps import CurrentUser, EditorUser, SessionDep

router = APIRouter(prefix="/media", tags=["media"])
MAX_TITLE = 200


def _store(request: Request) -> MediaStore:
    store: MediaStore = request.app.state.media_store
    return store


def _public(row: Media) -> MediaPublic:
    return MediaPublic.model_validate(row, from_attributes=True)


@router.get("", response_model=list[MediaPublic])
def list_media(
    session: SessionDep, user: CurrentUser, state: ContentState | None = None
) -> list[MediaPublic]:
    query = select(Media).where(col(Media.unit_id).in_(scope_unit_ids(session, user)))
    if state is not None:
        query = query.where(Media.state == state)
    return [_public(r) for r in session.exec(query.order_by(col(Media.id))).all()]


@router.post("", response_model=MediaPublic, status_code=status.HTTP_201_CREATED,
             responses={200: {"description": "the same image was already uploaded for this unit"}})
def upload_media(
    request: Request, response: Response, session: SessionDep, user: EditorUser, changes: ChangesDep,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP")],
    title: Annotated[str, Form(max_length=MAX_TITLE)] = "",
    category: Annotated[Category, Form()] = Category.OTHER,
    unit_id: Annotated[int | None, Form()] = None,
) -> MediaPublic:
    """Upload an image; the answer carries its width, height, type and sha256."""
    owner = owner_unit(session, user, unit_id)
    try:
        stored = _store(request).ingest(file.file, file.filename or "", file.content_type)
    except MediaRejected as exc:
        raise HTTPException(exc.status_code, exc.message) from exc
    existing = session.exec(
        select(Media).where(Media.unit_id == owner, Media.sha256 == stored.sha256)
    ).first()
    if existing is not None:
        response.status_code = status.HTTP_200_OK
        return _public(existing)
    row = Media(unit_id=owner, created_by=user.id, sha256=stored.sha256, size=stored.size,
                content_type=stored.content_type, width=stored.width, height=stored.height,
                original_name=stored.safe_name, title=nfc(title).strip(), category=category)
    session.add(row)
    audit_content(session, request, user, "create", row, None)
    session.commit()
    session.refresh(row)
    assert row.id is not None
    publish(changes, media={row.id})
    return _public(row)


@router.get("/{media_id}", response_model=MediaPublic)
def get_media(session: SessionDep, user: CurrentUser, media_id: int) -> MediaPublic:
    return _public(get_owned(session, Media, media_id, user, "media"))


@router.get("/{media_id}/content", response_class=FileResponse)
def media_content(request: Request, session: SessionDep, user: CurrentUser, media_id: int) -> FileResponse:
    row = get_owned(session, Media, media_id, user, "media")
    path = _store(request).path(row.sha256)
    if not path.is_file():
        missing = f"media {media_id}: its file is missing from the store"
        raise HTTPException(status.HTTP_404_NOT_FOUND, missing)
    return FileResponse(path, media_type=row.content_type)


@router.get("/{media_id}/thumbnail", response_class=FileResponse)
def media_thumbnail(request: Request, session: SessionDep, user: CurrentUser, media_id: int) -> FileResponse:
    row = get_owned(session, Media, media_id, user, "media")
    path = _store(request).thumbnail_path(row.sha256)
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"media {media_id} has no thumbnail")
    return FileResponse(path, media_type="image/jpeg")


@router.patch("/{media_id}", response_model=MediaPublic)
def update_media(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, media_id: int, body: MediaUpdate
) -> MediaPublic:
    row = get_owned(session, Media, media_id, user, "media")
    before = snapshot(row)
    row.sqlmodel_update(body.model_dump(exclude_unset=True, exclude_none=True))
    mark_edited(row, user)
    session.add(row)
    audit_content(session, request, user, "update", row, before)
    session.commit()
    session.refresh(row)
    publish(changes, media={media_id})
    return _public(row)


@router.delete("/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_media(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, media_id: int
) -> None:
    """Delete the record; the file goes too when no other unit's record shares it."""
    row = get_owned(session, Media, media_id, user, "media")
    used = session.exec(select(PlaylistItem.playlist_id).where(PlaylistItem.media_id == media_id)).all()
    if used:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"playlists {sorted(set(used))} show this image; remove it from them first")
    sha256, before = row.sha256, snapshot(row)
    session.delete(row)
    audit_content(session, request, user, "delete", row, before)
    session.commit()
    if session.exec(select(Media.id).where(Media.sha256 == sha256)).first() is None:
        _store(request).delete(sha256)
    publish(changes, media={media_id})


@router.post("/{media_id}/state", response_model=MediaPublic)
def change_state(
    request: Request, session: SessionDep,
    user: CurrentUser, changes: ChangesDep, media_id: int, body: StateChange
) -> MediaPublic:
    row = change_state_of(request, session, user, Media, media_id, "media", body)
    publish(changes, media={media_id})
    return _public(row)
