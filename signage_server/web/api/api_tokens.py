"""API tokens of other accounts, managed by admins within their scope (``core/api_tokens``): the
panel's "Mã truy cập API" page as JSON. The plain token is in the creation answer only
(``Cache-Control: no-store``); listing shows who owns each token, never its value or hash."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from signage_server.core import api_tokens
from signage_server.core.api_tokens import ScopedToken
from signage_server.core.audit import client_ip
from signage_server.schemas import AdminApiTokenCreate, AdminApiTokenCreated, AdminApiTokenPublic
from signage_server.web.deps import AdminUser, SessionDep

router = APIRouter(prefix="/api-tokens", tags=["api tokens"])
NO_STORE = "no-store"


def _public(token: ScopedToken) -> AdminApiTokenPublic:
    return AdminApiTokenPublic.model_validate(
        {**token.row.model_dump(exclude={"token_hash"}), "username": token.owner.username,
         "unit_id": token.owner.unit_id})


@router.get("", response_model=list[AdminApiTokenPublic])
def list_tokens(session: SessionDep, admin: AdminUser) -> list[AdminApiTokenPublic]:
    """Named API tokens of every account in the admin's scope, newest first (revoked ones too)."""
    return [_public(t) for t in api_tokens.list_tokens(session, actor=admin)]


@router.post("", response_model=AdminApiTokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(request: Request, response: Response, session: SessionDep, admin: AdminUser,
                 body: AdminApiTokenCreate) -> AdminApiTokenCreated:
    """A token acting as ``user_id`` (an active account in the admin's scope): shown in this answer
    only."""
    issued = api_tokens.issue_token(session, actor=admin, ip=client_ip(request), user_id=body.user_id,
                                    body=body.token())
    response.headers["Cache-Control"] = NO_STORE
    owner = ScopedToken(issued.row, api_tokens.owner_of(session, issued.row))
    return AdminApiTokenCreated.model_validate({**_public(owner).model_dump(), "token": issued.token})


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(request: Request, session: SessionDep, admin: AdminUser, token_id: int) -> None:
    """Revoked at once; the row stays listed with its ``revoked_at``."""
    api_tokens.revoke_token(session, actor=admin, ip=client_ip(request), token_id=token_id)
