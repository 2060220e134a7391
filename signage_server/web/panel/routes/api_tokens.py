"""API tokens (admins): issued for an account of the admin's area, shown once, listed with their
owner and unit, revoked (``core/api_tokens`` checks role and scope and writes the audit trail)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_server.core import api_tokens, roles, users
from signage_server.core.audit import client_ip
from signage_server.core.auth import require_role
from signage_server.schemas import ApiTokenCreate
from signage_server.web.deps import SessionDep
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, local_time, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/tokens")


def _page(request: Request, session: Session, who: PanelUser, view: Pages, *, error: str = "",
          issued: str = "", issued_name: str = "") -> Response:
    require_role(who.user, roles.ADMINS)
    owners = [u for u in users.list_users(session, actor=who.user) if u.active]
    return view.render(request, "tokens.html", who, tokens=api_tokens.list_tokens(session, actor=who.user),
                       owners=owners, units=units_in_scope(session, who.user), local_time=local_time,
                       error=error, issued=issued, issued_name=issued_name,
                       revoked=request.query_params.get("done") == "revoked",
                       status_code=422 if error else 200)


@router.get("")
def token_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           user_id: Annotated[int, Form()], name: Annotated[str, Form()],
           expires_in_days: Annotated[str, Form()] = "") -> Response:
    """The plain token is in this answer only (``Cache-Control: no-store``); only its hash is kept."""
    made, error = attempt(lambda: api_tokens.issue_token(
        session, actor=who.user, ip=client_ip(request), user_id=user_id,
        body=ApiTokenCreate.model_validate({"name": name,
                                            "expires_in_days": expires_in_days.strip() or None})),
        view.translator(request))
    if made is None:
        return _page(request, session, who, view, error=error)
    return _page(request, session, who, view, issued=made.token, issued_name=made.row.name)


@router.post("/{token_id}/revoke")
def revoke(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           token_id: int) -> Response:
    _done, error = attempt(lambda: api_tokens.revoke_token(session, actor=who.user, ip=client_ip(request),
                                                           token_id=token_id), view.translator(request))
    if error:
        return _page(request, session, who, view, error=error)
    return see_other("/panel/tokens?done=revoked")
