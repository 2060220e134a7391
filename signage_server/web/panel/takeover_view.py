"""How an emergency's boards are shown to its operator when there are thousands of them.

A province-wide emergency takes over every board of the province: the confirmation page listed
10,000 board names, and the delivery table, fetched again every 2 s while the page is open, had a
row per board (about 1 MB of HTML a time, for a browser to lay out again). Above a few dozen boards
the confirmation shows how many boards each unit has instead, and the delivery table lists the
boards that need attention first (unreachable, then pending, then delivered but not yet shown), up
to ``STATUS_ROWS``; the counts above it always cover every board. The API still answers with every
board (``/api/overrides/{id}/status``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from signage_server.emergency.schemas import BoardDelivery, BoardTargetPublic, OverrideStatusPublic
from signage_server.models import AdminUnit

NAMES_LISTED = 30  # boards named one by one on the confirmation; more: counted per unit
UNITS_LISTED = 30  # units named with their count; the rest are summed
STATUS_ROWS = 50  # delivery rows shown; the counts cover every board
ATTENTION = {"unreachable": 0, "pending": 1, "delivered": 2, "displayed": 3}


@dataclass(frozen=True)
class UnitCount:
    name: str
    boards: int


@dataclass(frozen=True)
class Takeover:
    """The boards of ``o.boards`` as the confirmation shows them: by name, or counted per unit."""

    names: list[str]  # when there are few
    units: list[UnitCount]  # when there are many: the units with most boards first
    other_units: int = 0  # units beyond ``units``
    other_boards: int = 0  # and their boards


def takeover(session: Session, boards: Sequence[BoardTargetPublic]) -> Takeover:
    if len(boards) <= NAMES_LISTED:
        return Takeover(names=[b.name for b in boards], units=[])
    per_unit = Counter(b.unit_id for b in boards)
    query = select(AdminUnit.id, AdminUnit.name).where(col(AdminUnit.id).in_(per_unit))
    names = dict(session.exec(query).all())
    counted = sorted((UnitCount(names.get(unit, "?"), n) for unit, n in per_unit.items()),
                     key=lambda u: (-u.boards, u.name))
    shown, rest = counted[:UNITS_LISTED], counted[UNITS_LISTED:]
    return Takeover(names=[], units=shown, other_units=len(rest), other_boards=sum(u.boards for u in rest))


@dataclass(frozen=True)
class StatusRows:
    rows: list[BoardDelivery]
    not_listed: int  # boards counted above the table but not in it


def status_rows(status: OverrideStatusPublic) -> StatusRows:
    """The boards that need attention first, at most ``STATUS_ROWS`` of them."""
    ordered = sorted(status.boards, key=lambda b: (ATTENTION[b.status], _natural(b.name)))
    return StatusRows(ordered[:STATUS_ROWS], max(0, len(ordered) - STATUS_ROWS))


def _natural(name: str) -> tuple[tuple[int, int | str], ...]:
    """"Bảng 2" before "Bảng 10": the numbers in a name compared as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name) if part)
