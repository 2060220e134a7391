"""Intake sources (admins): the upstream systems that send bulletins through
``POST /api/v1/intake/bulletins``, the editor account each sends as, and the units that trust it
(its bulletins for them are approved at once). ``content/intake_sources`` checks role and scope and
writes the audit trail, for this page and the JSON API alike."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_server.content import intake_sources as service
from signage_server.content.intake_sources import IntakeSourceCreate, IntakeSourceUpdate
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import require_role
from signage_server.core.users import list_users
from signage_server.web.deps import SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/intake-sources")
DONE_WORDS = {
    "created": N_("The source was registered. Issue its account an API token on the Users page."),
    "trust": N_("The trusted units were saved."),
    "enabled": N_("The source was enabled."),
    "disabled": N_("The source was disabled: its bulletins are refused."),
}


def _page(request: Request, session: Session, who: PanelUser, view: Pages, *, error: str = "") -> Response:
    require_role(who.user, roles.ADMINS)
    accounts = [u for u in list_users(session, actor=who.user) if u.role in roles.EDITORS and u.active]
    return view.render(
        request, "intake_sources.html", who, rows=service.list_sources(session, actor=who.user),
        units=units_in_scope(session, who.user), accounts=accounts, error=error,
        status_code=422 if error else 200, done=DONE_WORDS.get(request.query_params.get("done", "")),
    )


@router.get("")
def source_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           name: Annotated[str, Form()], user_id: Annotated[str, Form()],
           trusted_unit_ids: Annotated[list[str], Form()] = []) -> Response:  # noqa: B006
    made, error = attempt(lambda: service.create_source(
        session, actor=who.user, ip=client_ip(request),
        data=IntakeSourceCreate.model_validate({"name": name.strip(), "user_id": user_id,
                                                "trusted_unit_ids": trusted_unit_ids})),
        view.translator(request))
    return _page(request, session, who, view, error=error) if made is None else see_other(
        "/panel/intake-sources?done=created")


@router.post("/{source_id}/trust")
def set_trust(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, source_id: int,
              trusted_unit_ids: Annotated[list[str], Form()] = []) -> Response:  # noqa: B006
    done, error = attempt(lambda: service.update_source(
        session, actor=who.user, ip=client_ip(request), source_id=source_id,
        data=IntakeSourceUpdate.model_validate({"trusted_unit_ids": trusted_unit_ids})),
        view.translator(request))
    return _page(request, session, who, view, error=error) if done is None else see_other(
        "/panel/intake-sources?done=trust")


@router.post("/{source_id}/active")
def set_active(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
               source_id: int, active: Annotated[str, Form()]) -> Response:
    on = active == "yes"
    done, error = attempt(lambda: service.update_source(
        session, actor=who.user, ip=client_ip(request), source_id=source_id,
        data=IntakeSourceUpdate(active=on)), view.translator(request))
    return _page(request, session, who, view, error=error) if done is None else see_other(
        f"/panel/intake-sources?done={'enabled' if on else 'disabled'}")
