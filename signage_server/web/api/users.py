"""User accounts, managed by admins within their scope."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session, col, select

from signage_server.core import audit
from signage_server.core.auth import (
    ensure_in_scope,
    hash_password,
    in_scope,
    not_found,
    revoke_user_tokens,
    scope_unit_ids,
)
from signage_server.core.passwords import password_problem
from signage_server.models import AdminUnit, User
from signage_server.schemas import UserCreate, UserPublic, UserUpdate
from signage_server.web.deps import AdminUser, SessionDep

router = APIRouter(prefix="/users", tags=["users"])


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


def _get(session: Session, admin: User, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not in_scope(session, admin, user.unit_id):
        raise not_found("user", user_id)
    return user


def check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)


def _record(session: Session, request: Request, admin: User, action: str, user: User,
            before: dict[str, object] | None) -> None:
    session.flush()
    after = audit.snapshot(user)
    after.pop("password_hash", None)
    audit.record_by(session, request, admin, action, "user", user.id, unit_id=user.unit_id,
                    before=before, after=after)


def _before(user: User) -> dict[str, object]:
    data = audit.snapshot(user)
    data.pop("password_hash", None)  # never in the trail; a change shows as action change_password
    return data


def _check_unit(session: Session, admin: User, unit_id: int) -> None:
    if session.get(AdminUnit, unit_id) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unit_id: unit {unit_id} does not exist")
    ensure_in_scope(session, admin, unit_id)


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, admin: AdminUser) -> list[UserPublic]:
    units = scope_unit_ids(session, admin)
    rows = session.exec(select(User).where(col(User.unit_id).in_(units)).order_by(col(User.id))).all()
    return [_public(u) for u in rows]


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(request: Request, session: SessionDep, admin: AdminUser, body: UserCreate) -> UserPublic:
    _check_unit(session, admin, body.unit_id)
    check_password(body.password, body.username)
    if session.exec(select(User).where(User.username == body.username)).first() is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"user name {body.username!r} is taken")
    user = User(
        username=body.username, full_name=body.full_name, role=body.role, unit_id=body.unit_id,
        password_hash=hash_password(body.password),
    )
    session.add(user)
    _record(session, request, admin, "create", user, None)
    session.commit()
    session.refresh(user)
    return _public(user)


@router.get("/{user_id}", response_model=UserPublic)
def get_user(session: SessionDep, admin: AdminUser, user_id: int) -> UserPublic:
    return _public(_get(session, admin, user_id))


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(
    request: Request, session: SessionDep, admin: AdminUser, user_id: int, body: UserUpdate
) -> UserPublic:
    user = _get(session, admin, user_id)
    before = _before(user)
    data = body.model_dump(exclude_unset=True)
    if data.get("unit_id") is not None:
        _check_unit(session, admin, data["unit_id"])
    password = data.pop("password", None)
    if password is not None:
        check_password(password, user.username)
        user.password_hash = hash_password(password)
    user.sqlmodel_update({k: v for k, v in data.items() if v is not None})
    if password is not None or data.get("active") is False:
        assert user.id is not None
        revoke_user_tokens(session, user.id)  # a reset password or a disabled account logs out
    session.add(user)
    _record(session, request, admin, "change_password" if password is not None else "update", user, before)
    session.commit()
    session.refresh(user)
    return _public(user)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def deactivate_user(request: Request, session: SessionDep, admin: AdminUser, user_id: int) -> None:
    """Users are deactivated, not deleted: content keeps naming its author."""
    user = _get(session, admin, user_id)
    before = _before(user)
    if user.id == admin.id:
        raise HTTPException(status.HTTP_409_CONFLICT, "you cannot deactivate your own account")
    user.active = False
    assert user.id is not None
    revoke_user_tokens(session, user.id)
    session.add(user)
    _record(session, request, admin, "deactivate", user, before)
    session.commit()
