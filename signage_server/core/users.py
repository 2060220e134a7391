"""User accounts, managed by admins within their scope: list, create, change, deactivate.

Every function takes the acting admin (``actor``) and the address they act from (``ip``, for the
audit trail); users outside the admin's subtree answer ``user.not_found``. Passwords never reach
the trail: a password change shows as the action ``change_password``.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from signage_server.core import audit, roles
from signage_server.core.auth import (
    ensure_in_scope,
    get_in_scope,
    hash_password,
    in_scope,
    require_role,
    revoke_user_tokens,
    scope_unit_ids,
)
from signage_server.core.errors import Conflict, Invalid
from signage_server.core.paging import Page, PageRequest, matches, paged, search_text
from signage_server.core.passwords import MIN_SCORE, PasswordProblem, password_problem
from signage_server.models import AdminUnit, Board, BoardKind, Role, UnitLevel, User
from signage_server.schemas import UserCreate, UserUpdate
from signage_server.units.service import ancestor_ids, subtree_ids

OBJECT_TYPE = "user"


def require_admin(actor: User) -> None:
    require_role(actor, roles.ADMINS)


class WeakPassword(Invalid):
    """``user.weak_password``: the message says why in English; the params carry ``reason``, zxcvbn's
    ``score`` against ``min_score``, and the advice in both languages (``feedback_en``, ``feedback_vi``)."""

    def __init__(self, problem: PasswordProblem) -> None:
        super().__init__("user.weak_password", problem.en, reason=problem.reason, score=problem.score,
                         min_score=MIN_SCORE, feedback_en=problem.en, feedback_vi=problem.vi)
        self.problem = problem


def names_for_password(session: Session, *, username: str, full_name: str, unit_id: int) -> list[str]:
    """What a guesser would try for this account: its names, its unit's and the units above, and
    every current province."""
    units = ancestor_ids(session, unit_id)
    nearby = session.exec(select(AdminUnit.name).where(col(AdminUnit.id).in_(units))).all()
    provinces = session.exec(select(AdminUnit.name).where(
        AdminUnit.level == UnitLevel.PROVINCE, col(AdminUnit.valid_to).is_(None))).all()
    return [username, full_name, *nearby, *provinces]


def check_password(session: Session, password: str, *, username: str, full_name: str, unit_id: int) -> None:
    """``WeakPassword`` (``user.weak_password``) unless the password is long and hard enough to guess."""
    inputs = names_for_password(session, username=username, full_name=full_name, unit_id=unit_id)
    problem = password_problem(password, username=username, user_inputs=inputs)
    if problem is not None:
        raise WeakPassword(problem)


def user_page(
    session: Session, *, actor: User, text: str = "", unit_id: int | None = None, role: Role | None = None,
    wanted: PageRequest | None = None,
) -> Page[User]:
    """One page of the accounts in the admin's scope by user name: words in the user name or full
    name, a unit's subtree, a role."""
    require_admin(actor)
    units = scope_unit_ids(session, actor)
    if unit_id is not None:
        ensure_in_scope(session, actor, unit_id)
        units = subtree_ids(session, unit_id)
    query = select(User).where(col(User.unit_id).in_(units))
    if role is not None:
        query = query.where(User.role == role)
    if search_text(text):
        query = query.where(matches(search_text(text), col(User.username), col(User.full_name)))
    return paged(session, query.order_by(col(User.username)), wanted or PageRequest())


def get_user(session: Session, *, actor: User, user_id: int) -> User:
    require_admin(actor)
    return get_in_scope(session, actor, User, user_id, "user")


def list_users(session: Session, *, actor: User) -> list[User]:
    require_admin(actor)
    units = scope_unit_ids(session, actor)
    return list(session.exec(select(User).where(col(User.unit_id).in_(units)).order_by(col(User.id))).all())


def _check_unit(session: Session, actor: User, unit_id: int) -> None:
    if session.get(AdminUnit, unit_id) is None:
        raise Invalid("user.unknown_unit", f"unit_id: unit {unit_id} does not exist", unit_id=unit_id)
    ensure_in_scope(session, actor, unit_id)


def _trail(user: User) -> dict[str, object]:
    data = audit.snapshot(user)
    data.pop("password_hash", None)  # never in the trail; a change shows as action change_password
    return data


def _record(session: Session, actor: User, ip: str, action: str, user: User,
            before: dict[str, object] | None) -> None:
    session.flush()
    audit.record_as(session, actor, ip, action, OBJECT_TYPE, user.id, unit_id=user.unit_id,
                    before=before, after=_trail(user))


def owners_board(session: Session, actor: User, role: Role, board_id: int | None) -> Board | None:
    """The board of an owner account (required for role ``owner``, refused for any other): a
    requisitioned board in the admin's scope."""
    if role != Role.OWNER:
        if board_id is not None:
            raise Invalid("user.board_for_owner_only", "board_id: only an owner account has a board")
        return None
    board = session.get(Board, board_id) if board_id is not None else None
    if board is None or not in_scope(session, actor, board.unit_id):
        raise Invalid("user.owner_board_needed", "board_id: an owner account needs a board of your units",
                      board_id=str(board_id))
    if board.kind != BoardKind.COMMERCIAL:
        raise Invalid("user.owner_board_not_requisitioned",
                      f"board_id: board {board.id} is not a requisitioned board", board_id=str(board.id))
    return board


def requisitioned_boards(session: Session, *, actor: User) -> list[Board]:
    """The requisitioned boards an admin may give an owner account, by name."""
    require_admin(actor)
    query = select(Board).where(Board.kind == BoardKind.COMMERCIAL,
                                col(Board.unit_id).in_(scope_unit_ids(session, actor)))
    return list(session.exec(query.order_by(col(Board.name))).all())


def create_user(session: Session, *, actor: User, ip: str, body: UserCreate) -> User:
    require_admin(actor)
    board = owners_board(session, actor, body.role, body.board_id)
    if board is not None:
        body = body.model_copy(update={"unit_id": board.unit_id})
    _check_unit(session, actor, body.unit_id)
    check_password(session, body.password, username=body.username, full_name=body.full_name,
                   unit_id=body.unit_id)
    if session.exec(select(User).where(User.username == body.username)).first() is not None:
        raise Conflict("user.username_taken", f"user name {body.username!r} is taken", username=body.username)
    user = User(
        username=body.username, full_name=body.full_name, role=body.role, unit_id=body.unit_id,
        board_id=body.board_id, password_hash=hash_password(body.password),
    )
    session.add(user)
    _record(session, actor, ip, "create", user, None)
    session.commit()
    session.refresh(user)
    return user


def update_user(session: Session, *, actor: User, ip: str, user_id: int, body: UserUpdate) -> User:
    """A partial update; a new password or a deactivation logs the user out everywhere."""
    user = get_user(session, actor=actor, user_id=user_id)
    before = _trail(user)
    data = body.model_dump(exclude_unset=True)
    if data.get("role") is not None and (data["role"] == Role.OWNER) != (user.role == Role.OWNER):
        raise Invalid("user.owner_role_fixed", "role: an owner account stays an owner (make a new one)")
    if user.role == Role.OWNER and data.get("unit_id") not in (None, user.unit_id):
        raise Invalid("user.owner_role_fixed", "unit_id: an owner account belongs to its board's unit")
    if data.get("unit_id") is not None:
        _check_unit(session, actor, data["unit_id"])
    password = data.pop("password", None)
    if password is not None:
        check_password(session, password, username=user.username,
                       full_name=data.get("full_name") or user.full_name,
                       unit_id=data.get("unit_id") or user.unit_id)
        user.password_hash = hash_password(password)
    user.sqlmodel_update({k: v for k, v in data.items() if v is not None})
    if password is not None or data.get("active") is False:
        assert user.id is not None
        revoke_user_tokens(session, user.id)
    session.add(user)
    _record(session, actor, ip, "change_password" if password is not None else "update", user, before)
    session.commit()
    session.refresh(user)
    return user


def deactivate_user(session: Session, *, actor: User, ip: str, user_id: int) -> None:
    """Users are deactivated, not deleted: content keeps naming its author."""
    user = get_user(session, actor=actor, user_id=user_id)
    before = _trail(user)
    if user.id == actor.id:
        raise Conflict("user.self_deactivation", "you cannot deactivate your own account")
    user.active = False
    assert user.id is not None
    revoke_user_tokens(session, user.id)
    session.add(user)
    _record(session, actor, ip, "deactivate", user, before)
    session.commit()
