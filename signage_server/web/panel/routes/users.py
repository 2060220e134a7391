"""Users and roles (admins): accounts within the admin's scope, created and deactivated here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_server.core import users
from signage_server.core.audit import client_ip
from signage_server.models import Role, User
from signage_server.schemas import UserCreate
from signage_server.web.deps import SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.common import PagesDep, run_service, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/users")


def _admin(who: PanelUser) -> User:
    if who.role != Role.ADMIN:
        raise HTTPException(403, N_("the users page is for admins"))
    return who.user


def _page(request: Request, session: Session, who: PanelUser, view: Pages, error: str = "") -> Response:
    rows = users.list_users(session, actor=_admin(who))
    return view.render(request, "users.html", who, rows=rows, units=units_in_scope(session, who.user),
                       roles=list(Role), error=error, status_code=422 if error else 200)


def _done_or_page(request: Request, session: Session, who: PanelUser, view: Pages, error: str) -> Response:
    return _page(request, session, who, view, error) if error else see_other("/panel/users")


@router.get("")
def user_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           username: Annotated[str, Form()], password: Annotated[str, Form()],
           role: Annotated[Role, Form()], unit_id: Annotated[int, Form()],
           full_name: Annotated[str, Form()] = "") -> Response:
    admin = _admin(who)
    _made, error = run_service(lambda: users.create_user(
        session, actor=admin, ip=client_ip(request),
        body=UserCreate(username=username, password=password, role=role, unit_id=unit_id,
                        full_name=full_name)), lang=view.translator(request).lang)
    return _done_or_page(request, session, who, view, error)


@router.post("/{user_id}/deactivate")
def deactivate(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
               user_id: int) -> Response:
    admin = _admin(who)
    _done, error = run_service(lambda: users.deactivate_user(session, actor=admin, ip=client_ip(request),
                                                         user_id=user_id))
    return _done_or_page(request, session, who, view, error)
