"""Villages (thôn, tổ dân phố) of a commune: list, add, rename and remove (retired from today, so
history keeps naming them), through ``units/directory`` (editors and admins, scope, audit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_contract.timezone import LOCAL_ZONE
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.models import UnitLevel, utcnow
from signage_server.schemas import VillageCreate
from signage_server.units import directory
from signage_server.web.deps import ChangesDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/villages")
DONE_WORDS = {"added": N_("The village was added."), "renamed": N_("The village was renamed."),
              "removed": N_("The village was removed.")}


def _page(request: Request, session: Session, who: PanelUser, view: Pages, commune_id: int | None,
          error: str = "") -> Response:
    in_scope = units_in_scope(session, who.user)
    communes = {uid: u for uid, u in in_scope.items() if u.level == UnitLevel.COMMUNE}
    chosen = commune_id if commune_id in communes else next(iter(communes), None)
    rows = [] if chosen is None else directory.villages(session, actor=who.user, unit_id=chosen)
    return view.render(request, "villages.html", who, communes=communes, chosen=chosen, rows=rows,
                       can_edit=who.role in roles.EDITORS, error=error, status_code=422 if error else 200,
                       done=DONE_WORDS.get(request.query_params.get("done", "")))


@router.get("")
def village_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                 unit_id: int | None = None) -> Response:
    return _page(request, session, who, view, unit_id)


@router.post("")
def add(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
        unit_id: Annotated[int, Form()], name: Annotated[str, Form()],
        division_type: Annotated[str, Form()] = "thôn") -> Response:
    made, error = attempt(lambda: directory.create_village(
        session, actor=who.user, ip=client_ip(request), changes=changes, unit_id=unit_id,
        body=VillageCreate.model_validate({"name": name, "division_type": division_type})),
        view.translator(request))
    if made is None:
        return _page(request, session, who, view, unit_id, error)
    return see_other(f"/panel/villages?unit_id={unit_id}&done=added")


@router.post("/{village_id}/rename")
def rename(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
           village_id: int, name: Annotated[str, Form()],
           division_type: Annotated[str, Form()] = "thôn") -> Response:
    done, error = attempt(lambda: directory.rename_village(
        session, actor=who.user, ip=client_ip(request), changes=changes, village_id=village_id, name=name,
        division_type=division_type), view.translator(request))
    if done is None:
        session.rollback()
        village = directory.get_unit(session, actor=who.user, unit_id=village_id)
        return _page(request, session, who, view, village.parent_id, error)
    return see_other(f"/panel/villages?unit_id={done.parent_id}&done=renamed")


@router.post("/{village_id}/remove")
def remove(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
           village_id: int, confirm: Annotated[str, Form()] = "") -> Response:
    village = directory.get_unit(session, actor=who.user, unit_id=village_id)
    tr = view.translator(request)
    if confirm != "yes":
        return _page(request, session, who, view, village.parent_id, tr(N_("Tick the box to confirm.")))
    today = utcnow().astimezone(LOCAL_ZONE).date()
    _done, error = attempt(lambda: directory.remove_village(
        session, actor=who.user, ip=client_ip(request), changes=changes, village_id=village_id,
        on=today), tr)
    if error:
        return _page(request, session, who, view, village.parent_id, error)
    return see_other(f"/panel/villages?unit_id={village.parent_id}&done=removed")

