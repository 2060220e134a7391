"""Power and brightness schedules of boards and units (``signage_contract.power``).

A board's own schedule wins; a board without one takes its nearest unit's up the tree (its commune's,
then its province's); with none anywhere its screen stays on at full brightness. Admins and
approvers of a unit set the schedules of its subtree; everyone in scope reads them. Every write is
audited and recomposes the boards it reaches, so the schedule travels in their signed manifests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session, col, select

from signage_contract.power import PowerSchedule
from signage_server.core import audit, roles
from signage_server.core.auth import ensure_in_scope, get_in_scope, require_role
from signage_server.core.changes import Change, ChangeFeed
from signage_server.models import Board, PowerScheduleRow, User, utcnow
from signage_server.units.tree import UnitTree

OBJECT_TYPE = "power_schedule"


@dataclass(frozen=True)
class PowerSettings:
    """What a board or unit has: its own schedule, what it would inherit, and what applies."""

    own: PowerSchedule | None
    inherited: PowerSchedule | None
    inherited_from_unit_id: int | None

    @property
    def effective(self) -> PowerSchedule | None:
        return self.own if self.own is not None else self.inherited


def _parse(row: PowerScheduleRow | None) -> PowerSchedule | None:
    if row is None:
        return None
    try:
        return PowerSchedule.model_validate(row.schedule)
    except ValidationError:  # a row written by a newer contract: treat as none rather than fail
        return None


def _unit_rows(session: Session, unit_ids: Iterable[int]) -> dict[int, PowerScheduleRow]:
    ids = list(set(unit_ids))
    rows = session.exec(select(PowerScheduleRow).where(col(PowerScheduleRow.unit_id).in_(ids))).all()
    return {r.unit_id: r for r in rows if r.unit_id is not None}


def _inherited(rows: Mapping[int, PowerScheduleRow],
               chain: Sequence[int]) -> tuple[PowerSchedule | None, int | None]:
    for unit_id in chain:
        schedule = _parse(rows.get(unit_id))
        if schedule is not None:
            return schedule, unit_id
    return None, None


def effective_for_chains(session: Session,
                         boards: Mapping[int, Sequence[int]]) -> dict[int, PowerSchedule | None]:
    """board id -> the schedule that applies, given each board's unit chain (own unit first)."""
    own = {r.board_id: r for r in session.exec(
        select(PowerScheduleRow).where(col(PowerScheduleRow.board_id).in_(list(boards)))).all()
        if r.board_id is not None}
    units = _unit_rows(session, (u for chain in boards.values() for u in chain))
    result: dict[int, PowerSchedule | None] = {}
    for board_id, chain in boards.items():
        mine = _parse(own.get(board_id))
        result[board_id] = mine if mine is not None else _inherited(units, chain)[0]
    return result


def effective_for_boards(session: Session, boards: Iterable[Board]) -> dict[int, PowerSchedule | None]:
    """board id -> the schedule that applies now (the unit tree as it stands)."""
    rows = [b for b in boards if b.id is not None]
    tree = UnitTree.load_ancestors(session, {b.unit_id for b in rows})
    return effective_for_chains(session, {b.id: tree.chain(b.unit_id) for b in rows if b.id is not None})


def board_power(session: Session, *, actor: User, board_id: int) -> PowerSettings:
    board = get_in_scope(session, actor, Board, board_id, "board")
    own = session.exec(select(PowerScheduleRow).where(PowerScheduleRow.board_id == board_id)).first()
    chain = UnitTree.load_ancestors(session, {board.unit_id}).chain(board.unit_id)
    inherited, source = _inherited(_unit_rows(session, chain), chain)
    return PowerSettings(_parse(own), inherited, source)


def unit_power(session: Session, *, actor: User, unit_id: int) -> PowerSettings:
    ensure_in_scope(session, actor, unit_id)
    chain = UnitTree.load_ancestors(session, {unit_id}).chain(unit_id)
    rows = _unit_rows(session, chain)
    inherited, source = _inherited(rows, chain[1:])
    return PowerSettings(_parse(rows.get(unit_id)), inherited, source)


def _write(session: Session, actor: User, ip: str, row: PowerScheduleRow | None, new: PowerScheduleRow,
           schedule: PowerSchedule | None, unit_id: int | None) -> None:
    before = audit.snapshot(row) if row is not None else None
    if schedule is None:
        if row is None:
            return
        session.delete(row)
        audit.record_as(session, actor, ip, "delete", OBJECT_TYPE, row.id, unit_id=unit_id, before=before)
        return
    target = row if row is not None else new
    target.schedule = schedule.model_dump(mode="json")
    target.updated_at, target.updated_by = utcnow(), actor.id
    session.add(target)
    session.flush()
    audit.record_as(session, actor, ip, "update" if row is not None else "create", OBJECT_TYPE, target.id,
                    unit_id=unit_id, before=before, after=audit.snapshot(target))


def set_board_power(session: Session, *, actor: User, ip: str, changes: ChangeFeed, board_id: int,
                    schedule: PowerSchedule | None) -> PowerSettings:
    """Set (None: remove, so the unit's applies) the board's own schedule."""
    require_role(actor, roles.REVIEWERS)
    board = get_in_scope(session, actor, Board, board_id, "board")
    row = session.exec(select(PowerScheduleRow).where(PowerScheduleRow.board_id == board_id)).first()
    _write(session, actor, ip, row, PowerScheduleRow(board_id=board_id), schedule, board.unit_id)
    session.commit()
    changes.publish(Change(boards=frozenset({board_id})))
    return board_power(session, actor=actor, board_id=board_id)


def set_unit_power(session: Session, *, actor: User, ip: str, changes: ChangeFeed, unit_id: int,
                   schedule: PowerSchedule | None) -> PowerSettings:
    """Set (None: remove) the unit's schedule, inherited by its subtree's boards without their own."""
    require_role(actor, roles.REVIEWERS)
    ensure_in_scope(session, actor, unit_id)
    row = session.exec(select(PowerScheduleRow).where(PowerScheduleRow.unit_id == unit_id)).first()
    _write(session, actor, ip, row, PowerScheduleRow(unit_id=unit_id), schedule, unit_id)
    session.commit()
    changes.publish(Change(units=frozenset({unit_id})))
    return unit_power(session, actor=actor, unit_id=unit_id)
