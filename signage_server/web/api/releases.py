"""Player releases (``devices/releases``): an admin uploads a wheel (the raw body, streamed and
capped) and offers it on a channel; channels are set per board or per unit (communes inherit the
province's); ``GET /releases/boards`` says who runs what."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel

from signage_contract.release import ReleaseRejected
from signage_server.core.audit import client_ip
from signage_server.core.blobs import shared_files
from signage_server.devices import releases
from signage_server.web.deps import AdminUser, CurrentUser, EngineDep, SessionDep, SettingsDep

router = APIRouter(tags=["releases"])


def get_release_store(settings: SettingsDep, engine: EngineDep) -> releases.ReleaseStore:
    return releases.ReleaseStore(settings.data_dir / "releases",
                                 shared_files(settings.shared_store, settings.data_dir, engine))


ReleaseStoreDep = Annotated[releases.ReleaseStore, Depends(get_release_store)]


class ReleasePublic(BaseModel):
    version: str
    sha256: str
    size: int
    created_at: datetime
    channels: list[str]  # the channels offering it now


class ChannelPublic(BaseModel):
    """``own``: set on this board or unit; ``inherited``: from ``inherited_from_unit_id`` up the tree
    ("stable" when none is set anywhere); ``effective``: what its boards follow."""

    own: str | None
    inherited: str
    inherited_from_unit_id: int | None
    effective: str


class ChannelBody(BaseModel):
    channel: str


class OfferBody(BaseModel):
    version: str | None  # None: the channel offers nothing


class BoardVersionPublic(BaseModel):
    board_id: int
    board_name: str
    channel: str
    running_version: str
    offered_version: str
    checked_at: datetime | None
    update_outcome: str
    update_to: str
    update_reason: str


def _channel(settings: releases.ChannelSettings) -> ChannelPublic:
    return ChannelPublic(own=settings.own, inherited=settings.inherited,
                         inherited_from_unit_id=settings.inherited_from_unit_id, effective=settings.effective)


def _public(session: SessionDep, release_id: int | None = None) -> list[ReleasePublic]:
    offers = releases.offered(session)
    return [ReleasePublic(version=r.version, sha256=r.sha256, size=r.size, created_at=r.created_at,
                          channels=[c for c, o in offers.items() if o is not None and o.id == r.id])
            for r in releases.releases(session) if release_id is None or r.id == release_id]


@router.post("/releases", response_model=ReleasePublic, status_code=status.HTTP_201_CREATED,
             openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {
                 "schema": {"type": "string", "format": "binary"}}}}})
async def upload_release(request: Request, session: SessionDep, user: AdminUser, store: ReleaseStoreDep,
                         channel: Annotated[str | None, Query(max_length=32)] = None) -> ReleasePublic:
    """Upload a wheel of ``signage[player]`` as the request body; ``channel`` offers it at once."""
    releases.require_release_admin(session, user)  # before a byte of the body is stored
    try:
        sha256, size, version = await store.ingest(request.stream())
    except ReleaseRejected as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"release refused: {exc}") from exc
    release = releases.add_release(session, actor=user, ip=client_ip(request), sha256=sha256, size=size,
                                   version=version, channel=channel)
    return _public(session, release.id)[0]


@router.get("/releases", response_model=list[ReleasePublic])
def list_releases(session: SessionDep, user: AdminUser) -> list[ReleasePublic]:
    return _public(session)


@router.put("/releases/channels/{channel}", status_code=status.HTTP_204_NO_CONTENT)
def put_offer(request: Request, session: SessionDep, user: AdminUser, channel: str, body: OfferBody) -> None:
    releases.offer(session, actor=user, ip=client_ip(request), channel=channel, version=body.version)


@router.get("/releases/boards", response_model=list[BoardVersionPublic])
def board_versions(session: SessionDep, user: CurrentUser) -> list[BoardVersionPublic]:
    """Who runs what: every board in scope, its channel, the version it runs and the one offered."""
    return [BoardVersionPublic(**vars(v)) for v in releases.board_versions(session, actor=user)]


@router.get("/boards/{board_id}/release-channel", response_model=ChannelPublic)
def get_board_channel(session: SessionDep, user: CurrentUser, board_id: int) -> ChannelPublic:
    return _channel(releases.board_channel(session, actor=user, board_id=board_id))


@router.put("/boards/{board_id}/release-channel", response_model=ChannelPublic)
def put_board_channel(request: Request, session: SessionDep, user: AdminUser, board_id: int,
                      body: ChannelBody) -> ChannelPublic:
    return _channel(releases.set_board_channel(session, actor=user, ip=client_ip(request), board_id=board_id,
                                               channel=body.channel))


@router.delete("/boards/{board_id}/release-channel", status_code=status.HTTP_204_NO_CONTENT)
def delete_board_channel(request: Request, session: SessionDep, user: AdminUser, board_id: int) -> None:
    releases.set_board_channel(session, actor=user, ip=client_ip(request), board_id=board_id, channel=None)


@router.get("/units/{unit_id}/release-channel", response_model=ChannelPublic)
def get_unit_channel(session: SessionDep, user: CurrentUser, unit_id: int) -> ChannelPublic:
    return _channel(releases.unit_channel(session, actor=user, unit_id=unit_id))


@router.put("/units/{unit_id}/release-channel", response_model=ChannelPublic)
def put_unit_channel(request: Request, session: SessionDep, user: AdminUser, unit_id: int,
                     body: ChannelBody) -> ChannelPublic:
    return _channel(releases.set_unit_channel(session, actor=user, ip=client_ip(request), unit_id=unit_id,
                                              channel=body.channel))


@router.delete("/units/{unit_id}/release-channel", status_code=status.HTTP_204_NO_CONTENT)
def delete_unit_channel(request: Request, session: SessionDep, user: AdminUser, unit_id: int) -> None:
    releases.set_unit_channel(session, actor=user, ip=client_ip(request), unit_id=unit_id, channel=None)
