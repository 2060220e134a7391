"""Intake sources managed by admins: which system account an upstream system sends bulletins as,
and the units whose approval it skips (trusted: its bulletins for them are approved at once).

The account must be an editor of the admin's scope (publishing needs it); its API tokens are
issued and revoked as any account's (``core/api_tokens.py``). A trusted unit must lie within both
the admin's scope and the account's. Writes are audited under the object type ``intake_source``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from signage_server.core import audit, roles
from signage_server.core.auth import in_scope, not_found, require_role
from signage_server.core.errors import Conflict, Invalid
from signage_server.core.users import get_user, list_users
from signage_server.models import AdminUnit, IntakeSource, User, utcnow
from signage_server.schemas import Strict
from signage_server.units.service import is_within

OBJECT = "intake_source"
SourceName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$",
                                  description="lower-case letters, digits, . _ -; stored on its bulletins")]
UnitIds = Annotated[list[int], Field(max_length=200)]


class IntakeSourceCreate(Strict):
    name: SourceName
    user_id: Annotated[int, Field(description="the system account (an editor) it sends as")]
    trusted_unit_ids: UnitIds = Field(default_factory=list)


class IntakeSourceUpdate(Strict):
    trusted_unit_ids: UnitIds | None = None
    active: bool | None = None


class IntakeSourcePublic(BaseModel):
    id: int
    name: str
    user_id: int
    username: str
    unit_id: int  # the account's unit: the scope the source reaches
    trusted_unit_ids: list[int]
    active: bool
    created_at: datetime
    updated_at: datetime


def public(row: IntakeSource, owner: User) -> IntakeSourcePublic:
    return IntakeSourcePublic.model_validate(
        {**row.model_dump(), "username": owner.username, "unit_id": owner.unit_id})


def list_sources(session: Session, *, actor: User) -> list[IntakeSourcePublic]:
    """The sources whose account is in the admin's scope, by name."""
    owners = {u.id: u for u in list_users(session, actor=actor)}
    rows = session.exec(select(IntakeSource).where(col(IntakeSource.user_id).in_(list(owners)))
                        .order_by(col(IntakeSource.name))).all()
    return [public(r, owners[r.user_id]) for r in rows]


def _fetch(session: Session, actor: User, source_id: int) -> tuple[IntakeSource, User]:
    require_role(actor, roles.ADMINS)
    row = session.get(IntakeSource, source_id)
    owner = None if row is None else session.get(User, row.user_id)
    if row is None or owner is None or not in_scope(session, actor, owner.unit_id):
        raise not_found("intake source", source_id)
    return row, owner


def get_source(session: Session, *, actor: User, source_id: int) -> IntakeSourcePublic:
    return public(*_fetch(session, actor, source_id))


def _check_units(session: Session, actor: User, owner: User, unit_ids: list[int]) -> list[int]:
    for unit_id in unit_ids:
        if (session.get(AdminUnit, unit_id) is None or not in_scope(session, actor, unit_id)
                or not is_within(session, owner.unit_id, unit_id)):
            raise Invalid("intake_source.unit_out_of_scope",
                          f"trusted_unit_ids: unit {unit_id} is not within the account's scope",
                          id=str(unit_id))
    return sorted(set(unit_ids))


def create_source(session: Session, *, actor: User, ip: str, data: IntakeSourceCreate) -> IntakeSourcePublic:
    """Register an upstream system sending as an editor account of the admin's scope."""
    require_role(actor, roles.ADMINS)
    owner = get_user(session, actor=actor, user_id=data.user_id)
    if owner.role not in roles.EDITORS or not owner.active:
        raise Invalid("intake_source.account_not_editor",
                      "user_id: the system account must be an active editor", user=owner.username)
    if session.exec(select(IntakeSource).where(IntakeSource.name == data.name)).first() is not None:
        raise Conflict("intake_source.name_taken", f"an intake source is already named {data.name}",
                       name=data.name)
    if session.exec(select(IntakeSource).where(IntakeSource.user_id == owner.id)).first() is not None:
        raise Conflict("intake_source.account_taken",
                       f"{owner.username} already sends for another intake source", user=owner.username)
    assert owner.id is not None
    row = IntakeSource(name=data.name, user_id=owner.id,
                       trusted_unit_ids=_check_units(session, actor, owner, data.trusted_unit_ids))
    session.add(row)
    session.flush()
    audit.record_as(session, actor, ip, "create", OBJECT, row.id, unit_id=owner.unit_id,
                    after=row.model_dump(mode="json"))
    session.commit()
    session.refresh(row)
    return public(row, owner)


def update_source(
    session: Session, *, actor: User, ip: str, source_id: int, data: IntakeSourceUpdate
) -> IntakeSourcePublic:
    """Change the units that trust a source, or pause it (``active`` false refuses its sends)."""
    row, owner = _fetch(session, actor, source_id)
    before = row.model_dump(mode="json")
    if data.trusted_unit_ids is not None:
        row.trusted_unit_ids = _check_units(session, actor, owner, data.trusted_unit_ids)
    if data.active is not None:
        row.active = data.active
    row.updated_at = utcnow()
    session.add(row)
    audit.record_as(session, actor, ip, "update", OBJECT, row.id, unit_id=owner.unit_id,
                    before=before, after=row.model_dump(mode="json"))
    session.commit()
    session.refresh(row)
    return public(row, owner)
