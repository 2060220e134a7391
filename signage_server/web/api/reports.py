"""Reports for operators, viewers and the provincial source information system.

The source information system pulls ``GET /api/v1/reports/summary`` with its own token: create a
user with the ``viewer`` role scoped to the province (``signage-server`` admin commands or
``POST /api/v1/users``), then a named API token for it (``POST /api/v1/auth/tokens``); send it as
``Authorization: Bearer sgn_...``. A viewer can read, never change anything, and sees only its
unit's subtree; revoking the token by name cuts the access.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse

from signage_server.core.auth import ensure_in_scope
from signage_server.health.uptime import LOCAL_TZ
from signage_server.models import AdminUnit
from signage_server.reports.summary import (
    EmergencySection,
    ReportScope,
    SummaryReport,
    build_summary,
    covered_units,
    summary_csv,
)
from signage_server.web.api.health import health_now
from signage_server.web.deps import CurrentUser, SessionDep

router = APIRouter(prefix="/reports", tags=["reports"])
MAX_REPORT_DAYS = 366


@router.get("/summary", response_model=SummaryReport, responses={200: {"content": {"text/csv": {}}}})
def summary(
    session: SessionDep,
    user: CurrentUser,
    request: Request,
    unit_id: int,
    first: Annotated[date | None, Query(alias="from", description="local date, inclusive")] = None,
    last: Annotated[date | None, Query(alias="to", description="local date, inclusive")] = None,
    format: Literal["json", "csv"] = "json",
) -> SummaryReport | Response:
    """Boards, online now, uptime %, hours played per Decree 49 category, priority and reason, and
    (when wired) emergencies, for a unit's subtree over ``from``..``to`` (default the last 30
    local days). See ``signage_server/reports/summary.py`` for the attribution and roll-up rules."""
    ensure_in_scope(session, user, unit_id)
    unit = session.get(AdminUnit, unit_id)
    assert unit is not None  # in scope implies it exists
    now = health_now(request)
    last = last or now.astimezone(LOCAL_TZ).date()
    first = first or last - timedelta(days=29)
    if first > last or (last - first).days >= MAX_REPORT_DAYS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"from..to must be a range of 1 to {MAX_REPORT_DAYS} days")
    scope = ReportScope(unit, frozenset(covered_units(session, unit_id)), first, last)
    emergencies: EmergencySection | None = getattr(request.app.state, "emergency_report", None)
    report = build_summary(session, scope, now, request.app.state.health.config, emergencies)
    if format == "json":
        body = report.model_dump(mode="json")
        if report.emergencies is None:
            del body["emergencies"]  # no override tables wired: the section is left out, not faked
        return JSONResponse(body)
    name = f"report-{unit.code}-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        summary_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
