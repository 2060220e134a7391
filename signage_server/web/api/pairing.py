"""Pairing a player to a board by the code on its screen, and revoking a board's devices.

Admins and operators of the board's unit (or above) claim codes; the device then collects its own
credential (see ``device.poll_pairing``). Revoking closes the board's live connections at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, select

from signage_contract.device import PAIRING_CODE_ALPHABET, PAIRING_CODE_LENGTH
from signage_server.core import audit
from signage_server.core.auth import in_scope, not_found
from signage_server.models import Board, DeviceCredential, PairingTicket, User, utcnow
from signage_server.web.deps import OperatorUser, SessionDep

router = APIRouter(prefix="/boards", tags=["pairing"])


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


class PairingClaimed(BaseModel):
    board_id: int
    hardware_id: str
    screen_width: int | None
    screen_height: int | None


class DevicePublic(BaseModel):
    id: int
    hardware_id: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


def _board(session: Session, user: User, board_id: int) -> Board:
    board = session.get(Board, board_id)
    if board is None or not in_scope(session, user, board.unit_id):
        raise not_found("board", board_id)
    return board


@router.post("/{board_id}/pairing", response_model=PairingClaimed)
def claim_code(
    board_id: int, body: PairingClaim, request: Request, session: SessionDep, user: OperatorUser
) -> PairingClaimed:
    """Claim the code shown on a player's screen for this board."""
    board = _board(session, user, board_id)
    ticket = session.exec(
        select(PairingTicket).where(
            PairingTicket.code == body.code,
            col(PairingTicket.expires_at) > utcnow(),
            col(PairingTicket.claimed_board_id).is_(None),
        )
    ).first()
    if ticket is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no player is showing code {body.code} (codes expire after an hour; the screen shows a new one)",
        )
    ticket.claimed_board_id = board_id
    ticket.claimed_by = user.id
    session.add(ticket)
    audit.record_by(session, request, user, "pair", "board", board_id, unit_id=board.unit_id,
                    after={"ticket": ticket.id, "hardware_id": ticket.hardware_id})
    session.commit()
    return PairingClaimed(
        board_id=board_id,
        hardware_id=ticket.hardware_id,
        screen_width=ticket.screen_width,
        screen_height=ticket.screen_height,
    )


@router.get("/{board_id}/devices", response_model=list[DevicePublic])
def list_devices(board_id: int, session: SessionDep, user: OperatorUser) -> list[DevicePublic]:
    _board(session, user, board_id)
    rows = session.exec(
        select(DeviceCredential)
        .where(DeviceCredential.board_id == board_id)
        .order_by(col(DeviceCredential.id))
    )
    return [DevicePublic.model_validate(row, from_attributes=True) for row in rows]


@router.delete("/{board_id}/devices", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_devices(board_id: int, request: Request, user: OperatorUser) -> None:
    """Revoke every credential of the board and drop its live connections; pair again to resume."""

    def revoke() -> None:
        with Session(request.app.state.engine) as session:
            board = _board(session, user, board_id)
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
            audit.record_by(session, request, user, "revoke_devices", "board", board_id,
                            unit_id=board.unit_id, after={"revoked_credentials": revoked})
            session.commit()

    await anyio.to_thread.run_sync(revoke)
    await request.app.state.hub.disconnect(board_id)
