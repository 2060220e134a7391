"""API tokens managed by admins: issued for an account of their area (a script or the province's
source system acts as that account, so the token reaches that account's unit and subtree with its
role, no further), listed and revoked. The plain token is returned once; only its sha256 is stored.

One's own tokens stay in ``core/accounts``; these functions act on any account in the admin's scope
and write the same audit actions (``create_token``, ``revoke_token``) under the object type
``api_token``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from signage_server.core import audit, auth, roles
from signage_server.core.accounts import TOKEN, IssuedToken
from signage_server.core.auth import in_scope, not_found, require_role
from signage_server.core.users import get_user, list_users
from signage_server.models import ApiToken, TokenKind, User, utcnow
from signage_server.schemas import ApiTokenCreate


@dataclass(frozen=True)
class ScopedToken:
    row: ApiToken
    owner: User


def list_tokens(session: Session, *, actor: User) -> list[ScopedToken]:
    """Named API tokens of every account in the admin's scope, newest first."""
    owners = {u.id: u for u in list_users(session, actor=actor)}
    rows = session.exec(
        select(ApiToken).where(col(ApiToken.user_id).in_(list(owners)), ApiToken.kind == TokenKind.API)
        .order_by(col(ApiToken.id).desc())
    ).all()
    return [ScopedToken(row, owners[row.user_id]) for row in rows]


def owner_of(session: Session, row: ApiToken) -> User:
    owner = session.get(User, row.user_id)
    assert owner is not None  # a foreign key
    return owner


def issue_token(session: Session, *, actor: User, ip: str, user_id: int, body: ApiTokenCreate) -> IssuedToken:
    """A new API token acting as ``user_id`` (an active account in the admin's scope)."""
    require_role(actor, roles.ADMINS)
    owner = get_user(session, actor=actor, user_id=user_id)
    if not owner.active:
        raise not_found("user", user_id)
    ttl = None if body.expires_in_days is None else timedelta(days=body.expires_in_days)
    plain, row = auth.issue_token(session, owner, TokenKind.API, body.name, ttl)
    audit.record_as(session, actor, ip, "create_token", TOKEN, row.id, unit_id=owner.unit_id,
                    after={"name": row.name, "user": owner.username,
                           "expires_at": None if row.expires_at is None else row.expires_at.isoformat()})
    session.commit()
    session.refresh(row)
    return IssuedToken(plain, row)


def revoke_token(session: Session, *, actor: User, ip: str, token_id: int) -> None:
    """Revoke an API token of an account in the admin's scope (``api_token.not_found`` otherwise)."""
    require_role(actor, roles.ADMINS)
    row = session.get(ApiToken, token_id)
    owner = None if row is None else session.get(User, row.user_id)
    # A token of an account outside the scope is not told apart from a missing one.
    if (row is None or owner is None or row.kind != TokenKind.API
            or not in_scope(session, actor, owner.unit_id)):
        raise not_found("API token", token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        audit.record_as(session, actor, ip, "revoke_token", TOKEN, row.id, unit_id=owner.unit_id,
                        before={"name": row.name, "user": owner.username})
        session.commit()
