"""Reading the audit trail: events of the reader's scope, filtered, and their CSV rendering.

Nothing here changes or deletes an event; the database refuses UPDATE and DELETE on the table as
well (migration 0003).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_server.core import roles
from signage_server.core.auth import ensure_in_scope, require_role
from signage_server.core.local_time import local_text, to_local
from signage_server.core.paging import Page, PageRequest, paged
from signage_server.models import AuditEvent, User
from signage_server.units.service import subtree_ids

MAX_ROWS = 10_000
CSV_COLUMNS = ("id", "at", "at_local", "actor", "actor_id", "ip", "action", "object_type", "object_id",
               "unit_id", "before", "after")


class AuditFilter(BaseModel):
    unit_id: int | None = None
    user_id: int | None = None
    object_type: str | None = None
    object_id: str | None = None
    from_: datetime | None = None  # inclusive
    to: datetime | None = None  # exclusive
    limit: int = 1000


def event_page(session: Session, *, actor: User, wanted: AuditFilter, page: PageRequest) -> Page[AuditEvent]:
    """One page of the same events, newest first, with no cap on how far back (the panel's trail)."""
    ordered = _query(session, actor, wanted).order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    return paged(session, ordered, page)


def object_types(session: Session, *, actor: User) -> list[str]:
    """The kinds of object the reader's events name (the trail's filter offers them)."""
    require_role(actor, roles.REVIEWERS)
    units = subtree_ids(session, actor.unit_id)
    query = select(AuditEvent.object_type).where(col(AuditEvent.unit_id).in_(units))
    return sorted(set(session.exec(query.distinct()).all()))


def events(session: Session, *, actor: User, wanted: AuditFilter) -> list[AuditEvent]:
    """Events of units in the reader's scope, oldest first (a unit filter narrows to that unit's
    subtree; a unit outside the scope answers ``unit.not_found``)."""
    query = _query(session, actor, wanted)
    ordered = query.order_by(col(AuditEvent.at), col(AuditEvent.id)).limit(wanted.limit)
    return list(session.exec(ordered).all())


def _query(session: Session, actor: User, wanted: AuditFilter) -> SelectOfScalar[AuditEvent]:
    require_role(actor, roles.REVIEWERS)
    if wanted.unit_id is not None:
        ensure_in_scope(session, actor, wanted.unit_id)
    units = subtree_ids(session, actor.unit_id if wanted.unit_id is None else wanted.unit_id)
    query = select(AuditEvent).where(col(AuditEvent.unit_id).in_(units))
    if wanted.user_id is not None:
        query = query.where(AuditEvent.actor_id == wanted.user_id)
    if wanted.object_type is not None:
        query = query.where(AuditEvent.object_type == wanted.object_type)
    if wanted.object_id is not None:
        query = query.where(AuditEvent.object_id == wanted.object_id)
    if wanted.from_ is not None:
        query = query.where(col(AuditEvent.at) >= wanted.from_)
    if wanted.to is not None:
        query = query.where(col(AuditEvent.at) < wanted.to)
    return query


def events_csv(rows: list[AuditEvent]) -> str:
    """UTF-8 with a byte-order mark so spreadsheet programs read Vietnamese; before/after as JSON;
    times in Vietnam's zone (``at`` in ISO 8601 with its offset, ``at_local`` as people read it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in rows:
        data = event.model_dump(mode="json")
        data["at"] = to_local(event.at).isoformat()  # with its +07:00 offset
        data["at_local"] = local_text(event.at, seconds=True)  # dd/mm/yyyy HH:MM:SS GMT+7
        writer.writerow([
            json.dumps(data[c], ensure_ascii=False) if c in ("before", "after") and data[c] is not None
            else ("" if data[c] is None else data[c])
            for c in CSV_COLUMNS
        ])
    return "\ufeff" + out.getvalue()
