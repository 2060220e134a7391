"""Past emergencies (cancelled or expired), newest first, a page at a time: who issued and who
confirmed each, when, how many boards it reached (acknowledged receipt) and when a board first
displayed it, and who cancelled it. Same visibility as the list: issued in the reader's scope or above it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from signage_server.emergency.delivery import Delivery
from signage_server.emergency.overrides import expire_now, visible_query
from signage_server.emergency.schemas import OverridePublic
from signage_server.models import Override, OverrideReceipt, OverrideState, User

PER_PAGE = 20
ENDED = (OverrideState.CANCELLED, OverrideState.EXPIRED)


@dataclass(frozen=True)
class PastOverride:
    override: OverridePublic
    issued_by: str  # a user's name, or the CAP sender
    confirmed_by: str | None  # None: never confirmed (a discarded draft)
    cancelled_by: str | None  # None: it ran out (expired), or a source cancelled it
    boards_reached: int
    first_displayed_at: datetime | None
    ended_at: datetime


@dataclass(frozen=True)
class HistoryPage:
    rows: list[PastOverride]
    page: int  # 1-based, clamped to the pages there are
    pages: int
    total: int


def past(session: Session, *, user: User, page: int, delivery: Delivery,
         per_page: int = PER_PAGE) -> HistoryPage:
    expire_now(session, delivery)
    ended = visible_query(session, user).where(col(Override.state).in_(ENDED))
    total = session.exec(select(func.count()).select_from(ended.subquery())).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    newest = ended.order_by(func.coalesce(col(Override.cancelled_at), col(Override.expires_at)).desc(),
                            col(Override.id).desc())
    rows = list(session.exec(newest.offset((page - 1) * per_page).limit(per_page)).all())
    names, reach = _names(session, rows), _reach(session, rows)
    return HistoryPage([_past(row, names, reach) for row in rows], page, pages, total)


def _names(session: Session, rows: list[Override]) -> dict[int, str]:
    ids = {i for r in rows for i in (r.issued_by, r.confirmed_by, r.cancelled_by) if i is not None}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return {u.id: u.full_name or u.username for u in users if u.id is not None}


def _reach(session: Session, rows: list[Override]) -> Reach:
    """Per override: boards that acknowledged it, and the first display."""
    query = select(OverrideReceipt.override_id, func.count(col(OverrideReceipt.received_at)),
                   func.min(OverrideReceipt.displayed_at)).where(
        col(OverrideReceipt.override_id).in_([r.id for r in rows])).group_by(col(OverrideReceipt.override_id))
    return {override_id: (count, first) for override_id, count, first in session.exec(query).all()}


Reach = dict[int, tuple[int, datetime | None]]  # override id: (boards that received it, first display)


def _past(row: Override, names: dict[int, str], reach: Reach) -> PastOverride:
    assert row.id is not None
    issuer = names.get(row.issued_by or 0) or row.cap_sender or "CAP"
    boards, first = reach.get(row.id, (0, None))
    confirmer = None if row.confirmed_at is None else names.get(row.confirmed_by or 0, issuer)
    canceller = None if row.cancelled_by is None else names.get(row.cancelled_by)
    return PastOverride(override=OverridePublic.of(row), issued_by=issuer, confirmed_by=confirmer,
                        cancelled_by=canceller,
                        boards_reached=boards, first_displayed_at=first,
                        ended_at=row.cancelled_at or row.expires_at)
