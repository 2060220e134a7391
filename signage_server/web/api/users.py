"""User accounts, managed by admins within their scope (``core/users``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from signage_server.core import users
from signage_server.core.audit import client_ip
from signage_server.models import User
from signage_server.schemas import UserCreate, UserPublic, UserUpdate
from signage_server.web.deps import AdminUser, SessionDep

router = APIRouter(prefix="/users", tags=["users"])


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, admin: AdminUser) -> list[UserPublic]:
    return [_public(u) for u in users.list_users(session, actor=admin)]


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(request: Request, session: SessionDep, admin: AdminUser, body: UserCreate) -> UserPublic:
    return _public(users.create_user(session, actor=admin, ip=client_ip(request), body=body))


@router.get("/{user_id}", response_model=UserPublic)
def get_user(session: SessionDep, admin: AdminUser, user_id: int) -> UserPublic:
    return _public(users.get_user(session, actor=admin, user_id=user_id))


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(
    request: Request, session: SessionDep, admin: AdminUser, user_id: int, body: UserUpdate
) -> UserPublic:
    return _public(users.update_user(session, actor=admin, ip=client_ip(request), user_id=user_id, body=body))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def deactivate_user(request: Request, session: SessionDep, admin: AdminUser, user_id: int) -> None:
    """Users are deactivated, not deleted: content keeps naming its author."""
    users.deactivate_user(session, actor=admin, ip=client_ip(request), user_id=user_id)
