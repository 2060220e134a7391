"""The summary report as users ask for it: a unit of their scope, a period of local days.

The emergencies section comes from ``emergency.report`` (the override tables always exist).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from signage_server.core.auth import ensure_in_scope
from signage_server.core.paging import Page, PageRequest, search_text
from signage_server.emergency.report import emergency_section
from signage_server.health.service import local_days
from signage_server.health.store import HealthConfig
from signage_server.models import AdminUnit, User
from signage_server.reports.boards import BoardReportRow, board_rows
from signage_server.reports.summary import ReportScope, SummaryReport, build_summary, covered_units

MAX_REPORT_DAYS = 366
DEFAULT_DAYS = 30


def summary(session: Session, *, actor: User, unit_id: int, first: date | None, last: date | None,
            now: datetime, config: HealthConfig) -> SummaryReport:
    """The unit's subtree over ``first``..``last`` (local dates, default the last 30 days)."""
    ensure_in_scope(session, actor, unit_id)
    unit = session.get(AdminUnit, unit_id)
    assert unit is not None  # in scope implies it exists
    first, last = local_days(first, last, now, default_days=DEFAULT_DAYS, max_days=MAX_REPORT_DAYS)
    scope = ReportScope(unit, frozenset(covered_units(session, unit_id)), first, last)
    return build_summary(session, scope, now, config, emergency_section)


def board_report(session: Session, *, actor: User, unit_id: int, first: date | None, last: date | None,
                 now: datetime, config: HealthConfig, text: str = "", within_unit_id: int | None = None,
                 link: str | None = None, wanted: PageRequest = PageRequest()) -> Page[BoardReportRow]:
    """The report's boards one page at a time: the unit's subtree (or the part below
    ``within_unit_id``, which must be in the reader's scope too), searched and filtered."""
    ensure_in_scope(session, actor, unit_id)
    unit = session.get(AdminUnit, unit_id)
    assert unit is not None
    first, last = local_days(first, last, now, default_days=DEFAULT_DAYS, max_days=MAX_REPORT_DAYS)
    scope = ReportScope(unit, frozenset(covered_units(session, unit_id)), first, last)
    within = None
    if within_unit_id is not None:
        ensure_in_scope(session, actor, within_unit_id)
        within = frozenset(covered_units(session, within_unit_id))
    return board_rows(session, scope, now, config, text=search_text(text), within=within, link=link,
                      wanted=wanted)


def csv_file_name(report: SummaryReport) -> str:
    return f"report-{report.unit_code}-{report.first_day.isoformat()}-{report.last_day.isoformat()}.csv"
