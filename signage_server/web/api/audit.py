"""Reading the audit trail: filtered queries and a CSV export (``core/audit_trail``). There is no
route that changes or deletes an event."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from signage_server.core import audit_trail
from signage_server.core.audit_trail import MAX_ROWS, AuditFilter
from signage_server.web.deps import ReviewerUser, SessionDep

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEventPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_id: int | None
    ip: str
    action: str
    object_type: str
    object_id: str
    unit_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _filter(
    unit_id: int | None = None,
    user_id: int | None = None,
    object_type: Annotated[str | None, Query(max_length=64)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    from_: Annotated[datetime | None, Query(alias="from", description="inclusive")] = None,
    to: Annotated[datetime | None, Query(description="exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 1000,
) -> AuditFilter:
    return AuditFilter(unit_id=unit_id, user_id=user_id, object_type=object_type, object_id=object_id,
                       from_=from_, to=to, limit=limit)


FilterDep = Annotated[AuditFilter, Depends(_filter)]


def csv_response(text: str) -> Response:
    return Response(content=text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


@router.get("", response_model=list[AuditEventPublic])
def list_events(session: SessionDep, user: ReviewerUser, f: FilterDep) -> list[AuditEventPublic]:
    """Oldest first; ``from``/``to`` are aware timestamps (UTC recommended)."""
    return [AuditEventPublic.model_validate(e, from_attributes=True)
            for e in audit_trail.events(session, actor=user, wanted=f)]


@router.get("/export.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a BOM"}})
def export_csv(session: SessionDep, user: ReviewerUser, f: FilterDep) -> Response:
    """The same events as CSV, UTF-8 with a byte-order mark so spreadsheet programs read Vietnamese."""
    return csv_response(audit_trail.events_csv(audit_trail.events(session, actor=user, wanted=f)))
