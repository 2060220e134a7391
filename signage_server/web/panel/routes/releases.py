"""Player releases in the panel: who runs what (every board in scope, its channel, the version it
runs, the one its channel offers and its last update), and for the province's admins the upload of
a release and what each channel offers. The same service as the JSON API (``devices/releases``)
checks the role and audits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from signage_contract.release import ReleaseRejected
from signage_server.core.audit import client_ip
from signage_server.core.errors import DomainError
from signage_server.devices import releases
from signage_server.web.api.releases import ReleaseStoreDep
from signage_server.web.deps import SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, local_time
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/releases")
CHUNK_BYTES = 1 << 16
NOT_A_RELEASE = N_("The file was refused and nothing was stored: it is not a wheel of the player "
                   "(signage) with a release version, or it is too large.")
OUTCOMES = {"installed": N_("updated"), "rolled_back": N_("rolled back"), "refused": N_("refused")}
DONE_WORDS = {"uploaded": N_("The release was uploaded."), "offered": N_("The channel's offer was saved.")}
CHANNEL_NAMES = {"pilot": N_("pilot (first communes)"), "stable": N_("stable (every board)")}


def _can_manage(session: Session, who: PanelUser) -> bool:
    try:
        releases.require_release_admin(session, who.user)
    except DomainError:
        return False
    return True


def _page(request: Request, session: Session, who: PanelUser, view: Pages, *, error: str = "") -> Response:
    manage = _can_manage(session, who)
    return view.render(
        request, "releases.html", who, rows=releases.board_versions(session, actor=who.user),
        manage=manage, uploaded=releases.releases(session) if manage else [],
        offers=releases.offered(session), channels=releases.CHANNELS, channel_names=CHANNEL_NAMES,
        outcomes=OUTCOMES, local_time=local_time, error=error, status_code=422 if error else 200,
        done=DONE_WORDS.get(request.query_params.get("done", "")))


@router.get("")
def release_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK_BYTES):
        yield chunk


@router.post("/upload")
async def upload_release(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                         store: ReleaseStoreDep, wheel: Annotated[UploadFile, File()],
                         channel: Annotated[str, Form()] = "") -> Response:
    tr = view.translator(request)
    _allowed, error = attempt(lambda: releases.require_release_admin(session, who.user), tr)
    if error:
        return _page(request, session, who, view, error=error)
    try:
        sha256, size, version = await store.ingest(_chunks(wheel))
    except ReleaseRejected:
        return _page(request, session, who, view, error=tr(NOT_A_RELEASE))
    _made, error = attempt(lambda: releases.add_release(
        session, actor=who.user, ip=client_ip(request), sha256=sha256, size=size, version=version,
        channel=channel or None), tr)
    return _page(request, session, who, view, error=error) if error else see_other(
        "/panel/releases?done=uploaded")


@router.post("/offer")
def offer(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
          channel: Annotated[str, Form()], version: Annotated[str, Form()] = "") -> Response:
    _done, error = attempt(lambda: releases.offer(session, actor=who.user, ip=client_ip(request),
                                                  channel=channel, version=version or None),
                           view.translator(request))
    return _page(request, session, who, view, error=error) if error else see_other(
        "/panel/releases?done=offered")
