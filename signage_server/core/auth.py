"""Passwords (argon2), bearer tokens (random, stored as sha256) and access scopes.

A user's scope is their unit and its whole subtree. Objects outside it answer 404, as if they did
not exist, so a commune editor cannot learn what another commune holds.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from signage_server.core import roles
from signage_server.core.errors import Forbidden, NotFound
from signage_server.models import ApiToken, Role, TokenKind, User, utcnow
from signage_server.units.service import is_within, subtree_ids

TOKEN_PREFIX = "sgn_"
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps response times alike.
_DUMMY_HASH = _hasher.hash("not a password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    return user


def issue_token(
    session: Session, user: User, kind: TokenKind, name: str, ttl: timedelta | None
) -> tuple[str, ApiToken]:
    """Create a token; the plain value is returned once and only its sha256 is stored."""
    assert user.id is not None
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=hash_token(plain),
        created_at=now,
        expires_at=None if ttl is None else now + ttl,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return plain, row


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    now = now or utcnow()
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now  # at most once a minute: a busy script should not write every call
        session.add(row)
        session.commit()
    return user


def revoke_user_tokens(session: Session, user_id: int) -> None:
    rows = session.exec(
        select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
        session.add(row)


def not_found(what: str, ident: object) -> NotFound:
    """``board 7 not found`` (code ``board.not_found``): also what an object outside scope answers."""
    code = "_".join(what.lower().split()) + ".not_found"
    return NotFound(code, f"{what} {ident} not found", id=str(ident))


def in_scope(session: Session, user: User, unit_id: int | None) -> bool:
    """Whether ``unit_id`` is the user's unit or below it. A requisitioned board's owner has no unit
    scope at all: they reach only their board's own content (``content/owner_content.py``)."""
    if user.role == Role.OWNER:
        return False
    return unit_id is not None and is_within(session, user.unit_id, unit_id)


def ensure_in_scope(session: Session, user: User, unit_id: int | None, what: str = "unit",
                    ident: object = None) -> None:
    """``NotFound`` unless ``unit_id`` is the user's unit or below it (existence must not leak)."""
    if not in_scope(session, user, unit_id):
        raise not_found(what, unit_id if ident is None else ident)


def scope_unit_ids(session: Session, user: User) -> list[int]:
    """Every unit the user may see, retired ones included (their history stays visible); none for a
    requisitioned board's owner."""
    if user.role == Role.OWNER:
        return []
    return subtree_ids(session, user.unit_id)


class Owned(Protocol):
    """A row that belongs to a unit (a board, a user, content)."""

    @property
    def unit_id(self) -> int | None: ...


R = TypeVar("R", bound=Owned)


def get_in_scope(session: Session, user: User, model: type[R], ident: int, what: str) -> R:
    """The row if it exists and belongs to the user's scope; ``<what>.not_found`` otherwise (a row
    outside the scope is not told apart from a missing one)."""
    row = session.get(model, ident)
    if row is None or not in_scope(session, user, row.unit_id):
        raise not_found(what, ident)
    return row


def require_role(user: User, allowed: frozenset[Role]) -> None:
    """``Forbidden`` unless the user has one of these roles (the message the API's role check gives)."""
    if user.role not in allowed:
        raise Forbidden("role.forbidden", f"this needs one of the roles: {roles.describe(allowed)}",
                        role=user.role.value)
