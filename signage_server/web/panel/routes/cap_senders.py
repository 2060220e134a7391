"""CAP senders (admins): the trusted sources of emergency alerts, their token (shown once), unit,
geocode names and pinned certificate with its expiry (``emergency/sources/cap/senders`` checks
role and scope, refuses an expired certificate and writes the audit trail)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import require_role
from signage_server.emergency.sources.cap import senders
from signage_server.emergency.sources.cap.senders import CapSenderIn, MadeSender
from signage_server.models import CapSenderSource, TrustedCapSender, utcnow
from signage_server.web.deps import SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, local_time, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/cap-senders")
EXPIRING_SOON_DAYS = 30
TOO_LARGE = N_("The certificate file is too large (at most 64 KiB).")
DONE_WORDS = {
    "certificate": N_("The certificate was saved."), "enabled": N_("The sender was enabled."),
    "disabled": N_("The sender was disabled: its alerts are refused."),
}


def certificate_state(row: TrustedCapSender, now: datetime) -> str:
    """none, valid, expiring (within 30 days) or expired: what the list says beside the date."""
    expires = senders.expiry_of(row)
    if row.certificate_pem is None or expires is None:
        return "none"
    if expires <= now:
        return "expired"
    return "expiring" if (expires - now).days < EXPIRING_SOON_DAYS else "valid"


def _page(request: Request, session: Session, who: PanelUser, view: Pages, *, error: str = "",
          made: MadeSender | None = None) -> Response:
    require_role(who.user, roles.ADMINS)
    now = utcnow()
    rows = senders.list_senders(session, actor=who.user)
    return view.render(
        request, "cap_senders.html", who, rows=rows, units=units_in_scope(session, who.user),
        states={r.id: certificate_state(r, now) for r in rows}, local_time=local_time, made=made,
        setting=CapSenderSource.SETTING, error=error, status_code=422 if error else 200,
        done=DONE_WORDS.get(request.query_params.get("done", "")),
    )


async def _pem_of(upload: UploadFile | None) -> bytes | None:
    """The uploaded file, read up to its bound (``None`` when no file was chosen)."""
    if upload is None or not upload.filename:
        return None
    return await upload.read(senders.MAX_CERTIFICATE_BYTES + 1)


@router.get("")
def sender_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.post("")
async def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 name: Annotated[str, Form()], unit_id: Annotated[str, Form()],
                 geocode_names: Annotated[str, Form()] = "",
                 certificate: Annotated[UploadFile | None, File()] = None) -> Response:
    tr = view.translator(request)
    pem = await _pem_of(certificate)
    if pem is not None and len(pem) > senders.MAX_CERTIFICATE_BYTES:
        return _page(request, session, who, view, error=tr(TOO_LARGE))
    names = [n.strip() for n in geocode_names.split(",") if n.strip()] or list(senders.DEFAULT_GEOCODE_NAMES)
    made, error = attempt(lambda: senders.create_sender(
        session, actor=who.user, ip=client_ip(request), certificate=pem,
        body=CapSenderIn.model_validate({"name": name, "unit_id": unit_id, "geocode_names": names})), tr)
    return _page(request, session, who, view, error=error, made=made)


@router.post("/{sender_id}/certificate")
async def upload_certificate(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                             sender_id: int, certificate: Annotated[UploadFile, File()]) -> Response:
    tr = view.translator(request)
    pem = await _pem_of(certificate) or b""
    if len(pem) > senders.MAX_CERTIFICATE_BYTES:
        return _page(request, session, who, view, error=tr(TOO_LARGE))
    done, error = attempt(lambda: senders.upload_certificate(session, actor=who.user, ip=client_ip(request),
                                                             sender_id=sender_id, pem=pem), tr)
    return _page(request, session, who, view, error=error) if done is None else see_other(
        "/panel/cap-senders?done=certificate")


@router.post("/{sender_id}/token")
def rotate_token(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 sender_id: int) -> Response:
    """A new token, shown once; the old one stops working at once."""
    made, error = attempt(lambda: senders.rotate_token(session, actor=who.user, ip=client_ip(request),
                                                       sender_id=sender_id), view.translator(request))
    return _page(request, session, who, view, error=error, made=made)


@router.post("/{sender_id}/active")
def set_active(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
               sender_id: int, active: Annotated[str, Form()]) -> Response:
    on = active == "yes"
    tr = view.translator(request)
    done, error = attempt(lambda: senders.set_active(session, actor=who.user, ip=client_ip(request),
                                                     sender_id=sender_id, active=on), tr)
    return _page(request, session, who, view, error=error) if done is None else see_other(
        f"/panel/cap-senders?done={'enabled' if on else 'disabled'}")
