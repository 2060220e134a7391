"""The emergencies section of the summary report: overrides that reached boards of the unit's
territory in the period, and how they were delivered (from the boards' own acknowledgements).

An override counts when it was confirmed in the period and either was issued within the territory
or reached one of its boards (a province or CAP alert covering a commune shows in the commune's
report too). Delivery counts boards of the territory only.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from signage_server.models import Board, Override, OverrideReceipt
from signage_server.reports.summary import ReportScope


def emergency_section(session: Session, scope: ReportScope) -> dict[str, int]:
    boards = set(session.exec(select(Board.id).where(col(Board.unit_id).in_(scope.unit_ids))).all())
    confirmed = session.exec(
        select(Override).where(
            col(Override.confirmed_at).is_not(None),
            col(Override.confirmed_at) >= scope.start,
            col(Override.confirmed_at) < scope.end,
        )
    ).all()
    ids = [o.id for o in confirmed if o.id is not None]
    receipts = (
        session.exec(select(OverrideReceipt).where(col(OverrideReceipt.override_id).in_(ids))).all()
        if ids
        else []
    )
    reached = {r.override_id for r in receipts if r.board_id in boards}
    counted = [o for o in confirmed if o.unit_id in scope.unit_ids or o.id in reached]
    local = [r for r in receipts if r.board_id in boards and r.override_id in {o.id for o in counted}]
    section: dict[str, int] = {
        "issued": len(counted),
        "from_cap": sum(1 for o in counted if o.cap_sender),
        "cancelled": sum(1 for o in counted if o.cancelled_at is not None),
        "board_receipts": len(local),
        "received": sum(1 for r in local if r.received_at is not None),
        "displayed": sum(1 for r in local if r.displayed_at is not None),
    }
    for level in range(1, 6):
        section[f"risk_level_{level}"] = sum(1 for o in counted if o.risk_level == level)
    return section
