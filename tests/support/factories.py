"""Factories shared by tests: rows with sensible defaults and users with ready headers.

The fixtures built on them (``tree``, ``users``, ``make_board``) live in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from signage_server.core.auth import issue_token
from signage_server.models import AdminUnit, Board, Role, TokenKind, UnitLevel, User

TEST_PASSWORD = "correct horse battery"

BoardFactory = Callable[..., Board]


@dataclass(frozen=True)
class UnitTree:
    province: int
    commune_a: int
    commune_b: int
    village_a: int


def add_unit(session: Session, code: str, level: UnitLevel, name: str, parent: int | None) -> int:
    unit = AdminUnit(code=code, level=level, name=name, parent_id=parent, valid_from=date(2025, 7, 1))
    session.add(unit)
    session.commit()
    assert unit.id is not None
    return unit.id


@dataclass(frozen=True)
class ApiUser:
    id: int
    username: str
    role: Role
    unit_id: int
    headers: dict[str, str]


def make_user(session: Session, username: str, role: Role, unit_id: int, password_hash: str) -> ApiUser:
    user = User(username=username, role=role, unit_id=unit_id, password_hash=password_hash)
    session.add(user)
    session.commit()
    token, _row = issue_token(session, user, TokenKind.SESSION, "test", None)
    assert user.id is not None
    return ApiUser(user.id, username, role, unit_id, {"Authorization": f"Bearer {token}"})
