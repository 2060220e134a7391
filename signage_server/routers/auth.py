"""Log in (password -> bearer token) and manage one's own named API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import col, select

from ..auth import authenticate, issue_token, not_found
from ..deps import CurrentUser, SessionDep, SettingsDep
from ..models import ApiToken, TokenKind, utcnow
from ..schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenPublic, TokenResponse, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse)
def login(
    session: SessionDep, settings: SettingsDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenResponse:
    """OAuth2 password flow (the /docs "Authorize" button uses it)."""
    user = authenticate(session, form.username.strip().lower(), form.password)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "wrong user name or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    plain, row = issue_token(
        session, user, TokenKind.SESSION, "login", timedelta(hours=settings.token_ttl_hours)
    )
    return TokenResponse(access_token=plain, expires_at=row.expires_at)


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
def create_token(session: SessionDep, user: CurrentUser, body: ApiTokenCreate) -> ApiTokenCreated:
    ttl = None if body.expires_in_days is None else timedelta(days=body.expires_in_days)
    plain, row = issue_token(session, user, TokenKind.API, body.name, ttl)
    return ApiTokenCreated.model_validate({**row.model_dump(), "token": plain})


@router.delete("/api-tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(session: SessionDep, user: CurrentUser, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.kind != TokenKind.API:
        raise not_found("API token", token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()
