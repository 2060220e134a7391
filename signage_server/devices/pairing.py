"""Pairing a player to a board by the code on its screen, and revoking a board's devices.

Admins and operators of the board's unit (or above) claim codes; the device then collects its own
credential (see ``web/api/device.poll_pairing``). Revoking marks every credential of the board;
closing its live connections is the caller's part (the hub lives at the edge).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, select

from signage_contract.device import PAIRING_CODE_ALPHABET, PAIRING_CODE_LENGTH
from signage_server.core import audit, roles
from signage_server.core.auth import require_role
from signage_server.core.errors import NotFound
from signage_server.devices.boards import OBJECT_TYPE, get_board
from signage_server.models import DeviceCredential, PairingTicket, User, utcnow


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


def revoke_devices(session: Session, *, actor: User, ip: str, board_id: int) -> list[int | None]:
    """Revoke every live credential of the board; the ids revoked."""
    require_role(actor, roles.OPERATORS)
    board = get_board(session, actor=actor, board_id=board_id)
    now = utcnow()
    revoked: list[int | None] = []
    for credential in session.exec(
        select(DeviceCredential).where(
            DeviceCredential.board_id == board_id, col(DeviceCredential.revoked_at).is_(None)
        )
    ):
        credential.revoked_at = now
        session.add(credential)
        revoked.append(credential.id)
    audit.record_as(session, actor, ip, "revoke_devices", OBJECT_TYPE, board_id, unit_id=board.unit_id,
                    after={"revoked_credentials": revoked})
    session.commit()
    return revoked
