"""The unit tree as its users see it: browse within scope, add villages, apply reorganisations.

Every function takes the acting user; a unit outside their subtree answers ``unit.not_found``.
Writes are audited with the actor's address and announce the units (and boards) they touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, SQLModel, col, func, select

from signage_server.core import audit, roles
from signage_server.core.auth import ensure_in_scope, in_scope, not_found, require_role
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict, Invalid
from signage_server.models import (
    AdminUnit,
    Board,
    Bulletin,
    Media,
    Playlist,
    Schedule,
    UnitLevel,
    UnitLineage,
    User,
)
from signage_server.schemas import ReorganiseRequest, SplitRequest, VillageCreate
from signage_server.units.service import (
    Reorganisation,
    SplitAssignments,
    ancestor_ids,
    reorganise,
    split_unit,
    subtree_ids,
    valid_at,
)


def get_unit(session: Session, *, actor: User, unit_id: int) -> AdminUnit:
    unit = session.get(AdminUnit, unit_id)
    if unit is None or not in_scope(session, actor, unit_id):
        raise not_found("unit", unit_id)
    return unit


def children(session: Session, *, actor: User, unit_id: int, at: date | None = None) -> list[AdminUnit]:
    """Direct children valid on ``at`` (default today)."""
    get_unit(session, actor=actor, unit_id=unit_id)
    rows = session.exec(
        select(AdminUnit)
        .where(AdminUnit.parent_id == unit_id, valid_at(at or date.today()))
        .order_by(col(AdminUnit.code))
    ).all()
    return list(rows)


def subtree(session: Session, *, actor: User, unit_id: int, at: date | None = None) -> list[AdminUnit]:
    """The unit and every descendant valid on ``at`` (default today)."""
    get_unit(session, actor=actor, unit_id=unit_id)
    ids = subtree_ids(session, unit_id, at or date.today())
    rows = session.exec(select(AdminUnit).where(col(AdminUnit.id).in_(ids)).order_by(col(AdminUnit.id))).all()
    return list(rows)


def ancestors(session: Session, *, actor: User, unit_id: int) -> list[AdminUnit]:
    """The unit and its parents up to the actor's own unit, nearest first."""
    get_unit(session, actor=actor, unit_id=unit_id)
    chain = ancestor_ids(session, unit_id)
    visible = chain[: chain.index(actor.unit_id) + 1]
    return [unit for uid in visible if (unit := session.get(AdminUnit, uid)) is not None]


def lineage(session: Session, *, actor: User, unit_id: int) -> list[UnitLineage]:
    """Reorganisation edges into and out of this unit."""
    get_unit(session, actor=actor, unit_id=unit_id)
    rows = session.exec(
        select(UnitLineage).where(
            (UnitLineage.from_unit_id == unit_id) | (UnitLineage.to_unit_id == unit_id)
        ).order_by(col(UnitLineage.effective))
    ).all()
    return list(rows)


def create_village(session: Session, *, actor: User, ip: str, changes: ChangeFeed, unit_id: int,
                   body: VillageCreate) -> AdminUnit:
    """Add a village (thôn, tổ dân phố, ...) under a current commune."""
    require_role(actor, roles.EDITORS)
    commune = get_unit(session, actor=actor, unit_id=unit_id)
    if commune.level != UnitLevel.COMMUNE or commune.valid_to is not None:
        raise Invalid("unit.not_a_commune",
                      f"unit {unit_id} is not a current commune; villages belong under a commune",
                      unit_id=unit_id)
    count = session.exec(
        select(func.count()).select_from(AdminUnit).where(AdminUnit.parent_id == unit_id)
    ).one()
    village = AdminUnit(
        code=body.code or f"{commune.code}-{count + 1:02d}",
        level=UnitLevel.VILLAGE,
        name=body.name,
        division_type=body.division_type,
        parent_id=unit_id,
        valid_from=body.valid_from or date.today(),
    )
    session.add(village)
    session.flush()
    audit.record_as(session, actor, ip, "create", "unit", village.id, unit_id=village.id,
                    after=audit.snapshot(village))
    session.commit()
    session.refresh(village)
    assert village.id is not None
    changes.publish(Change(units=frozenset({village.id})))
    return village


def apply_reorganisation(session: Session, *, actor: User, ip: str, changes: ChangeFeed,
                         body: ReorganiseRequest) -> Reorganisation:
    """Merge units into an existing unit or a new one; boards, children, users and content follow."""
    require_role(actor, roles.ADMINS)
    into = [body.into_id] if body.into_id is not None else []
    for unit_id in [*body.from_ids, *into]:
        ensure_in_scope(session, actor, unit_id)
    result = reorganise(session, body.from_ids, body.effective, into_id=body.into_id,
                        new_code=body.new_code, new_name=body.new_name, note=body.note)
    for unit_id in body.from_ids:
        audit.record_as(session, actor, ip, "reorganise", "unit", unit_id, unit_id=unit_id,
                        after={**body.model_dump(mode="json"), "new_unit_ids": list(result.new_unit_ids),
                               "retired_unit_ids": list(result.retired_unit_ids)})
    session.commit()
    involved = {*result.new_unit_ids, *result.retired_unit_ids, *([body.into_id] if body.into_id else [])}
    changes.publish(Change(units=frozenset(involved), boards=frozenset(result.board_ids)))
    return result


def villages(session: Session, *, actor: User, unit_id: int) -> list[AdminUnit]:
    """The current villages of a commune, by name."""
    get_unit(session, actor=actor, unit_id=unit_id)
    rows = session.exec(
        select(AdminUnit).where(AdminUnit.parent_id == unit_id, AdminUnit.level == UnitLevel.VILLAGE,
                                col(AdminUnit.valid_to).is_(None)).order_by(col(AdminUnit.name))
    ).all()
    return list(rows)


def _village(session: Session, actor: User, village_id: int) -> AdminUnit:
    require_role(actor, roles.EDITORS)
    village = get_unit(session, actor=actor, unit_id=village_id)
    if village.level != UnitLevel.VILLAGE or village.valid_to is not None:
        raise not_found("village", village_id)
    return village


def rename_village(session: Session, *, actor: User, ip: str, changes: ChangeFeed, village_id: int,
                   name: str, division_type: str) -> AdminUnit:
    """Correct a village's name or kind in place (villages are the users' own records, not the
    official list: a renaming by resolution is a reorganisation instead)."""
    village = _village(session, actor, village_id)
    body = VillageCreate(name=name, division_type=division_type)
    before = audit.snapshot(village)
    village.name, village.division_type = body.name, body.division_type
    session.add(village)
    audit.record_as(session, actor, ip, "rename", "unit", village_id, unit_id=village_id, before=before,
                    after=audit.snapshot(village))
    session.commit()
    session.refresh(village)
    changes.publish(Change(units=frozenset({village_id})))
    return village


def village_uses(session: Session, village_id: int) -> dict[str, int]:
    """What still belongs to or aims at a village: boards, users, content, schedules, sub-units."""
    counts: dict[str, int] = {}
    for label, model, column in (("boards", Board, Board.unit_id), ("users", User, User.unit_id),
                                 ("bulletins", Bulletin, Bulletin.unit_id), ("media", Media, Media.unit_id),
                                 ("playlists", Playlist, Playlist.unit_id),
                                 ("schedules", Schedule, Schedule.unit_id),
                                 ("targeting_schedules", Schedule, Schedule.target_unit_id),
                                 ("units", AdminUnit, AdminUnit.parent_id)):
        n = session.exec(select(func.count()).select_from(model).where(column == village_id)).one()
        if n:
            counts[label] = int(n)
    return counts


def remove_village(session: Session, *, actor: User, ip: str, changes: ChangeFeed, village_id: int,
                   on: date) -> None:
    """Retire a village from ``on`` (its history stays); ``unit.in_use`` while anything belongs to
    it or a schedule aims at it, naming what."""
    village = _village(session, actor, village_id)
    uses = village_uses(session, village_id)
    if uses:
        raise Conflict("unit.in_use", f"village {village.name!r} is in use: {uses}", name=village.name,
                       **{f"n_{k}": v for k, v in uses.items()})
    before = audit.snapshot(village)
    village.valid_to = max(on, village.valid_from + timedelta(days=1))
    session.add(village)
    audit.record_as(session, actor, ip, "remove", "unit", village_id, unit_id=village_id, before=before,
                    after=audit.snapshot(village))
    session.commit()
    changes.publish(Change(units=frozenset({village_id})))


@dataclass(frozen=True)
class UnitMove:
    """What one old unit hands to the unit that replaces it (the preview of a reorganisation)."""

    unit: AdminUnit
    boards: list[str]
    child_units: list[str]
    users: int
    content: int  # media, bulletins, playlists, schedules (and schedules aimed at it)


@dataclass(frozen=True)
class ReorganisationPreview:
    moves: list[UnitMove]
    into: AdminUnit | None  # None: a new unit (``new_name``, ``new_code``)


def _count(session: Session, model: type[SQLModel], column: object, unit_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(column == unit_id)).one())


def preview_reorganisation(session: Session, *, actor: User,
                           body: ReorganiseRequest) -> ReorganisationPreview:
    """What a reorganisation would move, checked as ``apply_reorganisation`` checks it (role, scope,
    units valid on the date, not into itself); nothing is written."""
    require_role(actor, roles.ADMINS)
    into = None if body.into_id is None else get_unit(session, actor=actor, unit_id=body.into_id)
    if body.into_id is not None and body.into_id in body.from_ids:
        raise Invalid("unit.into_itself", "a unit cannot be merged into itself")
    moves = []
    for unit_id in dict.fromkeys(body.from_ids):
        unit = get_unit(session, actor=actor, unit_id=unit_id)
        _check_valid_on(unit, body.effective)
        boards = session.exec(select(Board.name).where(Board.unit_id == unit_id)
                               .order_by(col(Board.name))).all()
        children = session.exec(select(AdminUnit.name).where(
            AdminUnit.parent_id == unit_id, valid_at(body.effective)).order_by(col(AdminUnit.name))).all()
        content = sum(_count(session, m, m.unit_id, unit_id) for m in (Media, Bulletin, Playlist, Schedule))
        content += _count(session, Schedule, Schedule.target_unit_id, unit_id)
        users = _count(session, User, User.unit_id, unit_id)
        moves.append(UnitMove(unit, list(boards), list(children), users, content))
    if into is not None:
        _check_valid_on(into, body.effective)
    return ReorganisationPreview(moves, into)


def _check_valid_on(unit: AdminUnit, effective: date) -> None:
    if (unit.valid_to is not None and unit.valid_to <= effective) or unit.valid_from >= effective:
        raise Invalid("unit.not_valid_on", f"unit {unit.id} ({unit.name}) is not valid on {effective}",
                      name=unit.name, effective=effective.strftime("%d/%m/%Y"))


# --- splitting one unit into several ------------------------------------------------------------

@dataclass(frozen=True)
class SplitContents:
    """What the unit to split holds on the date: what the admin hands to each new unit."""

    unit: AdminUnit
    boards: list[Board]
    users: list[User]
    children: list[AdminUnit]
    content: int  # media, bulletins, playlists, schedules: they go to the first new unit


def split_contents(session: Session, *, actor: User, unit_id: int, effective: date) -> SplitContents:
    """The unit's boards, accounts and units below (valid on the date), checked as ``split`` checks."""
    require_role(actor, roles.ADMINS)
    unit = get_unit(session, actor=actor, unit_id=unit_id)
    _check_valid_on(unit, effective)
    boards = session.exec(select(Board).where(Board.unit_id == unit_id).order_by(col(Board.name))).all()
    users = session.exec(select(User).where(User.unit_id == unit_id).order_by(col(User.username))).all()
    children = session.exec(select(AdminUnit).where(AdminUnit.parent_id == unit_id, valid_at(effective))
                            .order_by(col(AdminUnit.name))).all()
    content = sum(_count(session, m, m.unit_id, unit_id) for m in (Media, Bulletin, Playlist, Schedule))
    return SplitContents(unit, list(boards), list(users), list(children), content)


def _check_split(session: Session, contents: SplitContents, body: SplitRequest) -> None:
    """Every id named belongs to the unit, every part exists, no new code is in use on the date."""
    held = {"boards": {b.id for b in contents.boards}, "users": {u.id for u in contents.users},
            "villages": {c.id for c in contents.children}}
    for kind, given in (("boards", body.boards), ("users", body.users), ("villages", body.villages)):
        for ident, index in given.items():
            if ident not in held[kind] or index >= len(body.parts):
                raise Invalid("unit.split_foreign", f"{kind} {ident} is not part of {contents.unit.name} "
                              f"or part {index + 1} does not exist", name=contents.unit.name)
    for part in body.parts:
        taken = session.exec(select(AdminUnit.id).where(AdminUnit.code == part.code,
                                                        valid_at(body.effective))).first()
        if taken is not None:
            raise Conflict("unit.code_taken", f"a unit with code {part.code} exists on {body.effective}",
                           unit_code=part.code)


def preview_split(session: Session, *, actor: User, body: SplitRequest) -> SplitContents:
    """The checks of ``split`` with nothing written; answers what the unit holds."""
    contents = split_contents(session, actor=actor, unit_id=body.from_id, effective=body.effective)
    _check_split(session, contents, body)
    return contents


def split(session: Session, *, actor: User, ip: str, changes: ChangeFeed,
          body: SplitRequest) -> Reorganisation:
    """Split a unit of the admin's scope into new units from a date; boards, users and villages go
    where the admin says, the rest (and the content) to the first new unit."""
    preview_split(session, actor=actor, body=body)
    result = split_unit(session, body.from_id, [(p.code, p.name) for p in body.parts], body.effective,
                        assigned=SplitAssignments(dict(body.boards), dict(body.users), dict(body.villages)),
                        note=body.note)
    audit.record_as(session, actor, ip, "split", "unit", body.from_id, unit_id=body.from_id,
                    after={"effective": body.effective.isoformat(), "note": body.note,
                           "new_unit_ids": list(result.new_unit_ids),
                           "retired_unit_ids": list(result.retired_unit_ids)})
    session.commit()
    changes.publish(Change(units=frozenset({*result.new_unit_ids, body.from_id}),
                           boards=frozenset(result.board_ids)))
    return result
