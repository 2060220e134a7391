"""USB bundles for boards without a link (``manifest/bundles.py``) and the proof of play they bring
back (``reports/play_import.py``)."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from signage_contract import bundle as wire
from signage_contract.device import PlayBatchReply
from signage_server.manifest.bundles import write_bundle
from signage_server.models import utcnow
from signage_server.reports.play_import import import_plays
from signage_server.reports.plays import ClockRules
from signage_server.web.deps import (
    ClientIpDep,
    ComposerDep,
    CurrentUser,
    MediaStoreDep,
    SessionDep,
    SettingsDep,
    SigningKeyDep,
)

router = APIRouter(tags=["bundles"])
TAR = "application/x-tar"


@router.post("/bundles", response_class=FileResponse,
             responses={200: {"content": {TAR: {}}, "description": "the signed bundle"}})
def export_bundle(body: wire.BundleRequest, session: SessionDep, user: CurrentUser, ip: ClientIpDep,
                  composer: ComposerDep, media_store: MediaStoreDep, key: SigningKeyDep) -> FileResponse:
    """One tar with each chosen board's current signed manifest and its media, under a signed index;
    a board's player imports it from a USB drive (``signage-player import-bundle``)."""
    now = utcnow()
    descriptor, path = tempfile.mkstemp(prefix="signage-bundle-", suffix=".tar")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write_bundle(session, actor=user, ip=ip, composer=composer, media_store=media_store,
                         signing_key=key, board_ids=body.board_ids, out=handle, now=now)
    except BaseException:
        os.unlink(path)
        raise
    name = f"signage-bundle-{now:%Y%m%d-%H%M%S}.tar"
    return FileResponse(path, media_type=TAR, filename=name, background=BackgroundTask(os.unlink, path))


@router.post(wire.PLAYS_IMPORT.removeprefix("/api/v1"), response_model=PlayBatchReply)
def import_play_file(body: wire.PlayExport, session: SessionDep, user: CurrentUser, ip: ClientIpDep,
                     settings: SettingsDep) -> PlayBatchReply:
    """Proof of play a board without a link wrote to its drive; idempotent by record id."""
    rules = ClockRules(future_tolerance=timedelta(seconds=settings.play_future_tolerance_s),
                       correct_from=timedelta(seconds=settings.play_clock_correct_from_s))
    return import_plays(session, actor=user, ip=ip, export=body, now=utcnow(), rules=rules)
