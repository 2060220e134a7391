"""Users and roles (admins): accounts within the admin's scope, created and deactivated here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from signage_server.models import Role, User
from signage_server.schemas import UserCreate
from signage_server.web.api import users as api
from signage_server.web.deps import SessionDep
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.common import PagesDep, attempt, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/users")


def _admin(who: PanelUser) -> User:
    if who.role != Role.ADMIN:
        raise HTTPException(403, "the users page is for admins")
    return who.user


def _page(request: Request, session: SessionDep, who: PanelUser, view: Pages, error: str = "") -> Response:
    units = units_in_scope(session, who.user)
    return view.render(request, "users.html", who, rows=api.list_users(session, _admin(who)), units=units,
                       roles=list(Role), error=error, status_code=422 if error else 200)


@router.get("")
def user_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           username: Annotated[str, Form()], password: Annotated[str, Form()],
           role: Annotated[Role, Form()], unit_id: Annotated[int, Form()],
           full_name: Annotated[str, Form()] = "") -> Response:
    made, error = attempt(lambda: api.create_user(request, session, _admin(who), UserCreate(
        username=username, password=password, role=role, unit_id=unit_id, full_name=full_name)))
    if made is None:
        return _page(request, session, who, view, error)
    return see_other("/panel/users")


@router.post("/{user_id}/deactivate")
def deactivate(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
               user_id: int) -> Response:
    _done, error = attempt(lambda: api.deactivate_user(request, session, _admin(who), user_id) or True)
    if error:
        return _page(request, session, who, view, error)
    return see_other("/panel/users")
