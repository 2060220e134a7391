"""The screen's power and brightness schedule of a board or a unit in the panel: night off by days
of the week, brightness by the hour. Saved through the same service as the JSON API
(``devices/power``), which checks the role (admins and approvers) and the scope and audits."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_contract.power import ALL_DAYS, MAX_WINDOWS, PowerSchedule
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.devices import boards, power
from signage_server.web.deps import ChangesDep, SessionDep
from signage_server.web.panel.pages import see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/power")
Target = Literal["board", "unit"]
ROWS = 3  # empty rows shown under the saved windows
DAY_NAMES = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")  # 0 Monday .. 6 Sunday, as Vietnamese calendars say


def schedule_from_form(form: Any) -> PowerSchedule:
    """The form's rows (``off-N-start``, ``dim-N-level``, ...; a row without times is skipped) as a
    schedule, validated by the contract."""
    data: dict[str, list[dict[str, Any]]] = {"off": [], "dim": []}
    for kind in ("off", "dim"):
        for n in range(MAX_WINDOWS + ROWS):
            start, end = (str(form.get(f"{kind}-{n}-{k}", "")).strip() for k in ("start", "end"))
            if not start and not end:
                continue
            days = [int(d) for d in form.getlist(f"{kind}-{n}-days") if str(d).isdigit()]
            row: dict[str, Any] = {"start": start, "end": end, "days": days}
            if kind == "dim":
                row["level"] = str(form.get(f"{kind}-{n}-level", "")).strip()
            data[kind].append(row)
    return PowerSchedule.model_validate(data)


def _rows(schedule: PowerSchedule | None, kind: str) -> list[dict[str, Any]]:
    saved = [w.model_dump() for w in getattr(schedule, kind)] if schedule is not None else []
    return [*saved, *({"start": None, "end": None, "days": list(ALL_DAYS), "level": ""} for _ in range(ROWS))]


def _page(request: Request, session: Session, who: PanelUser, view: PagesDep, *, target: str, ident: int,
          name: str, settings: power.PowerSettings, error: str = "", done: bool = False) -> Response:
    shown = settings.own
    inherited_from = units_in_scope(session, who.user).get(settings.inherited_from_unit_id or -1)
    return view.render(request, "power.html", who, target=target, ident=ident, name=name, settings=settings,
                       off_rows=_rows(shown, "off"), dim_rows=_rows(shown, "dim"), day_names=DAY_NAMES,
                       inherited_from=inherited_from, can_edit=who.role in roles.REVIEWERS, error=error,
                       done=done, status_code=422 if error else 200)


def _name(session: Session, who: PanelUser, target: str, ident: int) -> str:
    if target == "board":
        return boards.get_board(session, actor=who.user, board_id=ident).name
    unit = units_in_scope(session, who.user).get(ident)
    return unit.name if unit is not None else str(ident)


def _settings(session: Session, who: PanelUser, target: str, ident: int) -> power.PowerSettings:
    if target == "board":
        return power.board_power(session, actor=who.user, board_id=ident)
    return power.unit_power(session, actor=who.user, unit_id=ident)


@router.get("/{target}/{ident}")
def power_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
               target: Target, ident: int) -> Response:
    settings = _settings(session, who, target, ident)  # the scope check
    name = _name(session, who, target, ident)
    return _page(request, session, who, view, target=target, ident=ident, name=name, settings=settings,
                 done=request.query_params.get("done") == "saved")


@router.post("/{target}/{ident}")
async def save_power(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                     changes: ChangesDep, target: Target, ident: int) -> Response:
    settings = _settings(session, who, target, ident)
    form = await request.form()
    tr = view.translator(request)
    ip = client_ip(request)

    def save() -> power.PowerSettings:
        schedule = None if form.get("remove") else schedule_from_form(form)
        if target == "board":
            return power.set_board_power(session, actor=who.user, ip=ip, changes=changes, board_id=ident,
                                         schedule=schedule)
        return power.set_unit_power(session, actor=who.user, ip=ip, changes=changes, unit_id=ident,
                                    schedule=schedule)

    saved, error = attempt(save, tr)
    if saved is None:
        return _page(request, session, who, view, target=target, ident=ident,
                     name=_name(session, who, target, ident), settings=settings, error=error)
    return see_other(f"/panel/power/{target}/{ident}?done=saved")
