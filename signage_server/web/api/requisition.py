"""Requisitioned boards (Decree 49 "huy động, trưng dụng"): the windows agreed with a board's owner
(``devices/requisition``), the proof that they were honoured (``reports/requisition``), and the
owner's own content (``content/owner_content``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status

from signage_server.content import owner_content
from signage_server.content.owner_content import OwnerContent, OwnerSlideCreate
from signage_server.devices import requisition
from signage_server.devices.requisition import RequisitionWindowIn, RequisitionWindowPublic
from signage_server.reports.requisition import RequisitionReport, requisition_report
from signage_server.web.deps import (
    ChangesDep,
    ClientIpDep,
    CurrentUser,
    OwnerActor,
    OwnerUser,
    RequisitionerUser,
    SessionDep,
)

router = APIRouter(tags=["requisitioned boards"])


@router.get("/boards/{board_id}/requisition-windows", response_model=list[RequisitionWindowPublic])
def list_windows(session: SessionDep, user: CurrentUser, board_id: int) -> list[RequisitionWindowPublic]:
    return requisition.list_windows(session, user=user, board_id=board_id)


@router.post("/boards/{board_id}/requisition-windows", response_model=RequisitionWindowPublic,
             status_code=status.HTTP_201_CREATED)
def add_window(session: SessionDep, user: RequisitionerUser, ip: ClientIpDep, changes: ChangesDep,
               board_id: int, body: RequisitionWindowIn) -> RequisitionWindowPublic:
    """A window in which the board carries the government's schedules (admins and approvers)."""
    return requisition.add_window(session, actor=user, ip=ip, changes=changes, board_id=board_id, body=body)


@router.delete("/boards/{board_id}/requisition-windows/{window_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_window(session: SessionDep, user: RequisitionerUser, ip: ClientIpDep, changes: ChangesDep,
                  board_id: int, window_id: int) -> None:
    requisition.delete_window(session, actor=user, ip=ip, changes=changes, board_id=board_id,
                              window_id=window_id)


@router.get("/boards/{board_id}/requisition-report", response_model=RequisitionReport)
def report(session: SessionDep, user: CurrentUser, board_id: int, day: date) -> RequisitionReport:
    """Per window of the board's local ``day``: the government's airtime and the owner's (none)."""
    return requisition_report(session, user=user, board_id=board_id, day=day)


@router.get("/owner/content", response_model=OwnerContent)
def my_content(session: SessionDep, user: OwnerUser) -> OwnerContent:
    """The owner's board and slides (owner accounts only)."""
    return owner_content.owner_content(session, user=user)


@router.post("/owner/slides", response_model=OwnerContent, status_code=status.HTTP_201_CREATED)
def add_slide(
    session: SessionDep, actor: OwnerActor, changes: ChangesDep, body: OwnerSlideCreate
) -> OwnerContent:
    return owner_content.add_slide(session, actor=actor, changes=changes, data=body)


@router.delete("/owner/slides/{item_id}", response_model=OwnerContent)
def remove_slide(session: SessionDep, actor: OwnerActor, changes: ChangesDep, item_id: int) -> OwnerContent:
    return owner_content.remove_slide(session, actor=actor, changes=changes, item_id=item_id)
