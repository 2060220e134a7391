"""Trusted CAP senders as database rows, managed by admins; ``SIGNAGE_CAP_SENDERS`` seeds them.

- A sender's token is shown once when made (or rotated); only its sha256 is stored, and a token
  presented is compared with every active sender's hash (constant time each).
- The certificate is uploaded as PEM; its subject and expiry are kept beside it. An expired
  certificate is refused on upload and, once it expires in service, every alert of the sender is
  refused with that reason (``CertificateExpired``) until a new one is uploaded.
- An admin manages the senders whose unit lies in their scope; a nationwide sender (no unit) and
  the senders the setting defines are shown to every admin but changed only through the setting.
- Rows seeded from the setting follow it at every start (token, unit, geocode names, certificate);
  one taken out of the setting is disabled.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, col, select

from signage_server.core import audit, roles
from signage_server.core.auth import in_scope, not_found, require_role
from signage_server.core.errors import Conflict, Forbidden, Invalid
from signage_server.emergency.sources.cap.model import CapRejected
from signage_server.models import AdminUnit, CapSenderSource, TrustedCapSender, User, utcnow
from signage_server.settings import CapSender as CapSenderSetting
from signage_server.settings import GeocodeName

log = logging.getLogger(__name__)
OBJECT_TYPE = "cap_sender"
MAX_CERTIFICATE_BYTES = 64 * 1024
DEFAULT_GEOCODE_NAMES = ["UNIT_CODE", "MA_DVHC"]


class CertificateExpired(CapRejected):
    """The sender's pinned certificate is past its ``not_valid_after``: its alerts are refused."""

    def __init__(self, sender: str, expired_at: datetime) -> None:
        super().__init__(f"the certificate of sender {sender!r} expired on {expired_at:%Y-%m-%d %H:%M} UTC; "
                         "its alerts are refused until an admin uploads its new certificate")
        self.expired_at = expired_at


class CapSenderIn(BaseModel):
    name: str = Field(min_length=3, max_length=255)
    unit_id: int
    geocode_names: list[GeocodeName] = Field(default_factory=lambda: list(DEFAULT_GEOCODE_NAMES),
                                             min_length=1, max_length=10)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class CapSenderCreate(CapSenderIn):
    """The API's form of a new sender: its certificate as PEM text (optional)."""

    model_config = ConfigDict(extra="forbid")
    certificate_pem: str | None = Field(default=None, max_length=MAX_CERTIFICATE_BYTES)


class CapSenderUpdate(BaseModel):
    """Enable or disable a sender, or pin a new certificate (PEM text)."""

    model_config = ConfigDict(extra="forbid")
    active: bool | None = None
    certificate_pem: str | None = Field(default=None, max_length=MAX_CERTIFICATE_BYTES)


class CapSenderPublic(BaseModel):
    """What the API shows of a sender: never its token nor the token's hash."""

    id: int
    name: str
    unit_code: str | None
    unit_id: int | None
    unit_name: str | None
    geocode_names: list[str]
    certificate_subject: str
    certificate_not_after: datetime | None
    source: CapSenderSource
    active: bool
    created_at: datetime
    updated_at: datetime


class CapSenderCreated(CapSenderPublic):
    token: str  # shown once; only its sha256 is stored


@dataclass(frozen=True)
class CertificateFacts:
    pem: str
    subject: str
    not_after: datetime


@dataclass(frozen=True)
class MadeSender:
    row: TrustedCapSender
    token: str  # shown once


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def pem_bytes(text: str) -> bytes:
    """PEM text as the bytes ``read_certificate`` reads (PEM is ASCII; anything else is not one)."""
    if not text.isascii():
        raise Invalid("cap_sender.bad_certificate", "the file is not a PEM certificate")
    return text.encode("ascii")


def read_certificate(pem: bytes) -> CertificateFacts:
    """Subject and expiry of a PEM certificate; ``cap_sender.bad_certificate`` when it is not one."""
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise Invalid("cap_sender.bad_certificate", "the file is not a PEM certificate") from exc
    return CertificateFacts(pem=pem.decode("ascii"), subject=cert.subject.rfc4514_string(),
                            not_after=cert.not_valid_after_utc)


def expiry_of(row: TrustedCapSender) -> datetime | None:
    """When the pinned certificate expires (aware UTC; SQLite hands stored times back naive)."""
    moment = row.certificate_not_after
    return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def ensure_certificate_current(row: TrustedCapSender, now: datetime) -> None:
    """``CertificateExpired`` when the sender's certificate is past its expiry."""
    expires = expiry_of(row)
    if row.certificate_pem is not None and expires is not None and expires <= now:
        raise CertificateExpired(row.name, expires)


def sender_for_token(session: Session, token: str) -> TrustedCapSender | None:
    """The active sender whose token this is; every hash compared, so the timing names none."""
    presented = hash_token(token).encode()
    found = None
    for row in session.exec(select(TrustedCapSender).where(col(TrustedCapSender.active).is_(True))).all():
        if secrets.compare_digest(presented, row.token_hash.encode()):
            found = row
    return found


# --- seeding from the setting -------------------------------------------------------------------

def seed_from_settings(session: Session, senders: dict[str, CapSenderSetting]) -> None:
    """Create or refresh the rows the setting defines; a sender whose certificate cannot be read
    is left out (logged), so it cannot send unsigned messages by mistake."""
    for name, config in senders.items():
        certificate = None
        if config.certificate is not None:
            try:
                certificate = read_certificate(config.certificate.read_bytes())
            except (OSError, Invalid) as exc:
                log.error("CAP sender %s left out: its certificate %s cannot be read (%s)",
                          name, config.certificate, exc)
                continue
        row = session.exec(select(TrustedCapSender).where(TrustedCapSender.name == name)).first()
        row = row or TrustedCapSender(name=name, token_hash="", source=CapSenderSource.SETTING)
        if row.source != CapSenderSource.SETTING:
            log.warning("CAP sender %s is managed in the panel; the setting's entry is ignored", name)
            continue
        row.token_hash = hash_token(config.token)
        row.unit_code, row.geocode_names = config.unit, list(config.geocode_names)
        row.certificate_pem = certificate.pem if certificate else None
        row.certificate_subject = certificate.subject if certificate else ""
        row.certificate_not_after = certificate.not_after if certificate else None
        row.active, row.updated_at = True, utcnow()
        session.add(row)
    seeded = select(TrustedCapSender).where(TrustedCapSender.source == CapSenderSource.SETTING,
                                            col(TrustedCapSender.name).not_in(list(senders)))
    for gone in session.exec(seeded):
        gone.active = False  # taken out of the setting: no longer trusted
        session.add(gone)
    session.commit()


# --- the admins' side ---------------------------------------------------------------------------

def _unit(session: Session, code: str | None) -> AdminUnit | None:
    if code is None:
        return None
    current = select(AdminUnit).where(AdminUnit.code == code, col(AdminUnit.valid_to).is_(None))
    return session.exec(current).first()


def _in_scope_code(session: Session, actor: User, code: str | None) -> bool:
    unit = _unit(session, code)
    return unit is not None and in_scope(session, actor, unit.id)


def visible(session: Session, actor: User, row: TrustedCapSender) -> bool:
    """Nationwide senders, and those whose unit lies in the admin's scope."""
    return row.unit_code is None or _in_scope_code(session, actor, row.unit_code)


def list_senders(session: Session, *, actor: User) -> list[TrustedCapSender]:
    require_role(actor, roles.ADMINS)
    rows = session.exec(select(TrustedCapSender).order_by(col(TrustedCapSender.name))).all()
    return [r for r in rows if visible(session, actor, r)]


def _managed(session: Session, actor: User, sender_id: int) -> TrustedCapSender:
    """A sender the admin may change: visible to them and made in the panel."""
    require_role(actor, roles.ADMINS)
    row = session.get(TrustedCapSender, sender_id)
    if row is None or not visible(session, actor, row):
        raise not_found("CAP sender", sender_id)
    if row.source != CapSenderSource.PANEL:
        raise Forbidden("cap_sender.from_setting",
                        f"CAP sender {row.name!r} is defined by the setting SIGNAGE_CAP_SENDERS; "
                        "change it there",
                        name=row.name)
    return row


def _trail(row: TrustedCapSender) -> dict[str, object]:
    return {"name": row.name, "unit_code": row.unit_code, "geocode_names": row.geocode_names,
            "certificate_subject": row.certificate_subject, "active": row.active,
            "certificate_not_after": None if row.certificate_not_after is None
            else row.certificate_not_after.isoformat()}


def _record(session: Session, actor: User, ip: str, action: str, row: TrustedCapSender,
            before: dict[str, object] | None) -> None:
    session.flush()
    unit = _unit(session, row.unit_code)
    audit.record_as(session, actor, ip, action, OBJECT_TYPE, row.id,
                    unit_id=None if unit is None else unit.id, before=before, after=_trail(row))
    session.commit()
    session.refresh(row)


def _check_certificate(facts: CertificateFacts, now: datetime) -> None:
    if facts.not_after <= now:
        raise Invalid("cap_sender.certificate_expired",
                      f"the certificate expired on {facts.not_after:%Y-%m-%d}",
                      expired_on=f"{facts.not_after:%d/%m/%Y}")


def create_sender(session: Session, *, actor: User, ip: str, body: CapSenderIn,
                  certificate: bytes | None) -> MadeSender:
    require_role(actor, roles.ADMINS)
    unit = session.get(AdminUnit, body.unit_id)
    if unit is None or not in_scope(session, actor, unit.id):
        raise not_found("unit", body.unit_id)
    if session.exec(select(TrustedCapSender).where(TrustedCapSender.name == body.name)).first() is not None:
        raise Conflict("cap_sender.name_taken", f"a CAP sender named {body.name!r} exists", name=body.name)
    facts = None if certificate is None else read_certificate(certificate)
    if facts is not None:
        _check_certificate(facts, utcnow())
    token = secrets.token_urlsafe(32)
    row = TrustedCapSender(name=body.name, token_hash=hash_token(token), unit_code=unit.code,
                           geocode_names=list(body.geocode_names), source=CapSenderSource.PANEL,
                           certificate_pem=facts.pem if facts else None,
                           certificate_subject=facts.subject if facts else "",
                           certificate_not_after=facts.not_after if facts else None)
    session.add(row)
    _record(session, actor, ip, "create", row, None)
    return MadeSender(row, token)


def upload_certificate(session: Session, *, actor: User, ip: str, sender_id: int,
                       pem: bytes) -> TrustedCapSender:
    """Pin a new certificate (refused when it is not one, or expired already)."""
    row = _managed(session, actor, sender_id)
    before = _trail(row)
    facts = read_certificate(pem)
    _check_certificate(facts, utcnow())
    row.certificate_pem, row.certificate_subject = facts.pem, facts.subject
    row.certificate_not_after, row.updated_at = facts.not_after, utcnow()
    session.add(row)
    _record(session, actor, ip, "upload_certificate", row, before)
    return row


def rotate_token(session: Session, *, actor: User, ip: str, sender_id: int) -> MadeSender:
    row = _managed(session, actor, sender_id)
    token = secrets.token_urlsafe(32)
    row.token_hash, row.updated_at = hash_token(token), utcnow()
    session.add(row)
    _record(session, actor, ip, "rotate_token", row, _trail(row))
    return MadeSender(row, token)


def set_active(session: Session, *, actor: User, ip: str, sender_id: int, active: bool) -> TrustedCapSender:
    row = _managed(session, actor, sender_id)
    before = _trail(row)
    row.active, row.updated_at = active, utcnow()
    session.add(row)
    _record(session, actor, ip, "enable" if active else "disable", row, before)
    return row


def update_sender(session: Session, *, actor: User, ip: str, sender_id: int,
                  body: CapSenderUpdate) -> TrustedCapSender:
    """The API's PATCH: a new certificate first (refused whole when it is not valid), then the state;
    each change audited as the panel's own action."""
    row = _managed(session, actor, sender_id)
    if body.certificate_pem is not None:
        row = upload_certificate(session, actor=actor, ip=ip, sender_id=sender_id,
                                 pem=pem_bytes(body.certificate_pem))
    if body.active is not None and body.active != row.active:
        row = set_active(session, actor=actor, ip=ip, sender_id=sender_id, active=body.active)
    return row


def public(session: Session, row: TrustedCapSender) -> CapSenderPublic:
    unit = _unit(session, row.unit_code)
    assert row.id is not None
    return CapSenderPublic(
        id=row.id, name=row.name, unit_code=row.unit_code, unit_id=None if unit is None else unit.id,
        unit_name=None if unit is None else unit.name, geocode_names=list(row.geocode_names),
        certificate_subject=row.certificate_subject, certificate_not_after=expiry_of(row), source=row.source,
        active=row.active, created_at=row.created_at, updated_at=row.updated_at)
