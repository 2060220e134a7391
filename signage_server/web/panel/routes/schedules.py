"""Schedules: list, create (layout, a playlist per region, target, days and hours), state changes,
and the week calendar of every board of a unit."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from signage_server.content import custom_layouts, playlists, schedules
from signage_server.content.schemas import (
    ScheduleCreate,
    SchedulePreviewRequest,
    SchedulePublic,
    ScheduleUpdate,
)
from signage_server.content.workflow import Actor, next_states
from signage_server.core import roles
from signage_server.core.auth import in_scope
from signage_server.core.changes import ChangeFeed
from signage_server.manifest.preview import SchedulePreview
from signage_server.models import Board, ContentState, Schedule, TargetKind, utcnow
from signage_server.web.deps import ChangesDep, ClientIpDep, ComposerDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQuery, ListQueryDep
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.approvals import ReasonField, StateField, move
from signage_server.web.panel.routes.common import (
    NO_REFUSAL,
    ArchiveMove,
    PagesDep,
    Refusal,
    run_archive,
    run_delete,
    run_service,
    units_in_scope,
)
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser
from signage_server.web.panel.timeline_view import parse_document, week

router = APIRouter(prefix="/schedules")
MAX_BOARDS_IN_UNIT_WEEK = 30  # a week grid per board; beyond this the page would be unreadable
REGION_PREFIX = "region:"


def _form_context(session: Session, who: PanelUser, layout_id: str | None) -> dict[str, Any]:
    """What the schedule form offers: layouts (one chosen), playlists, units, boards, target kinds."""
    layouts = custom_layouts.visible_layouts(session, user=who.user)
    chosen = next((lay for lay in layouts if lay.id == layout_id), layouts[0] if layouts else None)
    units = units_in_scope(session, who.user)
    boards = session.exec(
        select(Board).where(col(Board.unit_id).in_(list(units))).order_by(col(Board.name))).all()
    return {"layouts": layouts, "chosen": chosen, "units": units, "boards": {b.id: b for b in boards},
            "playlists": playlists.list_playlists(session, user=who.user), "target_kinds": list(TargetKind),
            "can_edit": who.role in roles.EDITORS}


def _page(request: Request, session: Session, who: PanelUser, view: Pages, error: str = "",
          layout_id: str | None = None, q: ListQuery | None = None, *, values: dict[str, Any] | None = None,
          preview: SchedulePreview | None = None) -> Response:
    """The list and the form; after a refusal the form keeps what was typed (``values``, the form
    as ``schedule_from_form`` reads it), and a schedule with unconfirmed warnings shows them."""
    q = q or ListQuery({})
    found = schedules.schedule_page(session, user=who.user, wanted=q.content(),
                                    target_kind=q.option("target_kind", TargetKind))
    silenced = {sid for r in found.rows for sid in r.silences}
    names = dict(session.exec(select(Schedule.id, Schedule.name).where(col(Schedule.id).in_(silenced))).all())
    return view.render(
        request, "schedules.html", who, rows=found.rows, found=found, q=q, states=list(ContentState),
        moves={r.id: next_states(r.state, who.role) for r in found.rows}, error=error,
        status_code=422 if error or preview else 200, names=names, values=values or {}, preview=preview,
        digest=warnings_digest(preview) if preview else "", **_form_context(session, who, layout_id),
    )


@router.get("")
def schedule_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                  q: ListQueryDep) -> Response:
    return _page(request, session, who, view, q=q)


@router.get("/regions")
def regions(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
            layout_id: str) -> Response:
    """htmx: one playlist picker per region of the chosen layout."""
    layout = custom_layouts.visible_layout(session, who.user, layout_id)
    return view.render(request, "schedule_regions.html", who, chosen=layout, values={},
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


def values_of(schedule: SchedulePublic) -> dict[str, Any]:
    """A stored schedule as ``schedule_from_form`` reads the form, so one form shows both."""
    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "name": schedule.name, "layout_id": schedule.layout_id, "target_kind": schedule.target_kind.value,
        "regions": {region: str(pid) for region, pid in schedule.regions.items()},
        "weekdays": list(schedule.weekdays), "priority": schedule.priority, "weight": schedule.weight,
        "priority_every_min": schedule.priority_every_min, "exclusive": schedule.exclusive,
        "target_board_id": text(schedule.target_board_id), "target_unit_id": text(schedule.target_unit_id),
        "target_tag": schedule.target_tag,
        "daily_start": schedule.daily_start.strftime("%H:%M") if schedule.daily_start else None,
        "daily_end": schedule.daily_end.strftime("%H:%M") if schedule.daily_end else None,
        "start_date": schedule.start_date.isoformat() if schedule.start_date else None,
        "end_date": schedule.end_date.isoformat() if schedule.end_date else None,
    }


def edited_id(form: FormData) -> int | None:
    """The schedule an edit form previews (its hidden ``schedule_id``), or None for a new one."""
    value = form.get("schedule_id")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def warnings_digest(preview: SchedulePreview) -> str:
    """What the editor confirms: these warnings, not whatever a later change of the form brings."""
    seen = json.dumps([w.model_dump() for w in preview.warnings], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


def _preview(session: Session, who: PanelUser, data: dict[str, Any]) -> tuple[SchedulePreview | None, str]:
    if who.role not in roles.EDITORS:
        raise HTTPException(403, N_("scheduling needs the admin or editor role"))
    return run_service(lambda: schedules.preview(
        session, user=who.user, data=SchedulePreviewRequest.model_validate(data)))


@router.post("/preview")
async def preview(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep) -> Response:
    """htmx: the airtime plan and warnings the form's schedule would give, before saving it."""
    form = await request.form()
    data = schedule_from_form(form)
    if (schedule_id := edited_id(form)) is not None:
        data["schedule_id"] = schedule_id
    found, error = await run_in_threadpool(_preview, session, who, data)
    return view.render(request, "schedule_preview.html", who, preview=found, error=error,
                       digest=warnings_digest(found) if found else "")


@router.post("")
async def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep) -> Response:
    form = await request.form()
    confirmed = form.get("confirm_warnings")
    data = schedule_from_form(form)
    return await run_in_threadpool(_create, request, session, who, view, Actor(who.user, ip), changes, data,
                                   confirmed if isinstance(confirmed, str) else "")


def _create(request: Request, session: Session, who: PanelUser, view: Pages, actor: Actor,
            changes: ChangeFeed, data: dict[str, Any], confirmed: str) -> Response:
    """A schedule with warnings is saved only once the editor has confirmed those very warnings."""
    found, error = _preview(session, who, data)
    if found is not None and found.warnings and confirmed != warnings_digest(found):
        return _page(request, session, who, view, "", data.get("layout_id"), values=data, preview=found)
    made, error = run_service(lambda: schedules.create_schedule(
        session, actor=actor, changes=changes, data=ScheduleCreate.model_validate(data)))
    if made is None:
        return _page(request, session, who, view, error, data.get("layout_id"), values=data)
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
    ids = {int(s.schedule_id) for _, cols in grids for c in cols for b in c.blocks for s in b.shares
           if s.schedule_id and s.schedule_id.isdigit()}
    names = {str(r.id): r.name for r in schedules.list_schedules(session, user=who.user) if r.id in ids}
    return view.render(request, "unit_week.html", who, unit=units_in_scope(session, who.user).get(unit_id),
                       grids=grids, schedule_names=names)


def _editor(request: Request, session: Session, who: PanelUser, view: Pages, schedule: SchedulePublic,
            refusal: Refusal = NO_REFUSAL, layout_id: str | None = None, *,
            values: dict[str, Any] | None = None, preview: SchedulePreview | None = None) -> Response:
    """The edit page; after a refusal or unconfirmed warnings the form keeps what was typed."""
    return view.render(request, "schedule.html", who, s=schedule, values=values or values_of(schedule),
                       moves={schedule.id: next_states(schedule.state, who.role)}, preview=preview,
                       digest=warnings_digest(preview) if preview else "",
                       error=refusal.message, refusal=refusal, status_code=422 if refusal or preview else 200,
                       **_form_context(session, who, layout_id or schedule.layout_id))


@router.get("/{schedule_id}")
def edit_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
              schedule_id: int) -> Response:
    schedule = schedules.get_schedule(session, user=who.user, schedule_id=schedule_id)
    return _editor(request, session, who, view, schedule)


CLEARED_WHEN_ABSENT = ("target_board_id", "target_unit_id", "target_tag", "daily_start", "daily_end",
                       "start_date", "end_date")
"""Fields an edit clears when the form leaves them out (another target kind, an emptied time)."""


@router.post("/{schedule_id}")
async def update(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep, schedule_id: int) -> Response:
    form = await request.form()
    confirmed = form.get("confirm_warnings")
    data = {**dict.fromkeys(CLEARED_WHEN_ABSENT), **schedule_from_form(form)}
    return await run_in_threadpool(_update, request, session, who, view, Actor(who.user, ip), changes,
                                   schedule_id, data, confirmed if isinstance(confirmed, str) else "")


def _update(request: Request, session: Session, who: PanelUser, view: Pages, actor: Actor,
            changes: ChangeFeed, schedule_id: int, data: dict[str, Any], confirmed: str) -> Response:
    """Like a new schedule, an edit with warnings is saved only once those warnings are confirmed."""
    found, _error = _preview(session, who, {**data, "schedule_id": schedule_id})
    if found is not None and found.warnings and confirmed != warnings_digest(found):
        current = schedules.get_schedule(session, user=who.user, schedule_id=schedule_id)
        return _editor(request, session, who, view, current, layout_id=data.get("layout_id"),
                       values=data, preview=found)
    done, error = run_service(lambda: schedules.update_schedule(
        session, actor=actor, changes=changes, schedule_id=schedule_id,
        patch=ScheduleUpdate.model_validate(data)))
    if done is None:
        current = schedules.get_schedule(session, user=who.user, schedule_id=schedule_id)
        return _editor(request, session, who, view, current, Refusal(error), data.get("layout_id"),
                       values=data)
    return see_other(f"/panel/schedules/{schedule_id}")


@router.post("/{schedule_id}/delete")
def delete(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, schedule_id: int) -> Response:
    if who.role not in roles.EDITORS:
        raise HTTPException(403, N_("scheduling needs the admin or editor role"))
    refusal = run_delete(lambda: schedules.delete_schedule(
        session, actor=Actor(who.user, ip), changes=changes, schedule_id=schedule_id),
        view.translator(request).lang)
    if refusal:
        current = schedules.get_schedule(session, user=who.user, schedule_id=schedule_id)
        return _editor(request, session, who, view, current, refusal)
    return see_other("/panel/schedules")


@router.post("/{schedule_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep, schedule_id: int,
                 state: StateField, reason: ReasonField = "", back: Annotated[str, Form()] = "") -> Response:
    error = move(session, actor=Actor(who.user, ip), changes=changes, kind="schedule", item_id=schedule_id,
                 state=state, reason=reason)
    if error:
        return _page(request, session, who, view, error)
    return see_other(back if back.startswith("/panel/schedules") else "/panel/schedules")


@router.post("/{schedule_id}/{move}")
def archive(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
            changes: ChangesDep, ip: ClientIpDep, schedule_id: int, move: ArchiveMove) -> Response:
    """Take a schedule off the boards (archive) or put it back (restore)."""
    if who.role not in roles.EDITORS:
        raise HTTPException(403, N_("scheduling needs the admin or editor role"))
    actor = Actor(who.user, ip)
    act = schedules.archive_schedule if move == "archive" else schedules.restore_schedule
    refusal = run_archive(lambda: act(session, actor=actor, changes=changes, schedule_id=schedule_id),
                          view.translator(request).lang)
    if refusal:
        current = schedules.get_schedule(session, user=who.user, schedule_id=schedule_id)
        return _editor(request, session, who, view, current, refusal)
    return see_other(f"/panel/schedules/{schedule_id}")
