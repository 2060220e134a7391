"""Log in (password -> bearer token), refresh a token, change one's password, and manage one's own
named API tokens. Failed logins are rate limited per user name and per address (``core/login``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import Field

from signage_server.core import accounts
from signage_server.core import login as login_service
from signage_server.core.audit import client_ip
from signage_server.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    Password,
    Strict,
    TokenResponse,
    UserPublic,
)
from signage_server.web.deps import CurrentUser, LoginGuardDep, SessionDep, SettingsDep, oauth2_scheme

router = APIRouter(prefix="/auth", tags=["auth"])


class PasswordChange(Strict):
    current_password: Annotated[str, Field(max_length=256)]
    new_password: Password


@router.post("/token", response_model=TokenResponse, responses={429: {"description": "too many failures"}})
def login(
    request: Request, session: SessionDep, settings: SettingsDep, guard: LoginGuardDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenResponse:
    """OAuth2 password flow (the /docs "Authorize" button uses it)."""
    try:
        done = login_service.log_in(
            session, guard=guard, username=form.username, password=form.password, ip=client_ip(request),
            token_name="login", ttl=timedelta(hours=settings.token_ttl_hours),
        )
    except login_service.TooManyFailures as exc:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, exc.message,
                            headers={"Retry-After": str(exc.retry_after_s)}) from exc
    except login_service.WrongCredentials as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, exc.message,
                            headers={"WWW-Authenticate": "Bearer"}) from exc
    return TokenResponse(access_token=done.token, expires_at=done.expires_at)


@router.post("/token/refresh", response_model=TokenResponse)
def refresh_token(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> TokenResponse:
    """A new token of the same kind and lifetime for the one presented, which is revoked at once."""
    issued = accounts.refresh_token(session, actor=user, ip=client_ip(request), token=token or "",
                                    session_ttl=timedelta(hours=settings.token_ttl_hours))
    return TokenResponse(access_token=issued.token, expires_at=issued.row.expires_at)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(request: Request, session: SessionDep, user: CurrentUser, body: PasswordChange) -> None:
    """Change one's own password; every token of the account is revoked (log in again)."""
    accounts.change_password(session, actor=user, ip=client_ip(request),
                             current_password=body.current_password, new_password=body.new_password)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/api-tokens", response_model=list[ApiTokenPublic])
def list_tokens(session: SessionDep, user: CurrentUser) -> list[ApiTokenPublic]:
    return [ApiTokenPublic.model_validate(r, from_attributes=True)
            for r in accounts.list_api_tokens(session, actor=user)]


@router.post("/api-tokens", response_model=ApiTokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(
    request: Request, session: SessionDep, user: CurrentUser, body: ApiTokenCreate
) -> ApiTokenCreated:
    issued = accounts.create_api_token(session, actor=user, ip=client_ip(request), name=body.name,
                                       expires_in_days=body.expires_in_days)
    return ApiTokenCreated.model_validate({**issued.row.model_dump(), "token": issued.token})


@router.delete("/api-tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(request: Request, session: SessionDep, user: CurrentUser, token_id: int) -> None:
    accounts.revoke_api_token(session, actor=user, ip=client_ip(request), token_id=token_id)
