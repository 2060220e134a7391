"""Reports: the summary report of a unit's subtree as tables with bars, and its CSV download."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from signage_server.reports.summary import SummaryReport
from signage_server.web.api import reports as api
from signage_server.web.deps import SessionDep
from signage_server.web.panel.routes.common import PagesDep, attempt, units_in_scope
from signage_server.web.panel.session import CurrentPanelUser

router = APIRouter(prefix="/reports")
First = Annotated[date | None, Query(alias="from")]
Last = Annotated[date | None, Query(alias="to")]


@router.get("")
def report_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                unit_id: int | None = None, first: First = None, last: Last = None) -> Response:
    unit = unit_id or who.user.unit_id
    answer, error = attempt(lambda: api.summary(session, who.user, request, unit, first, last, "json"))
    report = _report(answer)
    return view.render(request, "reports.html", who, report=report, units=units_in_scope(session, who.user),
                       unit_id=unit, error=error, status_code=422 if error else 200,
                       query=str(request.url.query))


def _report(answer: SummaryReport | Response | None) -> SummaryReport | None:
    """The API answers JSON (so that it can leave out a section it cannot fill); read it back."""
    if isinstance(answer, Response):
        return SummaryReport.model_validate(json.loads(bytes(answer.body)))
    return answer


@router.get("/summary.csv")
def report_csv(request: Request, session: SessionDep, who: CurrentPanelUser, unit_id: int,
               first: First = None, last: Last = None) -> Response:
    answer = api.summary(session, who.user, request, unit_id, first, last, "csv")
    assert isinstance(answer, Response)
    return answer
