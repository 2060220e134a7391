"""Reading the audit trail: filtered queries and a CSV export. There is no route that changes or
deletes an event; the database refuses UPDATE and DELETE on the table as well (migration 0003)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session, col, select

from signage_server.core.auth import ensure_in_scope
from signage_server.models import AuditEvent, User
from signage_server.units.service import subtree_ids
from signage_server.web.deps import ReviewerUser, SessionDep

router = APIRouter(prefix="/audit", tags=["audit"])
MAX_ROWS = 10_000
CSV_COLUMNS = ("id", "at", "actor", "actor_id", "ip", "action", "object_type", "object_id", "unit_id",
               "before", "after")


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


class AuditFilter(BaseModel):
    unit_id: int | None = None
    user_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    from_: datetime | None = None
    to: datetime | None = None
    limit: int = 1000


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


def _events(session: Session, user: User, f: AuditFilter) -> list[AuditEvent]:
    """Events of units in the reader's scope (a unit filter narrows to that unit's subtree)."""
    if f.unit_id is not None:
        ensure_in_scope(session, user, f.unit_id)
    units = subtree_ids(session, user.unit_id if f.unit_id is None else f.unit_id)
    query = select(AuditEvent).where(col(AuditEvent.unit_id).in_(units))
    if f.user_id is not None:
        query = query.where(AuditEvent.actor_id == f.user_id)
    if f.object_type is not None:
        query = query.where(AuditEvent.object_type == f.object_type)
    if f.object_id is not None:
        query = query.where(AuditEvent.object_id == f.object_id)
    if f.from_ is not None:
        query = query.where(col(AuditEvent.at) >= f.from_)
    if f.to is not None:
        query = query.where(col(AuditEvent.at) < f.to)
    return list(session.exec(query.order_by(col(AuditEvent.at), col(AuditEvent.id)).limit(f.limit)).all())


@router.get("", response_model=list[AuditEventPublic])
def list_events(session: SessionDep, user: ReviewerUser, f: FilterDep) -> list[AuditEventPublic]:
    """Oldest first; ``from``/``to`` are aware timestamps (UTC recommended)."""
    return [AuditEventPublic.model_validate(e, from_attributes=True) for e in _events(session, user, f)]


@router.get("/export.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a BOM"}})
def export_csv(session: SessionDep, user: ReviewerUser, f: FilterDep) -> Response:
    """The same events as CSV, UTF-8 with a byte-order mark so spreadsheet programs read Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in _events(session, user, f):
        data = event.model_dump(mode="json")
        writer.writerow([
            json.dumps(data[c], ensure_ascii=False) if c in ("before", "after") and data[c] is not None
            else ("" if data[c] is None else data[c])
            for c in CSV_COLUMNS
        ])
    return Response(
        content="\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
