"""Emergency overrides: issue and confirm (two steps), update, cancel, list, per-board status.

Operators and admins act, within their unit's subtree (targets outside it answer 404, as for every
other router). Everyone may read the overrides that concern their scope: those issued in it, and
those issued above it (a province's warning over a commune's boards); per-board status lists only
the boards in the reader's scope. Overrides past their expiry turn ``expired`` on every read.
The rules live in ``signage_server.emergency.overrides``; each route calls one of its functions.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from signage_server.core.audit import client_ip
from signage_server.emergency import overrides
from signage_server.emergency.schemas import (
    OverrideCreate,
    OverridePublic,
    OverrideStatusPublic,
    OverrideUpdate,
    OverrideWithBoards,
)
from signage_server.models import OverrideState
from signage_server.web.deps import (
    CurrentUser,
    HubDep,
    OperatorUser,
    OverrideDeliveryDep,
    SessionDep,
    SettingsDep,
    SpeakerDep,
)

router = APIRouter(prefix="/overrides", tags=["overrides"])


@router.post("", response_model=OverrideWithBoards, status_code=status.HTTP_201_CREATED)
def create_override(session: SessionDep, user: OperatorUser, settings: SettingsDep, request: Request,
                    speaker: SpeakerDep, body: OverrideCreate) -> OverrideWithBoards:
    """Step one: nothing is pushed yet; the answer lists the boards a confirmation would take over.
    ``speak``: recorded now for reading aloud (``speech.*`` refusals)."""
    return overrides.create(session, user=user, ip=client_ip(request), body=body,
                            max_hours=settings.override_max_hours, speaker=speaker)


@router.post("/{override_id}/confirm", response_model=OverrideWithBoards)
def confirm_override(session: SessionDep, user: OperatorUser, delivery: OverrideDeliveryDep, request: Request,
                     override_id: int) -> OverrideWithBoards:
    """Step two: the override goes live and is pushed to every targeted board at once."""
    return overrides.confirm(session, user=user, ip=client_ip(request), override_id=override_id,
                             delivery=delivery)


@router.patch("/{override_id}", response_model=OverrideWithBoards)
def update_override(session: SessionDep, user: OperatorUser, settings: SettingsDep,
                    delivery: OverrideDeliveryDep, request: Request, override_id: int,
                    body: OverrideUpdate) -> OverrideWithBoards:
    """Text, level or expiry (extend it by sending a later ``expires_at``); an active override is
    pushed again to its boards; the answer says how many pages the new text takes on the smallest."""
    return overrides.update(session, user=user, ip=client_ip(request), override_id=override_id, patch=body,
                            max_hours=settings.override_max_hours, delivery=delivery)


@router.post("/{override_id}/cancel", response_model=OverridePublic)
def cancel_override(session: SessionDep, user: OperatorUser, delivery: OverrideDeliveryDep, request: Request,
                    override_id: int) -> OverridePublic:
    return overrides.cancel(session, user=user, ip=client_ip(request), override_id=override_id,
                            delivery=delivery)


@router.get("", response_model=list[OverridePublic])
def list_overrides(session: SessionDep, user: CurrentUser, delivery: OverrideDeliveryDep,
                   state: OverrideState | None = None) -> list[OverridePublic]:
    return overrides.list_visible(session, user=user, state=state, delivery=delivery)


@router.get("/{override_id}", response_model=OverridePublic)
def get_override(session: SessionDep, user: CurrentUser, delivery: OverrideDeliveryDep,
                 override_id: int) -> OverridePublic:
    return overrides.get(session, user=user, override_id=override_id, delivery=delivery)


@router.get("/{override_id}/status", response_model=OverrideStatusPublic)
def override_status(session: SessionDep, user: CurrentUser, settings: SettingsDep, hub: HubDep,
                    delivery: OverrideDeliveryDep, override_id: int) -> OverrideStatusPublic:
    """Per board: displayed, delivered, pending (reachable, no receipt yet) or unreachable; counts.
    Receipts are written as the boards' acks arrive, so each read shows the latest."""
    return overrides.board_status(session, user=user, override_id=override_id,
                                  connected=hub.connected_boards(), poll_interval_s=settings.poll_interval_s,
                                  delivery=delivery)
