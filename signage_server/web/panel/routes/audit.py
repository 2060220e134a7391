"""The audit trail (admins and approvers): filters over the API's event query, a table in Vietnam's
local time, and the CSV export served through the panel session."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator
from sqlmodel import Session, col, select

from signage_server.core import audit_trail
from signage_server.core.audit_trail import AuditFilter
from signage_server.models import User
from signage_server.web.deps import SessionDep
from signage_server.web.panel import audit_view
from signage_server.web.panel.listing import ListQueryDep
from signage_server.web.panel.routes.approvals import reviewer, user_names
from signage_server.web.panel.routes.common import (
    LOCAL_ZONE,
    PagesDep,
    run_service,
    units_in_scope,
)
from signage_server.web.panel.session import CurrentPanelUser

router = APIRouter(prefix="/audit")
First = Annotated[date | None, Query(alias="from")]
Last = Annotated[date | None, Query(alias="to")]
ObjectType = Annotated[str | None, Query(max_length=64)]
OptionalId = Annotated[int | None, BeforeValidator(lambda v: v or None)]
"""A filter's id; the form's "all" option sends it empty."""


def _start(day: date | None) -> datetime | None:
    """A local calendar day's first instant; ``to`` is inclusive here, so its next day ends the range."""
    return None if day is None else datetime.combine(day, time(), LOCAL_ZONE)


def _filter(unit_id: int | None, user_id: int | None, object_type: str | None, first: date | None,
            last: date | None) -> AuditFilter:
    return AuditFilter(unit_id=unit_id, user_id=user_id, object_type=object_type or None,
                           from_=_start(first), to=_start(last + timedelta(days=1) if last else None))


def _people(session: Session, unit_ids: list[int]) -> list[User]:
    query = select(User).where(col(User.unit_id).in_(unit_ids)).order_by(col(User.username))
    return list(session.exec(query))


@router.get("")
def audit_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
               q: ListQueryDep, unit_id: OptionalId = None, user_id: OptionalId = None,
               object_type: ObjectType = None, first: First = None, last: Last = None) -> Response:
    """Newest first, a page at a time, as far back as the trail goes."""
    user = reviewer(who)
    wanted = _filter(unit_id, user_id, object_type, first, last)
    found, error = run_service(
        lambda: audit_trail.event_page(session, actor=user, wanted=wanted, page=q.page))
    rows = found.rows if found else []
    units = units_in_scope(session, user)
    tr = view.translator(request)
    named = audit_view.look_up(session, rows)
    return view.render(
        request, "audit.html", who, rows=rows, found=found, q=q, units=units,
        people=_people(session, list(units)),
        names=user_names(session, {e.actor_id for e in rows}), kinds=audit_view.OBJECT_TYPES,
        action=lambda e: audit_view.action_text(e.action, tr, e.object_type),
        what=lambda e: audit_view.object_text(e, named, tr),
        changed=lambda e: audit_view.changes_text(e, named, tr),
        unit_name=lambda i: named.units.get(i, "") if i is not None else "",
        chosen={"unit_id": unit_id, "user_id": user_id, "object_type": object_type or "",
                "from": first.isoformat() if first else "", "to": last.isoformat() if last else ""},
        error=error, status_code=422 if error else 200)


@router.get("/export.csv")
def audit_csv(session: SessionDep, who: CurrentPanelUser, unit_id: OptionalId = None,
              user_id: OptionalId = None, object_type: ObjectType = None,
              first: First = None, last: Last = None) -> Response:
    wanted = _filter(unit_id, user_id, object_type, first, last)
    text = audit_trail.events_csv(audit_trail.events(session, actor=reviewer(who), wanted=wanted))
    return Response(content=text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
