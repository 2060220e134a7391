"""Power and brightness schedules of a board or a unit (``devices/power``): night off, brightness by
the hour. A board's own schedule wins over its units'; PUT sets, DELETE removes (the unit's applies)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from pydantic import BaseModel

from signage_contract.power import PowerSchedule
from signage_server.core.audit import client_ip
from signage_server.devices import power
from signage_server.web.deps import ChangesDep, CurrentUser, ReviewerUser, SessionDep

router = APIRouter(tags=["power"])


class PowerPublic(BaseModel):
    """``own``: set on this board or unit; ``inherited``: from ``inherited_from_unit_id`` up the
    tree; ``effective``: what its boards follow (None: on at full brightness all the time). Times are
    the board's local time; days 0 (Monday) .. 6 (Sunday)."""

    own: PowerSchedule | None
    inherited: PowerSchedule | None
    inherited_from_unit_id: int | None
    effective: PowerSchedule | None


def _public(settings: power.PowerSettings) -> PowerPublic:
    return PowerPublic(own=settings.own, inherited=settings.inherited,
                       inherited_from_unit_id=settings.inherited_from_unit_id, effective=settings.effective)


@router.get("/boards/{board_id}/power", response_model=PowerPublic)
def get_board_power(session: SessionDep, user: CurrentUser, board_id: int) -> PowerPublic:
    return _public(power.board_power(session, actor=user, board_id=board_id))


@router.put("/boards/{board_id}/power", response_model=PowerPublic)
def put_board_power(request: Request, session: SessionDep, user: ReviewerUser, changes: ChangesDep,
                    board_id: int, body: PowerSchedule) -> PowerPublic:
    return _public(power.set_board_power(session, actor=user, ip=client_ip(request), changes=changes,
                                         board_id=board_id, schedule=body))


@router.delete("/boards/{board_id}/power", status_code=status.HTTP_204_NO_CONTENT)
def delete_board_power(request: Request, session: SessionDep, user: ReviewerUser, changes: ChangesDep,
                       board_id: int) -> None:
    power.set_board_power(session, actor=user, ip=client_ip(request), changes=changes, board_id=board_id,
                          schedule=None)


@router.get("/units/{unit_id}/power", response_model=PowerPublic)
def get_unit_power(session: SessionDep, user: CurrentUser, unit_id: int) -> PowerPublic:
    return _public(power.unit_power(session, actor=user, unit_id=unit_id))


@router.put("/units/{unit_id}/power", response_model=PowerPublic)
def put_unit_power(request: Request, session: SessionDep, user: ReviewerUser, changes: ChangesDep,
                   unit_id: int, body: PowerSchedule) -> PowerPublic:
    return _public(power.set_unit_power(session, actor=user, ip=client_ip(request), changes=changes,
                                        unit_id=unit_id, schedule=body))


@router.delete("/units/{unit_id}/power", status_code=status.HTTP_204_NO_CONTENT)
def delete_unit_power(request: Request, session: SessionDep, user: ReviewerUser, changes: ChangesDep,
                      unit_id: int) -> None:
    power.set_unit_power(session, actor=user, ip=client_ip(request), changes=changes, unit_id=unit_id,
                         schedule=None)
