"""Reports: the summary report of a unit's subtree as tables with bars, the bulletins of a unit
with their reach and airtime (paged), and their CSV downloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from signage_server.core.paging import page_of_list
from signage_server.reports import bulletin_reach, service
from signage_server.reports.boards import LINK_STATES
from signage_server.reports.summary import summary_csv
from signage_server.web.deps import HealthDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQueryDep
from signage_server.web.panel.routes.common import PagesDep, run_service, units_in_scope
from signage_server.web.panel.session import CurrentPanelUser

router = APIRouter(prefix="/reports")
First = Annotated[date | None, Query(alias="from")]
Last = Annotated[date | None, Query(alias="to")]


LINK_OPTIONS = tuple((state, N_(state)) for state in LINK_STATES)


@router.get("")
def report_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                monitor: HealthDep, q: ListQueryDep, unit_id: int | None = None, first: First = None,
                last: Last = None) -> Response:
    unit = unit_id or who.user.unit_id
    report, error = run_service(lambda: service.summary(session, actor=who.user, unit_id=unit, first=first,
                                                    last=last, now=monitor.clock(), config=monitor.config))
    link = q.params.get("link") if q.params.get("link") in LINK_STATES else None
    found = None if report is None else service.board_report(
        session, actor=who.user, unit_id=unit, first=report.first_day, last=report.last_day,
        now=monitor.clock(), config=monitor.config, text=q.text, link=link, wanted=q.page)
    return view.render(request, "reports.html", who, report=report, units=units_in_scope(session, who.user),
                       unit_id=unit, error=error, status_code=422 if error else 200,
                       query=str(request.url.query), q=q, found=found,
                       links=[(v, view.translator(request)(w)) for v, w in LINK_OPTIONS])


@router.get("/summary.csv")
def report_csv(session: SessionDep, who: CurrentPanelUser, monitor: HealthDep, unit_id: int,
               first: First = None, last: Last = None) -> Response:
    report = service.summary(session, actor=who.user, unit_id=unit_id, first=first, last=last,
                             now=monitor.clock(), config=monitor.config)
    return Response(
        summary_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{service.csv_file_name(report)}"'},
    )


@router.get("/bulletins")
def bulletins_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                   monitor: HealthDep, q: ListQueryDep, unit_id: int | None = None, first: First = None,
                   last: Last = None) -> Response:
    """Every bulletin of the unit's subtree over the period: boards aired / targeted, airtime."""
    unit = unit_id or who.user.unit_id
    report, error = run_service(lambda: bulletin_reach.bulletin_reach(
        session, actor=who.user, unit_id=unit, first=first, last=last, now=monitor.clock()))
    found = None if report is None else page_of_list(report.bulletins, q.page)
    return view.render(request, "report_bulletins.html", who, report=report, found=found, q=q,
                       units=units_in_scope(session, who.user), unit_id=unit, error=error,
                       status_code=422 if error else 200)


@router.get("/bulletins.csv")
def bulletins_csv(session: SessionDep, who: CurrentPanelUser, monitor: HealthDep, unit_id: int,
                  first: First = None, last: Last = None) -> Response:
    report = bulletin_reach.bulletin_reach(session, actor=who.user, unit_id=unit_id, first=first, last=last,
                                           now=monitor.clock())
    return Response(
        bulletin_reach.reach_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{bulletin_reach.reach_file_name(report)}"'},
    )
