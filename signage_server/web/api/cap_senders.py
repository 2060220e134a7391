"""Trusted CAP senders, managed by admins within their scope (``emergency/sources/cap/senders``):
the panel's "Nguồn cảnh báo CAP" page as JSON. A sender's token is in the answer that made (or
renewed) it only (``Cache-Control: no-store``); listing never shows it nor its hash. Senders
defined by ``SIGNAGE_CAP_SENDERS`` are listed but changed only there (403
``cap_sender.from_setting``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from signage_server.core.audit import client_ip
from signage_server.emergency.sources.cap import senders
from signage_server.emergency.sources.cap.senders import (
    CapSenderCreate,
    CapSenderCreated,
    CapSenderIn,
    CapSenderPublic,
    CapSenderUpdate,
    MadeSender,
)
from signage_server.web.deps import AdminUser, SessionDep

router = APIRouter(prefix="/cap-senders", tags=["cap senders"])
NO_STORE = "no-store"


def _made(session: SessionDep, response: Response, made: MadeSender) -> CapSenderCreated:
    response.headers["Cache-Control"] = NO_STORE
    return CapSenderCreated.model_validate({**senders.public(session, made.row).model_dump(),
                                            "token": made.token})


@router.get("", response_model=list[CapSenderPublic])
def list_senders(session: SessionDep, admin: AdminUser) -> list[CapSenderPublic]:
    """Nationwide senders and those whose unit lies in the admin's scope, by name."""
    return [senders.public(session, r) for r in senders.list_senders(session, actor=admin)]


@router.post("", response_model=CapSenderCreated, status_code=status.HTTP_201_CREATED)
def create_sender(request: Request, response: Response, session: SessionDep, admin: AdminUser,
                  body: CapSenderCreate) -> CapSenderCreated:
    """A sender for a unit of the admin's scope, with an optional PEM certificate (refused when it
    is not one or has expired); its token is in this answer only."""
    pem = None if body.certificate_pem is None else senders.pem_bytes(body.certificate_pem)
    made = senders.create_sender(session, actor=admin, ip=client_ip(request), certificate=pem,
                                 body=CapSenderIn.model_validate(body.model_dump(exclude={"certificate_pem"})))
    return _made(session, response, made)


@router.patch("/{sender_id}", response_model=CapSenderPublic)
def update_sender(request: Request, session: SessionDep, admin: AdminUser, sender_id: int,
                  body: CapSenderUpdate) -> CapSenderPublic:
    row = senders.update_sender(session, actor=admin, ip=client_ip(request), sender_id=sender_id, body=body)
    return senders.public(session, row)


@router.post("/{sender_id}/token", response_model=CapSenderCreated)
def rotate_token(request: Request, response: Response, session: SessionDep, admin: AdminUser,
                 sender_id: int) -> CapSenderCreated:
    """A new token, in this answer only; the old one stops working at once."""
    return _made(session, response, senders.rotate_token(session, actor=admin, ip=client_ip(request),
                                                         sender_id=sender_id))


@router.delete("/{sender_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_sender(request: Request, session: SessionDep, admin: AdminUser, sender_id: int) -> None:
    """Revoked: disabled, so its token and alerts are refused; the row stays for the audit trail
    (``PATCH {"active": true}`` trusts it again)."""
    senders.set_active(session, actor=admin, ip=client_ip(request), sender_id=sender_id, active=False)
