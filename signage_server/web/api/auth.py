"""Log in (password -> bearer token), refresh a token, change one's password, and manage one's own
named API tokens. Failed logins are rate limited per user name and per address (``login_guard``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import Field
from sqlmodel import col, select

from signage_server.core import audit
from signage_server.core.auth import (
    authenticate,
    hash_password,
    hash_token,
    issue_token,
    not_found,
    verify_password,
)
from signage_server.core.login_guard import Guard, keys_for
from signage_server.models import ApiToken, TokenKind, User, utcnow
from signage_server.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    Password,
    Strict,
    TokenResponse,
    UserPublic,
)
from signage_server.web.api.users import check_password
from signage_server.web.deps import CurrentUser, SessionDep, SettingsDep, oauth2_scheme

router = APIRouter(prefix="/auth", tags=["auth"])


class PasswordChange(Strict):
    current_password: Annotated[str, Field(max_length=256)]
    new_password: Password


def _guard(request: Request) -> Guard:
    guard: Guard = request.app.state.login_guard
    return guard


def _too_many(wait_s: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"too many failed logins; try again in {wait_s} s",
        headers={"Retry-After": str(wait_s)},
    )


@router.post("/token", response_model=TokenResponse, responses={429: {"description": "too many failures"}})
def login(
    request: Request, session: SessionDep, settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenResponse:
    """OAuth2 password flow (the /docs "Authorize" button uses it)."""
    username = form.username.strip().lower()
    guard, keys = _guard(request), keys_for(username, audit.client_ip(request))
    wait_s = guard.retry_after(*keys)
    if wait_s is not None:
        raise _too_many(wait_s)
    user = authenticate(session, username, form.password)
    if user is None:
        guard.failed(*keys)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "wrong user name or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    guard.succeeded(keys[0])
    plain, row = issue_token(
        session, user, TokenKind.SESSION, "login", timedelta(hours=settings.token_ttl_hours)
    )
    return TokenResponse(access_token=plain, expires_at=row.expires_at)


@router.post("/token/refresh", response_model=TokenResponse)
def refresh_token(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> TokenResponse:
    """A new token of the same kind and lifetime for the one presented, which is revoked at once."""
    old = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token or ""))).one()
    if old.kind == TokenKind.SESSION:
        ttl: timedelta | None = timedelta(hours=settings.token_ttl_hours)
    else:
        ttl = None if old.expires_at is None else old.expires_at - old.created_at
    old.revoked_at = utcnow()
    session.add(old)
    audit.record_by(session, request, user, "rotate_token", "api_token", old.id, unit_id=user.unit_id,
                    before={"token": old.id, "kind": old.kind.value})
    plain, row = issue_token(session, user, old.kind, old.name, ttl)
    return TokenResponse(access_token=plain, expires_at=row.expires_at)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(request: Request, session: SessionDep, user: CurrentUser, body: PasswordChange) -> None:
    """Change one's own password; every token of the account is revoked (log in again)."""
    if not verify_password(user.password_hash, body.current_password):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "current_password: wrong password")
    check_password(body.new_password, user.username)
    user.password_hash = hash_password(body.new_password)
    session.add(user)
    for row in session.exec(select(ApiToken).where(ApiToken.user_id == user.id,
                                                   col(ApiToken.revoked_at).is_(None))).all():
        row.revoked_at = utcnow()
        session.add(row)
    audit.record_by(session, request, user, "change_password", "user", user.id, unit_id=user.unit_id)
    session.commit()


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/api-tokens", response_model=list[ApiTokenPublic])
def list_tokens(session: SessionDep, user: CurrentUser) -> list[ApiTokenPublic]:
    rows = session.exec(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.kind == TokenKind.API)
        .order_by(col(ApiToken.id))
    ).all()
    return [ApiTokenPublic.model_validate(r, from_attributes=True) for r in rows]


@router.post("/api-tokens", response_model=ApiTokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(
    request: Request, session: SessionDep, user: CurrentUser, body: ApiTokenCreate
) -> ApiTokenCreated:
    ttl = None if body.expires_in_days is None else timedelta(days=body.expires_in_days)
    plain, row = issue_token(session, user, TokenKind.API, body.name, ttl)
    created = ApiTokenCreated.model_validate({**row.model_dump(), "token": plain})
    _record_token(session, request, user, "create_token", row, None)
    return created


@router.delete("/api-tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(request: Request, session: SessionDep, user: CurrentUser, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.kind != TokenKind.API:
        raise not_found("API token", token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        _record_token(session, request, user, "revoke_token", row, {"name": row.name})


def _record_token(session: SessionDep, request: Request, user: User, action: str, row: ApiToken,
                  before: dict[str, object] | None) -> None:
    after = {"name": row.name, "expires_at": None if row.expires_at is None else row.expires_at.isoformat()}
    audit.record_by(session, request, user, action, "api_token", row.id, unit_id=user.unit_id,
                    before=before, after=after if before is None else None)
    session.commit()
