"""Splitting a unit for admins: one unit becomes two or more new ones from a date. The first form
names the unit and the new units; the second shows what the unit holds (boards, accounts,
villages) with a choice of new unit for each, and applies on confirmation (``units/directory``:
role, scope, validity on the date, codes free, audit). The content goes to the first new unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from signage_contract.timezone import LOCAL_ZONE
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import require_role
from signage_server.models import UnitLevel, utcnow
from signage_server.schemas import SplitRequest
from signage_server.units import directory
from signage_server.units.service import UnitError
from signage_server.web.deps import ChangesDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/units/split")
PART_ROWS = 4  # blank rows offered for new units; a split needs two
REFUSED = N_("The split was refused: the unit is not valid on that date or was changed meanwhile.")
KINDS = ("boards", "users", "villages")


@dataclass
class SplitForm:
    from_id: str = ""
    effective: str = ""
    note: str = ""
    parts: list[tuple[str, str]] = field(default_factory=list)
    assigned: dict[str, dict[int, int]] = field(default_factory=lambda: {k: {} for k in KINDS})

    @classmethod
    def of(cls, form: FormData) -> SplitForm:
        text = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
        codes = [v.strip() for v in form.getlist("part_code") if isinstance(v, str)]
        names = [v.strip() for v in form.getlist("part_name") if isinstance(v, str)]
        parts = [(c, n) for c, n in zip(codes, names, strict=False) if c or n]
        assigned: dict[str, dict[int, int]] = {k: {} for k in KINDS}
        for key, value in text.items():
            kind, _, ident = key.partition("-")
            if kind in assigned and ident.isdigit() and value.isdigit():
                assigned[kind][int(ident)] = int(value)
        return cls(text.get("from_id", ""), text.get("effective", ""), text.get("note", ""), parts, assigned)

    def request(self) -> SplitRequest:
        data: dict[str, Any] = {"from_id": self.from_id or None, "effective": self.effective or None,
                                "note": self.note, "parts": [{"code": c, "name": n} for c, n in self.parts],
                                **self.assigned}
        return SplitRequest.model_validate(data)


def _today() -> date:
    return utcnow().astimezone(LOCAL_ZONE).date()


def _page(request: Request, session: Session, who: PanelUser, view: Pages, *, form: SplitForm | None = None,
          contents: directory.SplitContents | None = None, error: str = "") -> Response:
    require_role(who.user, roles.ADMINS)
    units = {uid: u for uid, u in units_in_scope(session, who.user).items() if u.level != UnitLevel.PROVINCE}
    shown = form or SplitForm(effective=_today().isoformat())
    rows = shown.parts + [("", "")] * max(0, PART_ROWS - len(shown.parts))
    try:
        effective_day: date | None = date.fromisoformat(shown.effective)
    except ValueError:
        effective_day = None
    return view.render(request, "unit_split.html", who, units=units, form=shown, rows=rows, contents=contents,
                       effective_day=effective_day,
                       error=error, status_code=422 if error else 200,
                       done=request.query_params.get("done") == "applied")


@router.get("")
def split_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


def _checked(session: Session, who: PanelUser, view: Pages, request: Request,
             form: SplitForm) -> tuple[directory.SplitContents | None, str]:
    return attempt(lambda: directory.preview_split(session, actor=who.user, body=form.request()),
                   view.translator(request))


@router.post("/preview")
async def preview(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep) -> Response:
    """What the unit holds, each with its new unit to choose; nothing written."""
    form = SplitForm.of(await request.form())
    contents, error = _checked(session, who, view, request, form)
    return _page(request, session, who, view, form=form, contents=contents, error=error)


@router.post("")
async def apply(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                changes: ChangesDep) -> Response:
    posted = await request.form()
    form = SplitForm.of(posted)
    contents, error = _checked(session, who, view, request, form)
    if contents is None:
        return _page(request, session, who, view, form=form, error=error)
    if posted.get("confirm") != "yes":
        return _page(request, session, who, view, form=form, contents=contents,
                     error=view.translator(request)(N_("Tick the box to confirm.")))
    try:
        directory.split(session, actor=who.user, ip=client_ip(request), changes=changes, body=form.request())
    except UnitError:
        session.rollback()
        return _page(request, session, who, view, form=form, error=view.translator(request)(REFUSED))
    return see_other("/panel/units/split?done=applied")
