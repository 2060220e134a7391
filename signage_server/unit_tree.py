"""The administrative tree as of one date, held in memory for composing many boards at once.

About 3,400 units per country (plus villages) fit in a few dictionaries; loading them once per
recomposition is cheaper than a recursive query per board.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, or_, select

from .models import AdminUnit


@dataclass(frozen=True)
class UnitTree:
    parent: dict[int, int | None]
    children: dict[int, tuple[int, ...]]

    @classmethod
    def load(cls, session: Session, on: date) -> UnitTree:
        rows = session.exec(
            select(AdminUnit.id, AdminUnit.parent_id).where(
                AdminUnit.valid_from <= on,
                or_(col(AdminUnit.valid_to).is_(None), col(AdminUnit.valid_to) > on),
            )
        ).all()
        parent: dict[int, int | None] = {}
        children: dict[int, list[int]] = {}
        for unit_id, parent_id in rows:
            assert unit_id is not None
            parent[unit_id] = parent_id
            if parent_id is not None:
                children.setdefault(parent_id, []).append(unit_id)
        return cls(parent=parent, children={k: tuple(v) for k, v in children.items()})

    def chain(self, unit_id: int) -> tuple[int, ...]:
        """The unit, its parent, ... up to the province (nearest first)."""
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent.get(current)
        return tuple(chain)

    def subtree(self, roots: Iterable[int]) -> set[int]:
        seen: set[int] = set()
        stack = list(roots)
        while stack:
            unit_id = stack.pop()
            if unit_id in seen:
                continue
            seen.add(unit_id)
            stack.extend(self.children.get(unit_id, ()))
        return seen
