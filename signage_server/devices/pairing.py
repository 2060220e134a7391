"""Pairing a player to a board by the code on its screen, and revoking a board's devices.

An unpaired player opens a ticket (unauthenticated, so limited: per address, and in open tickets
overall; expired tickets are purged as new ones open). Admins and operators of the board's unit (or
above) claim codes; the device then collects its own credential (see
``web/api/device.poll_pairing``). Revoking marks every credential of the board; closing its live
connections is the caller's part (the hub lives at the edge).
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from signage_contract.device import PAIRING_CODE_ALPHABET, PAIRING_CODE_LENGTH, PairingStart
from signage_server.core import audit, roles
from signage_server.core.auth import require_role
from signage_server.core.errors import NotFound, TooManyRequests, Unavailable
from signage_server.core.login_guard import Guard
from signage_server.devices.auth import hash_token
from signage_server.devices.boards import OBJECT_TYPE, get_board
from signage_server.models import DeviceCredential, PairingTicket, User, utcnow

PAIRING_TTL = timedelta(hours=1)
PURGE_GRACE = timedelta(minutes=10)  # a player polling an expired ticket still hears "expired"
FULL_RETRY_AFTER_S = 60


@dataclass(frozen=True)
class PairingLimits:
    per_address: Guard  # counts the tickets each address opened lately
    max_open: int  # unclaimed, unexpired tickets at once, over all addresses


@dataclass(frozen=True)
class OpenedTicket:
    ticket: PairingTicket
    secret: str  # only the device gets it; only its hash is stored


def address_key(ip: str) -> str:
    """The address a limit counts: an IPv6 client by its /64 (one subscriber), IPv4 as is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return f"ip:{ip}"
    if address.version == 6:
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


def purge_expired(session: Session) -> None:
    """Delete tickets expired a while ago that nobody will collect (unclaimed, or delivered)."""
    cutoff = utcnow() - PURGE_GRACE
    session.exec(delete(PairingTicket).where(
        col(PairingTicket.expires_at) < cutoff,
        or_(col(PairingTicket.claimed_board_id).is_(None), col(PairingTicket.delivered_at).is_not(None)),
    ))


def _open_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(PairingTicket).where(
        col(PairingTicket.expires_at) > utcnow(), col(PairingTicket.claimed_board_id).is_(None),
    )).one()


def _new_code(session: Session) -> str:
    for _ in range(20):
        code = "".join(secrets.choice(PAIRING_CODE_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
        clash = session.exec(
            select(PairingTicket).where(PairingTicket.code == code, col(PairingTicket.expires_at) > utcnow())
        ).first()
        if clash is None:
            return code
    raise Unavailable("pairing.no_free_code", "no free pairing code; try again",
                      retry_after_s=FULL_RETRY_AFTER_S)


def open_ticket(session: Session, *, limits: PairingLimits, ip: str, start: PairingStart) -> OpenedTicket:
    """A pairing code for an unpaired player: ``pairing.too_many_requests`` when its address opened
    too many lately, ``pairing.full`` when too many tickets are open (each with ``retry_after_s``)."""
    key = address_key(ip)
    wait_s = limits.per_address.retry_after(key)
    if wait_s is not None:
        raise TooManyRequests("pairing.too_many_requests",
                              f"too many pairing requests from this address; try again in {wait_s} s",
                              retry_after_s=wait_s)
    limits.per_address.failed(key)  # counts this request
    purge_expired(session)
    if _open_count(session) >= limits.max_open:
        session.commit()
        raise Unavailable("pairing.full",
                          f"{limits.max_open} players are waiting to be paired already; "
                          f"try again in {FULL_RETRY_AFTER_S} s", retry_after_s=FULL_RETRY_AFTER_S,
                          max_open=limits.max_open)
    secret = secrets.token_urlsafe(24)
    ticket = PairingTicket(
        id=secrets.token_hex(12), code=_new_code(session), secret_hash=hash_token(secret),
        hardware_id=start.hardware_id, software_version=start.software_version,
        screen_width=start.screen_width, screen_height=start.screen_height,
        expires_at=utcnow() + PAIRING_TTL,
    )
    session.add(ticket)
    session.commit()
    return OpenedTicket(ticket, secret)


class PairingClaim(BaseModel):
    code: Annotated[str, Field(min_length=1, max_length=32)]

    @field_validator("code")
    @classmethod
    def _normalise(cls, value: str) -> str:
        code = "".join(value.split()).upper()  # people read codes aloud: spaces and case vary
        if len(code) != PAIRING_CODE_LENGTH or not set(code) <= set(PAIRING_CODE_ALPHABET):
            raise ValueError(
                f"a pairing code is {PAIRING_CODE_LENGTH} characters from {PAIRING_CODE_ALPHABET}"
            )
        return code


def claim_code(session: Session, *, actor: User, ip: str, board_id: int,
               claim: PairingClaim) -> PairingTicket:
    """Claim the code shown on a player's screen for this board (``pairing.unknown_code`` when no
    player shows it, or it expired, or another board claimed it)."""
    require_role(actor, roles.OPERATORS)
    board = get_board(session, actor=actor, board_id=board_id)
    ticket = session.exec(
        select(PairingTicket).where(
            PairingTicket.code == claim.code,
            col(PairingTicket.expires_at) > utcnow(),
            col(PairingTicket.claimed_board_id).is_(None),
        )
    ).first()
    if ticket is None:
        raise NotFound(
            "pairing.unknown_code",
            f"no player is showing code {claim.code} "
            "(codes expire after an hour; the screen shows a new one)",
            pairing_code=claim.code,
        )
    ticket.claimed_board_id = board_id
    ticket.claimed_by = actor.id
    session.add(ticket)
    audit.record_as(session, actor, ip, "pair", OBJECT_TYPE, board_id, unit_id=board.unit_id,
                    after={"ticket": ticket.id, "hardware_id": ticket.hardware_id})
    session.commit()
    session.refresh(ticket)
    return ticket


def list_devices(session: Session, *, actor: User, board_id: int) -> list[DeviceCredential]:
    require_role(actor, roles.OPERATORS)
    get_board(session, actor=actor, board_id=board_id)
    rows = session.exec(
        select(DeviceCredential).where(DeviceCredential.board_id == board_id)
        .order_by(col(DeviceCredential.id))
    )
    return list(rows)


def revoke_devices(session: Session, *, actor: User, ip: str, board_id: int,
                   created_before: datetime | None = None) -> list[int | None]:
    """Revoke every live credential of the board (issued before ``created_before``, when given: a
    re-pair keeps the credential its new player may collect meanwhile); the ids revoked."""
    require_role(actor, roles.OPERATORS)
    board = get_board(session, actor=actor, board_id=board_id)
    now = utcnow()
    revoked: list[int | None] = []
    live = select(DeviceCredential).where(
        DeviceCredential.board_id == board_id, col(DeviceCredential.revoked_at).is_(None))
    if created_before is not None:
        live = live.where(col(DeviceCredential.created_at) < created_before)
    for credential in session.exec(live):
        credential.revoked_at = now
        session.add(credential)
        revoked.append(credential.id)
    audit.record_as(session, actor, ip, "revoke_devices", OBJECT_TYPE, board_id, unit_id=board.unit_id,
                    after={"revoked_credentials": revoked})
    session.commit()
    return revoked
