"""A requisitioned board's windows and their proof (``devices/requisition``,
``reports/requisition``): the windows agreed with the owner, set by the unit's admins and
approvers, and per window of a local day the government's airtime and the owner's (none)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_contract.timezone import LOCAL_ZONE
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.devices import requisition
from signage_server.devices.requisition import RequisitionWindowIn
from signage_server.models import utcnow
from signage_server.reports.requisition import requisition_report
from signage_server.web.deps import ChangesDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/boards/{board_id}/requisition")
DONE_WORDS = {"added": N_("The requisition window was added."),
              "removed": N_("The requisition window was removed.")}


def _page(request: Request, session: Session, who: PanelUser, view: Pages, board_id: int,
          day: date | None = None, error: str = "") -> Response:
    board = requisition.requisitioned_board(session, user=who.user, board_id=board_id)
    day = day or utcnow().astimezone(LOCAL_ZONE).date()
    return view.render(
        request, "requisition.html", who, board=board, day=day,
        windows=requisition.list_windows(session, user=who.user, board_id=board_id),
        report=requisition_report(session, user=who.user, board_id=board_id, day=day),
        can_edit=who.role in roles.REQUISITIONERS, error=error, status_code=422 if error else 200,
        done=DONE_WORDS.get(request.query_params.get("done", "")),
    )


@router.get("")
def windows(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep, board_id: int,
            day: date | None = None) -> Response:
    return _page(request, session, who, view, board_id, day)


def _optional(value: str) -> str | None:
    return value.strip() or None


@router.post("")
def add(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
        board_id: int, daily_start: Annotated[str, Form()] = "", daily_end: Annotated[str, Form()] = "",
        every_min: Annotated[str, Form()] = "", length_min: Annotated[str, Form()] = "",
        weekdays: Annotated[list[int] | None, Form()] = None) -> Response:
    made, error = attempt(lambda: requisition.add_window(
        session, actor=who.user, ip=client_ip(request), changes=changes, board_id=board_id,
        body=RequisitionWindowIn.model_validate({
            "daily_start": _optional(daily_start), "daily_end": _optional(daily_end),
            "every_min": _optional(every_min), "length_min": _optional(length_min),
            "weekdays": weekdays or [],
        })), view.translator(request))
    if made is None:
        session.rollback()
        return _page(request, session, who, view, board_id, error=error)
    return see_other(f"/panel/boards/{board_id}/requisition?done=added")


@router.post("/{window_id}/remove")
def remove(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
           board_id: int, window_id: int) -> Response:
    _done, error = attempt(lambda: requisition.delete_window(
        session, actor=who.user, ip=client_ip(request), changes=changes, board_id=board_id,
        window_id=window_id), view.translator(request))
    if error:
        session.rollback()
        return _page(request, session, who, view, board_id, error=error)
    return see_other(f"/panel/boards/{board_id}/requisition?done=removed")
