"""Pairing a player to a board by the code on its screen, and revoking a board's devices.

Admins and operators of the board's unit (or above) claim codes; the device then collects its own
credential (see ``device.poll_pairing``). Revoking closes the board's live connections at once.
The rules live in ``devices/pairing``.
"""

from __future__ import annotations

from datetime import datetime

import anyio
from fastapi import APIRouter, Request, status
from pydantic import BaseModel
from sqlmodel import Session

from signage_server.core.audit import client_ip
from signage_server.devices import pairing
from signage_server.devices.pairing import PairingClaim
from signage_server.devices.poll_cache import forget_everywhere
from signage_server.web.deps import BusDep, EngineDep, HubDep, OperatorUser, PollCacheDep, SessionDep

router = APIRouter(prefix="/boards", tags=["pairing"])


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


@router.post("/{board_id}/pairing", response_model=PairingClaimed)
def claim_code(
    board_id: int, body: PairingClaim, request: Request, session: SessionDep, user: OperatorUser
) -> PairingClaimed:
    """Claim the code shown on a player's screen for this board."""
    ticket = pairing.claim_code(session, actor=user, ip=client_ip(request), board_id=board_id, claim=body)
    return PairingClaimed(board_id=board_id, hardware_id=ticket.hardware_id,
                          screen_width=ticket.screen_width, screen_height=ticket.screen_height)


@router.get("/{board_id}/devices", response_model=list[DevicePublic])
def list_devices(board_id: int, session: SessionDep, user: OperatorUser) -> list[DevicePublic]:
    return [DevicePublic.model_validate(row, from_attributes=True)
            for row in pairing.list_devices(session, actor=user, board_id=board_id)]


@router.delete("/{board_id}/devices", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_devices(board_id: int, request: Request, user: OperatorUser, engine: EngineDep,
                         hub: HubDep, cache: PollCacheDep, bus: BusDep) -> None:
    """Revoke every credential of the board and drop its live connections; pair again to resume."""

    def revoke() -> None:
        with Session(engine) as session:
            pairing.revoke_devices(session, actor=user, ip=client_ip(request), board_id=board_id)

    await anyio.to_thread.run_sync(revoke)
    await forget_everywhere(cache, bus, frozenset({board_id}))
    await hub.disconnect(board_id)
