"""Reports for operators, viewers and the provincial source information system.

The source information system pulls ``GET /api/v1/reports/summary`` with its own token: create a
user with the ``viewer`` role scoped to the province (``signage-server`` admin commands or
``POST /api/v1/users``), then a named API token for it (``POST /api/v1/auth/tokens``); send it as
``Authorization: Bearer sgn_...``. A viewer can read, never change anything, and sees only its
unit's subtree; revoking the token by name cuts the access.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from signage_server.core.paging import MAX_PER_PAGE, PER_PAGE, PageRequest
from signage_server.reports import service
from signage_server.reports.boards import BoardReportPage
from signage_server.reports.summary import SummaryReport, summary_csv
from signage_server.web.deps import CurrentUser, HealthDep, SessionDep

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/summary", response_model=SummaryReport, responses={200: {"content": {"text/csv": {}}}})
def summary(
    session: SessionDep,
    user: CurrentUser,
    health: HealthDep,
    unit_id: int,
    first: Annotated[date | None, Query(alias="from", description="local date, inclusive")] = None,
    last: Annotated[date | None, Query(alias="to", description="local date, inclusive")] = None,
    format: Literal["json", "csv"] = "json",
) -> SummaryReport | Response:
    """Boards, online now, uptime %, hours played per Decree 49 category, priority and reason, and
    emergencies, for a unit's subtree over ``from``..``to`` (default the last 30 local days). See
    ``signage_server/reports/summary.py`` for the attribution and roll-up rules."""
    report = service.summary(session, actor=user, unit_id=unit_id, first=first, last=last,
                             now=health.clock(), config=health.config)
    if format == "json":
        body = report.model_dump(mode="json")
        if report.emergencies is None:
            del body["emergencies"]  # no emergencies section: left out, not faked
        return JSONResponse(body)
    return Response(
        summary_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{service.csv_file_name(report)}"'},
    )


@router.get("/boards", response_model=BoardReportPage)
def boards(
    session: SessionDep,
    user: CurrentUser,
    health: HealthDep,
    unit_id: int,
    first: Annotated[date | None, Query(alias="from", description="local date, inclusive")] = None,
    last: Annotated[date | None, Query(alias="to", description="local date, inclusive")] = None,
    q: Annotated[str, Query(max_length=100, description="words of the board's name or address")] = "",
    within: Annotated[int | None, Query(description="only the boards of this unit's subtree")] = None,
    link: Literal["online", "offline", "never_seen"] | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = PER_PAGE,
) -> BoardReportPage:
    """The summary report board by board (link state now, uptime %, hours played in the period),
    by name, one page at a time; a page past the end answers the last one."""
    found = service.board_report(session, actor=user, unit_id=unit_id, first=first, last=last,
                                 now=health.clock(), config=health.config, text=q, within_unit_id=within,
                                 link=link, wanted=PageRequest(page, per_page))
    return BoardReportPage(rows=found.rows, total=found.total, page=found.number, per_page=found.per_page,
                           pages=found.pages)
