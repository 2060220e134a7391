"""Unit reorganisation for admins: merge units into an existing one, or merge or rename them into
a new unit, effective from a date (units are effective-dated; history keeps the old ones). The
form first shows what would move (boards by name, villages, users, content); applying needs that
preview's confirmation (``units/directory``: role, scope, validity on the date, audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_contract.timezone import LOCAL_ZONE
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import require_role
from signage_server.models import UnitLevel, utcnow
from signage_server.schemas import ReorganiseRequest
from signage_server.units import directory
from signage_server.units.service import UnitError
from signage_server.web.deps import ChangesDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/units/reorganise")
CHOOSE_TARGET = N_("Choose the unit to merge into, or give the new unit's code and name.")
REFUSED = N_("The reorganisation was refused: a unit is not valid on that date or was changed "
             "meanwhile.")


@dataclass
class ReorgForm:
    from_ids: list[int]
    target: str  # "existing" or "new"
    into_id: str
    new_code: str
    new_name: str
    effective: str
    note: str

    @classmethod
    async def of(cls, request: Request) -> ReorgForm:
        form = await request.form()
        text = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
        ids = [int(v) for v in form.getlist("from_ids") if isinstance(v, str) and v.isdigit()]
        return cls(ids, text.get("target", "existing"), text.get("into_id", ""), text.get("new_code", ""),
                   text.get("new_name", ""), text.get("effective", ""), text.get("note", ""))

    def request(self) -> ReorganiseRequest:
        data: dict[str, Any] = {"from_ids": self.from_ids, "effective": self.effective or None,
                                "note": self.note}
        if self.target == "new":
            data |= {"new_code": self.new_code or None, "new_name": self.new_name or None}
        else:
            data["into_id"] = self.into_id or None
        return ReorganiseRequest.model_validate(data)


def _today() -> date:
    return utcnow().astimezone(LOCAL_ZONE).date()


def _page(request: Request, session: Session, who: PanelUser, view: Pages, *,
          form: ReorgForm | None = None, preview: directory.ReorganisationPreview | None = None,
          error: str = "") -> Response:
    require_role(who.user, roles.ADMINS)
    in_scope = units_in_scope(session, who.user)
    units = {uid: u for uid, u in in_scope.items() if u.level != UnitLevel.PROVINCE}
    blank = ReorgForm([], "existing", "", "", "", _today().isoformat(), "")
    return view.render(request, "reorganise.html", who, units=units, form=form or blank, preview=preview,
                       error=error, status_code=422 if error else 200,
                       done=request.query_params.get("done") == "applied")


@router.get("")
def reorganise_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


def _checked(session: Session, who: PanelUser, view: Pages, request: Request,
             form: ReorgForm) -> tuple[directory.ReorganisationPreview | None, str]:
    tr = view.translator(request)
    new_incomplete = form.target == "new" and not (form.new_code and form.new_name)
    if (form.target == "existing" and not form.into_id) or new_incomplete:
        return None, tr(CHOOSE_TARGET)
    return attempt(lambda: directory.preview_reorganisation(session, actor=who.user, body=form.request()), tr)


@router.post("/preview")
async def preview(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep) -> Response:
    """What would move, nothing written."""
    form = await ReorgForm.of(request)
    shown, error = _checked(session, who, view, request, form)
    return _page(request, session, who, view, form=form, preview=shown, error=error)


@router.post("")
async def apply(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                changes: ChangesDep) -> Response:
    form = await ReorgForm.of(request)
    shown, error = _checked(session, who, view, request, form)
    if shown is None:
        return _page(request, session, who, view, form=form, error=error)
    if (await request.form()).get("confirm") != "yes":
        return _page(request, session, who, view, form=form, preview=shown,
                     error=view.translator(request)(N_("Tick the box to confirm.")))
    try:
        directory.apply_reorganisation(session, actor=who.user, ip=client_ip(request), changes=changes,
                                       body=form.request())
    except UnitError:
        session.rollback()
        return _page(request, session, who, view, form=form, error=view.translator(request)(REFUSED))
    return see_other("/panel/units/reorganise?done=applied")

