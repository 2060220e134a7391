"""Bulletin intake for upstream systems (``POST /intake/bulletins``) and the admins' API for the
sources allowed to use it (``/intake/sources``). What a send does: ``content/intake.py``.

The bulletin comes as JSON, or as ``multipart/form-data`` with the same JSON in the ``bulletin``
field and the images in ``images`` parts (checked as any media upload). The caller is authenticated
before a byte of the body is read; the whole body is bounded by the ``bulletin intake`` limit of
``web/body_limit.py`` and its files are spooled to disk by python-multipart, never held in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from signage_server.content import intake as service
from signage_server.content import intake_sources as sources
from signage_server.content import media as media_service
from signage_server.content.intake import IntakeBulletin, IntakeResult
from signage_server.content.intake_sources import IntakeSourceCreate, IntakeSourcePublic, IntakeSourceUpdate
from signage_server.content.publications import MAX_MEDIA
from signage_server.web.body_limit import read_limited
from signage_server.web.deps import (
    AdminUser,
    ChangesDep,
    ClientIpDep,
    EditorActor,
    MediaStoreDep,
    SessionDep,
    SettingsDep,
)

router = APIRouter(prefix="/intake", tags=["intake"])
INTAKE_PATH = "/api/v1/intake/bulletins"
_FORM_FIELDS = 4  # "bulletin" and room for a client's extra empty fields
_BODY_SCHEMA = IntakeBulletin.model_json_schema(ref_template="#/components/schemas/{model}")


@dataclass
class IntakeBody:
    bulletin: IntakeBulletin
    uploads: list[media_service.Upload] = field(default_factory=list)


def _parsed(raw: str | bytes) -> IntakeBulletin:
    try:
        return IntakeBulletin.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


async def intake_body(
    request: Request, actor: EditorActor, settings: SettingsDep
) -> AsyncIterator[IntakeBody]:
    """The bulletin and its images, read only once the caller is known (``actor`` comes first)."""
    del actor  # depended on for its order: refuse an anonymous sender before reading its body
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        yield IntakeBody(_parsed(await read_limited(request, settings.max_body_bytes, "JSON requests")))
        return
    if kind != "multipart/form-data":
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            "send application/json, or multipart/form-data with a bulletin field")
    form = await request.form(max_files=MAX_MEDIA, max_fields=_FORM_FIELDS)
    try:
        text = form.get("bulletin")
        if not isinstance(text, str):
            raise RequestValidationError([{"loc": ("body", "bulletin"), "type": "missing",
                                           "msg": "the bulletin field (JSON) is missing"}])
        files = [f for f in form.getlist("images") if isinstance(f, UploadFile)]
        yield IntakeBody(_parsed(text), [media_service.Upload(f.file, f.filename or "", f.content_type)
                                         for f in files])
    finally:
        await form.close()


IntakeBodyDep = Annotated[IntakeBody, Depends(intake_body)]


@router.post(
    "/bulletins", response_model=IntakeResult, status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "a resend: the bulletin of this external_id was updated (or unchanged)"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": _BODY_SCHEMA},
        "multipart/form-data": {"schema": {"type": "object", "required": ["bulletin"], "properties": {
            "bulletin": {"type": "string", "description": "the IntakeBulletin as JSON"},
            "images": {"type": "array", "maxItems": MAX_MEDIA, "description": "JPEG, PNG or WebP",
                       "items": {"type": "string", "contentMediaType": "application/octet-stream"}}}}},
    }}},
)
def receive_bulletin(
    response: Response, session: SessionDep, actor: EditorActor, changes: ChangesDep, store: MediaStoreDep,
    body: IntakeBodyDep,
) -> IntakeResult:
    """Make or update the bulletin of (source, ``external_id``), by the system account of an intake
    source. It enters the approval queue of the nearest unit above its targets, or is approved at
    once where an admin trusts the source for every targeted unit. 201 when made, 200 on a resend."""
    done = service.receive_bulletin(session, actor=actor, changes=changes, store=store,
                                    data=body.bulletin, uploads=body.uploads)
    if not done.created:
        response.status_code = status.HTTP_200_OK
    return done


@router.get("/sources", response_model=list[IntakeSourcePublic])
def list_sources(session: SessionDep, admin: AdminUser) -> list[IntakeSourcePublic]:
    return sources.list_sources(session, actor=admin)


@router.post("/sources", response_model=IntakeSourcePublic, status_code=status.HTTP_201_CREATED)
def create_source(session: SessionDep, admin: AdminUser, ip: ClientIpDep,
                  body: IntakeSourceCreate) -> IntakeSourcePublic:
    """Register an upstream system: the editor account it sends as (issue that account an API
    token), and the units that trust it (its bulletins for them are approved at once)."""
    return sources.create_source(session, actor=admin, ip=ip, data=body)


@router.get("/sources/{source_id}", response_model=IntakeSourcePublic)
def get_source(session: SessionDep, admin: AdminUser, source_id: int) -> IntakeSourcePublic:
    return sources.get_source(session, actor=admin, source_id=source_id)


@router.patch("/sources/{source_id}", response_model=IntakeSourcePublic)
def update_source(session: SessionDep, admin: AdminUser, ip: ClientIpDep, source_id: int,
                  body: IntakeSourceUpdate) -> IntakeSourcePublic:
    """Change the trusted units, or pause the source (``active``: false refuses its sends)."""
    return sources.update_source(session, actor=admin, ip=ip, source_id=source_id, data=body)
