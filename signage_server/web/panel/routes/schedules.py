"""Schedules: list, create (layout, a playlist per region, target, days and hours), state changes,
and the week calendar of every board of a unit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from signage_server.content import custom_layouts, playlists, schedules
from signage_server.content.schemas import ScheduleCreate
from signage_server.content.workflow import Actor, next_states
from signage_server.core import roles
from signage_server.core.auth import in_scope
from signage_server.core.changes import ChangeFeed
from signage_server.models import Board, TargetKind, utcnow
from signage_server.web.deps import ChangesDep, ClientIpDep, ComposerDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.approvals import ReasonField, StateField, move
from signage_server.web.panel.routes.common import PagesDep, run_service, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser
from signage_server.web.panel.timeline_view import parse_document, week

router = APIRouter(prefix="/schedules")
MAX_BOARDS_IN_UNIT_WEEK = 30  # a week grid per board; beyond this the page would be unreadable
REGION_PREFIX = "region:"


def _page(request: Request, session: Session, who: PanelUser, view: Pages, error: str = "",
          layout_id: str | None = None) -> Response:
    layouts = custom_layouts.visible_layouts(session, user=who.user)
    chosen = next((lay for lay in layouts if lay.id == layout_id), layouts[0] if layouts else None)
    units = units_in_scope(session, who.user)
    boards = session.exec(
        select(Board).where(col(Board.unit_id).in_(list(units))).order_by(col(Board.name))).all()
    rows = schedules.list_schedules(session, user=who.user)
    return view.render(
        request, "schedules.html", who, rows=rows, layouts=layouts, chosen=chosen, units=units,
        boards={b.id: b for b in boards}, playlists=playlists.list_playlists(session, user=who.user),
        moves={r.id: next_states(r.state, who.role) for r in rows}, can_edit=who.role in roles.EDITORS,
        target_kinds=list(TargetKind), error=error, status_code=422 if error else 200,
        names={r.id: r.name for r in rows},
    )


@router.get("")
def schedule_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.get("/regions")
def regions(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
            layout_id: str) -> Response:
    """htmx: one playlist picker per region of the chosen layout."""
    layout = custom_layouts.visible_layout(session, who.user, layout_id)
    return view.render(request, "schedule_regions.html", who, chosen=layout,
                       playlists=playlists.list_playlists(session, user=who.user))


def schedule_from_form(form: FormData) -> dict[str, Any]:
    """The form's fields as the API's ScheduleCreate input (validation is the API's)."""
    def text(name: str) -> str | None:
        value = form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    kind = text("target_kind") or TargetKind.UNIT.value
    data: dict[str, Any] = {
        "name": text("name") or "", "layout_id": text("layout_id") or "", "target_kind": kind,
        "regions": {k[len(REGION_PREFIX):]: v for k, v in form.items()
                    if k.startswith(REGION_PREFIX) and isinstance(v, str) and v},
        "weekdays": [int(v) for v in form.getlist("weekdays") if isinstance(v, str) and v.isdigit()],
        "priority": text("priority") or 0,
        "weight": text("weight") or 1,
        "priority_every_min": text("priority_every_min") or 10,
        "exclusive": text("exclusive") is not None,
    }
    target_field = {"board": "target_board_id", "unit": "target_unit_id", "tag": "target_tag"}.get(kind)
    if target_field:
        data[target_field] = text(target_field)
    for name in ("daily_start", "daily_end", "start_date", "end_date"):
        if text(name):
            data[name] = text(name)
    return data


@router.post("")
async def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep) -> Response:
    data = schedule_from_form(await request.form())
    return await run_in_threadpool(_create, request, session, who, view, Actor(who.user, ip), changes, data)


def _create(request: Request, session: Session, who: PanelUser, view: Pages, actor: Actor,
            changes: ChangeFeed, data: dict[str, Any]) -> Response:
    if who.role not in roles.EDITORS:
        raise HTTPException(403, N_("scheduling needs the admin or editor role"))
    made, error = run_service(lambda: schedules.create_schedule(
        session, actor=actor, changes=changes, data=ScheduleCreate.model_validate(data)))
    if made is None:
        return _page(request, session, who, view, error, data.get("layout_id"))
    return see_other("/panel/schedules")


@router.post("/{schedule_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep, schedule_id: int,
                 state: StateField, reason: ReasonField = "") -> Response:
    error = move(session, actor=Actor(who.user, ip), changes=changes, kind="schedule", item_id=schedule_id,
                 state=state, reason=reason)
    if error:
        return _page(request, session, who, view, error)
    return see_other("/panel/schedules")


@router.get("/week")
def unit_week(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
              composer: ComposerDep, unit_id: int) -> Response:
    """The week grid of each board that the unit owns directly."""
    if not in_scope(session, who.user, unit_id):
        raise HTTPException(404, N_("This unit does not exist or lies outside your area."))
    boards = session.exec(select(Board).where(Board.unit_id == unit_id).order_by(col(Board.name))
                          .limit(MAX_BOARDS_IN_UNIT_WEEK)).all()
    now = utcnow()
    grids = []
    for board in boards:
        assert board.id is not None
        manifest = parse_document(composer.current(session, board.id).document)
        grids.append((board, week(manifest, now)))
    ids = {int(b[2].schedule_id) for _, cols in grids for c in cols for b in c.blocks
           if b[2].schedule_id and b[2].schedule_id.isdigit()}
    names = {str(r.id): r.name for r in schedules.list_schedules(session, user=who.user) if r.id in ids}
    return view.render(request, "unit_week.html", who, unit=units_in_scope(session, who.user).get(unit_id),
                       grids=grids, schedule_names=names)
