"""Administrative units: seeding the official 2025 list, subtree queries, reorganisations.

Units are effective-dated (``valid_to`` exclusive) and linked by ``parent_id``; a reorganisation
closes old units, hands their boards, children, users and content to the unit that replaces them
and records ``UnitLineage`` edges, so history can still name the unit valid at the time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import func, literal, or_, update
from sqlmodel import Session, col, select

from signage_contract import nfc
from signage_contract.timezone import LOCAL_ZONE
from signage_server.models import (
    AdminUnit,
    Board,
    BoardUnitHistory,
    Bulletin,
    LayoutRecord,
    LineageKind,
    Media,
    Playlist,
    Schedule,
    UnitLevel,
    UnitLineage,
    User,
    utcnow,
)

REFORM_DATE = date(2025, 7, 1)  # Resolution 202/2025/QH15: 34 provinces, no district level


class UnitError(ValueError):
    """A reorganisation or unit lookup that cannot be applied; the message says why."""


def official_divisions_path() -> Path:
    import vietnam_provinces

    return Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH)


def seed_units(session: Session, source: Path | None = None, valid_from: date = REFORM_DATE) -> int:
    """Insert the official provinces and commune-level units; returns how many rows were added.

    Idempotent: a unit whose (level, code, valid_from) already exists is skipped. Codes are the
    official ones, zero-padded (provinces 2 digits, communes 5 digits).
    """
    data: list[dict[str, Any]] = json.loads((source or official_divisions_path()).read_text("utf-8"))
    rows = session.exec(
        select(AdminUnit.level, AdminUnit.code, AdminUnit.id).where(AdminUnit.valid_from == valid_from)
    ).all()
    existing = {(UnitLevel(level), code): unit_id for level, code, unit_id in rows}
    added = 0
    for province in data:
        code = f"{int(province['code']):02d}"
        province_id = existing.get((UnitLevel.PROVINCE, code))
        if province_id is None:
            unit = _seed_unit(UnitLevel.PROVINCE, code, province, None, valid_from)
            session.add(unit)
            session.flush()
            province_id = unit.id
            added += 1
        for ward in province.get("wards", []):
            ward_code = f"{int(ward['code']):05d}"
            if (UnitLevel.COMMUNE, ward_code) not in existing:
                session.add(_seed_unit(UnitLevel.COMMUNE, ward_code, ward, province_id, valid_from))
                added += 1
    session.commit()
    return added


def _seed_unit(
    level: UnitLevel, code: str, row: dict[str, Any], parent_id: int | None, valid_from: date
) -> AdminUnit:
    return AdminUnit(
        code=code,
        level=level,
        name=nfc(str(row["name"])),
        division_type=nfc(str(row.get("division_type", ""))),
        parent_id=parent_id,
        valid_from=valid_from,
    )


def seed_if_empty(session: Session) -> int:
    if session.exec(select(func.count()).select_from(AdminUnit)).one():
        return 0
    return seed_units(session)


def valid_at(at: date) -> Any:
    """SQL condition: the unit exists on ``at``."""
    return (col(AdminUnit.valid_from) <= at) & or_(
        col(AdminUnit.valid_to).is_(None), col(AdminUnit.valid_to) > at
    )


def subtree_ids(session: Session, unit_id: int, at: date | None = None) -> list[int]:
    """``unit_id`` and every descendant (recursive CTE; SQLite and PostgreSQL alike).

    With ``at``, only descendants valid on that date are followed; without it, retired units are
    included too, so access scopes still cover the history of merged communes.
    """
    base = select(AdminUnit.id).where(AdminUnit.id == unit_id)
    tree = base.cte("tree", recursive=True)
    step = select(AdminUnit.id).join(tree, col(AdminUnit.parent_id) == tree.c.id)
    if at is not None:
        step = step.where(valid_at(at))
    tree = tree.union_all(step)
    return [int(row) for row in session.exec(select(tree.c.id)).all()]


def ancestor_ids(session: Session, unit_id: int) -> list[int]:
    """``unit_id`` and its ancestors, nearest first."""
    base = select(AdminUnit.id, AdminUnit.parent_id, literal(0).label("depth")).where(
        AdminUnit.id == unit_id
    )
    chain = base.cte("chain", recursive=True)
    step = select(AdminUnit.id, AdminUnit.parent_id, (chain.c.depth + 1).label("depth")).join(
        chain, col(AdminUnit.id) == chain.c.parent_id
    )
    chain = chain.union_all(step)
    return [int(row) for row in session.exec(select(chain.c.id).order_by(chain.c.depth)).all()]


def is_within(session: Session, ancestor_id: int, unit_id: int) -> bool:
    return ancestor_id in ancestor_ids(session, unit_id)


def resolve_unit(session: Session, code_or_id: str, at: date | None = None) -> AdminUnit:
    """A unit by code (valid on ``at``, default today) or, failing that, by numeric id.

    Codes win because codes are what officials quote; write ``id:N`` to force an id.
    """
    text = code_or_id.strip()
    if text.startswith("id:"):
        unit = session.get(AdminUnit, int(text[3:])) if text[3:].isdigit() else None
    else:
        unit = session.exec(
            select(AdminUnit).where(AdminUnit.code == text, valid_at(at or date.today()))
        ).first()
        if unit is None and text.isdigit():
            unit = session.get(AdminUnit, int(text))
    if unit is None:
        raise UnitError(f"no administrative unit with code or id {code_or_id!r}")
    return unit


def local_midnight_utc(day: date) -> datetime:
    """The instant a local date begins in Asia/Ho_Chi_Minh, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE).astimezone(UTC)


@dataclass(frozen=True)
class Reorganisation:
    """What a reorganisation did, for the change feed and the caller's report."""

    new_unit_ids: tuple[int, ...]
    retired_unit_ids: tuple[int, ...]
    board_ids: tuple[int, ...]


def rehome_board(session: Session, board: Board, unit_id: int, at: datetime) -> None:
    """Move a board to another unit, closing its open history row and opening a new one."""
    assert board.id is not None
    open_rows = session.exec(
        select(BoardUnitHistory).where(
            BoardUnitHistory.board_id == board.id, col(BoardUnitHistory.valid_to).is_(None)
        )
    ).all()
    reopened = False
    for row in open_rows:
        if row.valid_from >= at:
            # Retroactive change to a board placed after the date: it belonged to the new unit all along.
            row.unit_id, reopened = unit_id, True
        else:
            row.valid_to = at
        session.add(row)
    if not reopened:
        session.add(BoardUnitHistory(board_id=board.id, unit_id=unit_id, valid_from=at))
    board.unit_id = unit_id
    board.updated_at = utcnow()
    session.add(board)


def _load_valid(session: Session, unit_ids: Sequence[int], effective: date) -> list[AdminUnit]:
    units: list[AdminUnit] = []
    for unit_id in unit_ids:
        unit = session.get(AdminUnit, unit_id)
        if unit is None:
            raise UnitError(f"unit {unit_id} does not exist")
        if unit.valid_to is not None and unit.valid_to <= effective:
            raise UnitError(f"unit {unit_id} ({unit.name}) is already retired on {unit.valid_to}")
        if unit.valid_from >= effective:
            raise UnitError(f"unit {unit_id} only starts on {unit.valid_from}, not before {effective}")
        units.append(unit)
    if not units:
        raise UnitError("name at least one unit to reorganise")
    return units


def _hand_over(session: Session, old: AdminUnit, new_id: int, effective: date) -> list[int]:
    """Give an old unit's boards, children, users and content to ``new_id``; retire the old unit."""
    assert old.id is not None
    moved: list[int] = []
    for board in session.exec(select(Board).where(Board.unit_id == old.id)).all():
        rehome_board(session, board, new_id, local_midnight_utc(effective))
        assert board.id is not None
        moved.append(board.id)
    session.exec(
        update(AdminUnit)
        .where(col(AdminUnit.parent_id) == old.id, or_(col(AdminUnit.valid_to).is_(None),
                                                       col(AdminUnit.valid_to) > effective))
        .values(parent_id=new_id)
    )
    for table in (User, Media, Bulletin, Playlist, Schedule, LayoutRecord):
        session.exec(update(table).where(col(table.unit_id) == old.id).values(unit_id=new_id))
    session.exec(
        update(Schedule).where(col(Schedule.target_unit_id) == old.id).values(target_unit_id=new_id)
    )
    old.valid_to = effective
    session.add(old)
    return moved


def reorganise(
    session: Session,
    from_ids: Sequence[int],
    effective: date,
    *,
    into_id: int | None = None,
    new_code: str | None = None,
    new_name: str | None = None,
    note: str = "",
) -> Reorganisation:
    """Merge ``from_ids`` into an existing unit (``into_id``) or a new one (``new_code``, ``new_name``).

    The new unit takes the level and parent of the first old unit. Lineage kind: RENAME when one
    unit becomes one new unit, MERGE otherwise.
    """
    olds = _load_valid(session, from_ids, effective)
    if into_id is not None:
        target = _load_valid(session, [into_id], effective)[0]
        if into_id in from_ids:
            raise UnitError("a unit cannot be merged into itself")
    else:
        if not new_code or not new_name:
            raise UnitError("give either an existing unit to merge into, or a code and a name")
        target = _new_unit(session, olds[0], new_code, new_name, effective)
    assert target.id is not None
    kind = LineageKind.RENAME if len(olds) == 1 and into_id is None else LineageKind.MERGE
    boards: list[int] = []
    for old in olds:
        assert old.id is not None
        boards += _hand_over(session, old, target.id, effective)
        session.add(UnitLineage(kind=kind, from_unit_id=old.id, to_unit_id=target.id,
                                effective=effective, note=nfc(note)))
    session.commit()
    return Reorganisation((target.id,) if into_id is None else (), tuple(from_ids), tuple(boards))


def _new_unit(session: Session, model: AdminUnit, code: str, name: str, effective: date) -> AdminUnit:
    unit = AdminUnit(code=code.strip(), level=model.level, name=nfc(name.strip()),
                     division_type=model.division_type, parent_id=model.parent_id, valid_from=effective)
    session.add(unit)
    session.flush()
    return unit


@dataclass(frozen=True)
class SplitAssignments:
    """Who goes to which new unit of a split, by the part's position (0-based); anything not named
    (and the content: media, bulletins, playlists, schedules) goes to the first part."""

    boards: dict[int, int] = field(default_factory=dict)
    users: dict[int, int] = field(default_factory=dict)
    children: dict[int, int] = field(default_factory=dict)  # villages and other units below


def _assign(session: Session, old: AdminUnit, new_ids: list[int], effective: date,
            assigned: SplitAssignments) -> list[int]:
    """Move the named boards, users and child units of ``old`` to their part; the boards moved."""
    def part(index: int, what: str, ident: int) -> int:
        if not 0 <= index < len(new_ids):
            raise UnitError(f"{what} {ident} is given to part {index + 1}, which does not exist")
        return new_ids[index]

    moved: list[int] = []
    for board_id, index in assigned.boards.items():
        board = session.get(Board, board_id)
        if board is None or board.unit_id != old.id:
            raise UnitError(f"board {board_id} is not a board of unit {old.id}")
        rehome_board(session, board, part(index, "board", board_id), local_midnight_utc(effective))
        moved.append(board_id)
    for user_id, index in assigned.users.items():
        user = session.get(User, user_id)
        if user is None or user.unit_id != old.id:
            raise UnitError(f"user {user_id} is not an account of unit {old.id}")
        user.unit_id = part(index, "user", user_id)
        session.add(user)
    for child_id, index in assigned.children.items():
        child = session.get(AdminUnit, child_id)
        retired = child is not None and child.valid_to is not None and child.valid_to <= effective
        if child is None or child.parent_id != old.id or retired:
            raise UnitError(f"unit {child_id} is not a unit below unit {old.id} on {effective}")
        child.parent_id = part(index, "unit", child_id)
        session.add(child)
    return moved


def split_unit(
    session: Session,
    from_id: int,
    parts: Iterable[tuple[str, str]],
    effective: date,
    board_targets: dict[int, int] | None = None,
    *,
    assigned: SplitAssignments | None = None,
    note: str = "",
) -> Reorganisation:
    """Split one unit into several new ones (``parts`` = (code, name) pairs), from ``effective``.

    The boards, users and child units named in ``assigned`` (or boards in ``board_targets``) go to
    their part; everything else, content included, to the first part. Each new unit has a SPLIT
    lineage edge from the old one, which is retired on the date.
    """
    old = _load_valid(session, [from_id], effective)[0]
    new_units = [_new_unit(session, old, code, name, effective) for code, name in parts]
    if len(new_units) < 2:
        raise UnitError("a split needs at least two new units")
    new_ids = [u.id for u in new_units if u.id is not None]
    given = assigned or SplitAssignments()
    given = SplitAssignments({**given.boards, **(board_targets or {})}, given.users, given.children)
    moved = _assign(session, old, new_ids, effective, given)
    moved += _hand_over(session, old, new_ids[0], effective)
    for new_id in new_ids:
        session.add(UnitLineage(kind=LineageKind.SPLIT, from_unit_id=from_id, to_unit_id=new_id,
                                effective=effective, note=nfc(note)))
    session.commit()
    return Reorganisation(tuple(new_ids), (from_id,), tuple(moved))


def unit_at(session: Session, board_id: int, when: datetime) -> int | None:
    """The unit that owned a board at ``when`` (aware), from its history."""
    row = session.exec(
        select(BoardUnitHistory.unit_id).where(
            BoardUnitHistory.board_id == board_id,
            col(BoardUnitHistory.valid_from) <= when,
            or_(col(BoardUnitHistory.valid_to).is_(None), col(BoardUnitHistory.valid_to) > when),
        )
    ).first()
    return None if row is None else int(row)
