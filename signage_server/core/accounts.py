"""One's own account: rotate the token in use, change the password, named API tokens.

Each function acts for ``actor`` (the logged-in user) and writes the audit trail with their ``ip``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from signage_server.core import audit
from signage_server.core.auth import (
    hash_password,
    hash_token,
    issue_token,
    not_found,
    revoke_user_tokens,
    verify_password,
)
from signage_server.core.errors import Invalid
from signage_server.core.users import check_password
from signage_server.models import ApiToken, TokenKind, User, utcnow

TOKEN = "api_token"


@dataclass(frozen=True)
class IssuedToken:
    token: str  # the plain value, shown once; only its sha256 is stored
    row: ApiToken


def refresh_token(session: Session, *, actor: User, ip: str, token: str,
                  session_ttl: timedelta) -> IssuedToken:
    """A new token of the same kind and lifetime for the one presented, which is revoked at once."""
    old = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).one()
    if old.kind == TokenKind.SESSION:
        ttl: timedelta | None = session_ttl
    else:
        ttl = None if old.expires_at is None else old.expires_at - old.created_at
    old.revoked_at = utcnow()
    session.add(old)
    audit.record_as(session, actor, ip, "rotate_token", TOKEN, old.id, unit_id=actor.unit_id,
                    before={"token": old.id, "kind": old.kind.value})
    plain, row = issue_token(session, actor, old.kind, old.name, ttl)
    return IssuedToken(plain, row)


def change_password(session: Session, *, actor: User, ip: str, current_password: str,
                    new_password: str) -> None:
    """Change one's own password; every token of the account is revoked (log in again)."""
    if not verify_password(actor.password_hash, current_password):
        raise Invalid("account.wrong_password", "current_password: wrong password")
    check_password(session, new_password, username=actor.username, full_name=actor.full_name,
                   unit_id=actor.unit_id)
    actor.password_hash = hash_password(new_password)
    session.add(actor)
    assert actor.id is not None
    revoke_user_tokens(session, actor.id)
    audit.record_as(session, actor, ip, "change_password", "user", actor.id, unit_id=actor.unit_id)
    session.commit()


def list_api_tokens(session: Session, *, actor: User) -> list[ApiToken]:
    rows = session.exec(
        select(ApiToken)
        .where(ApiToken.user_id == actor.id, ApiToken.kind == TokenKind.API)
        .order_by(col(ApiToken.id))
    ).all()
    return list(rows)


def create_api_token(session: Session, *, actor: User, ip: str, name: str,
                     expires_in_days: int | None) -> IssuedToken:
    ttl = None if expires_in_days is None else timedelta(days=expires_in_days)
    plain, row = issue_token(session, actor, TokenKind.API, name, ttl)
    _record_token(session, actor, ip, "create_token", row, None)
    session.refresh(row)
    return IssuedToken(plain, row)


def revoke_api_token(session: Session, *, actor: User, ip: str, token_id: int) -> None:
    """Revoke one of one's own named API tokens (another user's answers ``api_token.not_found``)."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != actor.id or row.kind != TokenKind.API:
        raise not_found("API token", token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        _record_token(session, actor, ip, "revoke_token", row, {"name": row.name})


def _record_token(session: Session, actor: User, ip: str, action: str, row: ApiToken,
                  before: dict[str, object] | None) -> None:
    after = {"name": row.name, "expires_at": None if row.expires_at is None else row.expires_at.isoformat()}
    audit.record_as(session, actor, ip, action, TOKEN, row.id, unit_id=actor.unit_id,
                    before=before, after=after if before is None else None)
    session.commit()
