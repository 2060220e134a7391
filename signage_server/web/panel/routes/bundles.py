"""USB bundles for boards without a link: choose boards and download their signed bundle
(``manifest/bundles.write_bundle``, as ``POST /api/v1/bundles``), and import the proof-of-play files
a board wrote back to the drive (``reports/play_import.import_plays``, as ``POST /api/v1/plays/import``)."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.background import BackgroundTask

from signage_contract.bundle import PlayExport
from signage_server.core.audit import client_ip
from signage_server.core.errors import DomainError
from signage_server.devices import boards
from signage_server.manifest.bundles import EXPORTERS, write_bundle
from signage_server.models import utcnow
from signage_server.reports.play_import import import_plays
from signage_server.reports.plays import ClockRules
from signage_server.web.body_limit import PLAY_BATCH_BYTES
from signage_server.web.deps import ComposerDep, MediaStoreDep, SessionDep, SettingsDep, SigningKeyDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQuery, ListQueryDep
from signage_server.web.panel.pages import Pages
from signage_server.web.panel.refusals import refusal_text
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/bundles")
MAX_PLAY_FILES = 16  # a drive's files from one board for weeks; the body limit is sized for it


def _page(request: Request, session: Session, who: PanelUser, view: Pages, q: ListQuery, *,
          error: str = "", imported: list[tuple[str, int, int, int]] | None = None) -> Response:
    found = boards.board_page(session, actor=who.user, text=q.text, unit_id=q.number("unit_id"),
                              wanted=q.page)
    return view.render(request, "bundles.html", who, found=found, rows=found.rows, q=q,
                       units=units_in_scope(session, who.user), can_use=who.role in EXPORTERS,
                       error=error, imported=imported, status_code=422 if error else 200)


@router.get("")
def bundle_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                q: ListQueryDep) -> Response:
    """Boards in scope to choose for a bundle, and the form that imports their proof of play."""
    return _page(request, session, who, view, q)


@router.post("", response_model=None)
def export(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, q: ListQueryDep,
           composer: ComposerDep, media_store: MediaStoreDep, key: SigningKeyDep,
           board_ids: Annotated[list[int] | None, Form()] = None) -> Response:
    tr = view.translator(request)
    if not board_ids:
        return _page(request, session, who, view, q, error=tr(N_("Choose at least one board.")))
    now = utcnow()
    descriptor, path = tempfile.mkstemp(prefix="signage-bundle-", suffix=".tar")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write_bundle(session, actor=who.user, ip=client_ip(request), composer=composer,
                         media_store=media_store, signing_key=key, board_ids=board_ids, out=handle, now=now)
    except DomainError as exc:
        os.unlink(path)
        session.rollback()
        return _page(request, session, who, view, q, error=refusal_text(exc, tr))
    except BaseException:
        os.unlink(path)
        raise
    name = f"signage-bundle-{now:%Y%m%d-%H%M%S}.tar"
    return FileResponse(path, media_type="application/x-tar", filename=name,
                        background=BackgroundTask(os.unlink, path))


@router.post("/plays")
def import_files(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 q: ListQueryDep, settings: SettingsDep,
                 files: Annotated[list[UploadFile], File()]) -> Response:
    """Each file a ``PlayExport``; records already imported are counted, never doubled."""
    tr = view.translator(request)
    if len(files) > MAX_PLAY_FILES:
        return _page(request, session, who, view, q,
                     error=tr(N_("Import at most %(count)s files at a time."), count=MAX_PLAY_FILES))
    rules = ClockRules(future_tolerance=timedelta(seconds=settings.play_future_tolerance_s),
                       correct_from=timedelta(seconds=settings.play_clock_correct_from_s))
    imported: list[tuple[str, int, int, int]] = []
    for upload in files:
        name = upload.filename or ""
        data = upload.file.read(PLAY_BATCH_BYTES + 1)
        try:
            if len(data) > PLAY_BATCH_BYTES:
                raise ValueError(name)
            export = PlayExport.model_validate_json(data)
        except (ValidationError, ValueError):
            return _page(request, session, who, view, q, imported=imported, error=tr(
                N_("%(name)s is not a proof-of-play file written by a board."), name=name))
        try:
            reply = import_plays(session, actor=who.user, ip=client_ip(request), export=export, now=utcnow(),
                                 rules=rules)
        except DomainError as exc:
            session.rollback()
            return _page(request, session, who, view, q, imported=imported, error=refusal_text(exc, tr))
        imported.append((name, reply.accepted, reply.duplicates, len(reply.rejected)))
    return _page(request, session, who, view, q, imported=imported)
