"""Users and roles (admins): accounts within the admin's scope, created, changed (name, role, unit),
given a new password (the strength rules of ``core/users``), deactivated and reactivated here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_server.core import roles, users
from signage_server.core.audit import client_ip
from signage_server.core.auth import require_role
from signage_server.models import Role, User
from signage_server.schemas import UserCreate, UserUpdate
from signage_server.web.deps import SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQuery, ListQueryDep
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/users")
DONE_WORDS = {
    "saved": N_("The user was saved."),
    "password": N_("The password was changed; the user was logged out."),
    "deactivated": N_("The user was deactivated and logged out."),
    "activated": N_("The user was reactivated."),
}


def _admin(who: PanelUser) -> User:
    require_role(who.user, roles.ADMINS)
    return who.user


def _page(request: Request, session: Session, who: PanelUser, view: Pages, error: str = "",
          q: ListQuery | None = None) -> Response:
    q = q or ListQuery({})
    found = users.user_page(session, actor=_admin(who), text=q.text, unit_id=q.number("unit_id"),
                            role=q.option("role", Role), wanted=q.page)
    return view.render(request, "users.html", who, rows=found.rows, found=found, q=q,
                       units=units_in_scope(session, who.user), roles=list(Role), error=error,
                       owner_boards=users.requisitioned_boards(session, actor=who.user),
                       status_code=422 if error else 200)


def _user_page(request: Request, session: Session, who: PanelUser, view: Pages, user: User,
               error: str = "") -> Response:
    done = DONE_WORDS.get(request.query_params.get("done", ""))
    return view.render(request, "user.html", who, user=user, units=units_in_scope(session, who.user),
                       roles=list(Role), error=error, done=done, status_code=422 if error else 200)


@router.get("")
def user_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
              q: ListQueryDep) -> Response:
    return _page(request, session, who, view, q=q)


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           username: Annotated[str, Form()], password: Annotated[str, Form()],
           role: Annotated[str, Form()], unit_id: Annotated[str, Form()],
           full_name: Annotated[str, Form()] = "", board_id: Annotated[str, Form()] = "") -> Response:
    admin = _admin(who)
    made, error = attempt(lambda: users.create_user(
        session, actor=admin, ip=client_ip(request),
        body=UserCreate.model_validate({"username": username, "password": password, "role": role,
                                        "unit_id": unit_id, "full_name": full_name,
                                        "board_id": board_id or None})),
        view.translator(request))
    return _page(request, session, who, view, error) if made is None else see_other("/panel/users")


@router.get("/{user_id}")
def user_detail(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                user_id: int) -> Response:
    user = users.get_user(session, actor=_admin(who), user_id=user_id)
    return _user_page(request, session, who, view, user)


def _change(request: Request, session: Session, who: PanelUser, view: Pages, user_id: int,
            body: dict[str, object], done: str) -> Response:
    admin = _admin(who)
    user = users.get_user(session, actor=admin, user_id=user_id)
    changed, error = attempt(lambda: users.update_user(
        session, actor=admin, ip=client_ip(request), user_id=user_id, body=UserUpdate.model_validate(body)),
        view.translator(request))
    if changed is None:
        session.rollback()
        session.refresh(user)
        return _user_page(request, session, who, view, user, error)
    return see_other(f"/panel/users/{user_id}?done={done}")


@router.post("/{user_id}")
def save(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, user_id: int,
         role: Annotated[str, Form()], unit_id: Annotated[str, Form()],
         full_name: Annotated[str, Form()] = "") -> Response:
    """Name, role and unit (the scope: the unit and its subtree)."""
    return _change(request, session, who, view, user_id,
                   {"role": role, "unit_id": unit_id, "full_name": full_name}, "saved")


@router.post("/{user_id}/password")
def reset_password(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, user_id: int,
                   password: Annotated[str, Form()]) -> Response:
    """A new password under the same strength rules; the user is logged out everywhere."""
    return _change(request, session, who, view, user_id, {"password": password}, "password")


@router.post("/{user_id}/activate")
def activate(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
             user_id: int) -> Response:
    return _change(request, session, who, view, user_id, {"active": True}, "activated")


@router.post("/{user_id}/deactivate")
def deactivate(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
               user_id: int) -> Response:
    admin = _admin(who)
    _done, error = attempt(lambda: users.deactivate_user(session, actor=admin, ip=client_ip(request),
                                                         user_id=user_id), view.translator(request))
    return _page(request, session, who, view, error) if error else see_other("/panel/users")
