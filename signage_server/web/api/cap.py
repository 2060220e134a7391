"""POST /api/v1/cap: CAP 1.2 alerts from trusted senders (see ``emergency.sources.cap.intake`` for
what they do: the route checks the message and the sender, then calls its ``accept``).

Trust is by the senders admins manage (``emergency.sources.cap.senders``; ``SIGNAGE_CAP_SENDERS``
seeds them): each sender has a token, sent in the ``X-CAP-Token`` header, and optionally the unit
whose subtree its alerts may cover. The token is checked first, before the body is read; then the
body is read as a stream up to ``MAX_CAP_BYTES`` and the message's ``<sender>`` must be the
token's. Every refusal is a 4xx whose ``detail`` says why: 415 wrong content type, 401 no token,
403 a token of no sender, a sender whose certificate has expired, a message from another sender,
or an unsigned or badly signed message from a sender with a certificate (XML signature,
``emergency.sources.cap.signature``), 413 too large, 400 not valid CAP 1.2, 422 nothing to show
(no board in the areas, not Actual/Public, no expiry, an Ack/Error message) and 403 areas outside
the sender's unit. An expired alert is answered 200 ``ignored``, so a sender does not retry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, HTTPException, Request, status
from sqlalchemy.engine import Engine
from sqlmodel import Session

from signage_server.core import audit
from signage_server.emergency.sources.cap import MAX_CAP_BYTES, CapAlert, CapRejected, parse_cap
from signage_server.emergency.sources.cap.intake import CapResult, accept
from signage_server.emergency.sources.cap.senders import (
    CertificateExpired,
    ensure_certificate_current,
    sender_for_token,
)
from signage_server.emergency.sources.cap.signature import (
    CapSignatureRejected,
    load_certificate,
    verified_alert,
)
from signage_server.models import utcnow
from signage_server.web.body_limit import read_limited
from signage_server.web.deps import EngineDep, OverrideDeliveryDep, SettingsDep

router = APIRouter(prefix="/cap", tags=["cap"])
CAP_CONTENT_TYPES = frozenset({"application/cap+xml", "application/xml", "text/xml"})


@dataclass(frozen=True)
class TrustedSender:
    name: str
    unit: str | None
    geocode_names: frozenset[str]
    certificate: bytes | None


def _sender_of(engine: Engine, token: str | None) -> TrustedSender:
    """The trusted sender whose token this is, checked before a byte of the body is read (the answer
    then closes the connection: see ``web.body_limit``); a sender whose certificate expired is
    refused here, with that reason."""
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "send the sender's token in the X-CAP-Token header")
    with Session(engine) as session:
        row = sender_for_token(session, token)
        if row is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "the token does not match any trusted sender (CAP senders in the panel)")
        try:
            ensure_certificate_current(row, utcnow())
        except CertificateExpired as exc:
            raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
        pem = row.certificate_pem
        return TrustedSender(name=row.name, unit=row.unit_code, geocode_names=frozenset(row.geocode_names),
                             certificate=None if pem is None else pem.encode("ascii"))


def _check_sender(alert: CapAlert, sender: str) -> None:
    if alert.sender != sender:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"sender {alert.sender!r} is not trusted with this token (it is {sender!r}'s)")


def _checked_alert(document: bytes, sender: str, certificate: bytes | None) -> CapAlert:
    try:
        alert = parse_cap(document)
    except CapRejected as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    _check_sender(alert, sender)
    return alert if certificate is None else _signed(alert, document, certificate)


def _signed(alert: CapAlert, document: bytes, certificate: bytes) -> CapAlert:
    """The alert as signed by the sender's certificate (what the signature covers, nothing else)."""
    try:
        pinned = load_certificate(certificate)
    except ValueError as exc:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR,
                            f"the certificate stored for sender {alert.sender!r} cannot be read") from exc
    try:
        signed = parse_cap(verified_alert(document, pinned))
    except CapSignatureRejected as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except CapRejected as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    _check_sender(signed, alert.sender)
    return signed


@router.post("", response_model=CapResult)
async def receive_cap(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    delivery: OverrideDeliveryDep,
    content_type: Annotated[str | None, Header()] = None,
    x_cap_token: Annotated[str | None, Header()] = None,
) -> CapResult:
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in CAP_CONTENT_TYPES:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            f"send CAP 1.2 XML as application/cap+xml or application/xml, not {media_type!r}")
    sender = await anyio.to_thread.run_sync(_sender_of, engine, x_cap_token)
    document = await read_limited(request, MAX_CAP_BYTES, "CAP messages")
    # Schema validation and signature checks of up to 1 MiB take CPU time: off the event loop.
    alert = await anyio.to_thread.run_sync(_checked_alert, document, sender.name, sender.certificate)
    try:
        xml_text = document.decode("utf-8")  # kept to apply an early Update/Cancel later
    except UnicodeDecodeError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "encode CAP messages in UTF-8") from exc
    ip = audit.client_ip(request)

    def apply() -> CapResult:
        # Its own session, opened and closed in this worker thread.
        with Session(engine) as session:
            return accept(session, alert=alert, document=xml_text, sender_unit=sender.unit, ip=ip,
                          max_hours=settings.override_max_hours, delivery=delivery,
                          geocode_names=sender.geocode_names)

    return await anyio.to_thread.run_sync(apply)
