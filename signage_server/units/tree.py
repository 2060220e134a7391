"""The administrative tree as of one date, held in memory for composing many boards at once.

About 3,400 units per country (plus villages) fit in a few dictionaries; loading them once per
recomposition is cheaper than a recursive query per board.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session, col, or_, select

from signage_server.models import AdminUnit


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

    @classmethod
    def load_ancestors(cls, session: Session, unit_ids: Iterable[int]) -> UnitTree:
        """Only the given units and their ancestors (enough for ``chain``), in one recursive query."""
        ids = sorted(set(unit_ids))
        if not ids:
            return cls(parent={}, children={})
        placeholders = ", ".join(f":u{i}" for i in range(len(ids)))
        statement = text(
            "WITH RECURSIVE up(id, parent_id) AS ("
            f" SELECT id, parent_id FROM admin_unit WHERE id IN ({placeholders})"
            " UNION SELECT a.id, a.parent_id FROM admin_unit a JOIN up ON a.id = up.parent_id"
            ") SELECT id, parent_id FROM up"
        ).bindparams(**{f"u{i}": unit_id for i, unit_id in enumerate(ids)})
        rows = session.connection().execute(statement).all()
        return cls(parent={row[0]: row[1] for row in rows}, children={})

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
