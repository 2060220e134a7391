"""Layouts: every layout drawn at a chosen board's shape (its orientation's placement), and a region
editor for custom layouts with a live preview (htmx posts the form as it changes). Saving calls the
JSON API's services (``content/custom_layouts``: editors, scope, the same checks, audited)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_contract import Layout, RegionRole
from signage_server.content import custom_layouts
from signage_server.content.workflow import Actor
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import in_scope, not_found, require_role
from signage_server.core.passwords import without_marks
from signage_server.devices import boards
from signage_server.models import Board, LayoutRecord
from signage_server.schemas import LayoutCreate, LayoutUpdate
from signage_server.web.deps import ChangesDep, SessionDep
from signage_server.web.panel.layout_editor import SHAPES, Drawing, EditorForm, draw, read_layout
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/layouts")
DRAFT_ID = "draft"


def _shape(session: Session, who: PanelUser, board_id: str | None) -> tuple[Board | None, int, int]:
    """The chosen board (in scope) and its size, else Full HD."""
    if board_id and board_id.isdigit():
        board = boards.get_board(session, actor=who.user, board_id=int(board_id))
        return board, board.width, board.height
    return None, *SHAPES[0]


def _layout_of(row: LayoutRecord) -> Layout:
    return Layout.model_validate({"id": row.id, "name": row.name, "background": row.background,
                                  "regions": row.regions, "variants": row.variants})


@router.get("")
def layout_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    board, width, height = _shape(session, who, request.query_params.get("board_id"))
    rows = custom_layouts.visible_layouts(session, user=who.user, builtin_first=True)
    drawings = [(row, draw(_layout_of(row), width, height)) for row in rows]
    editable = {r.id for r in rows if not r.builtin and in_scope(session, who.user, r.unit_id)}
    return view.render(request, "layouts.html", who, drawings=drawings, board=board, width=width,
                       height=height, boards=boards.list_boards(session, actor=who.user, order_by_name=True),
                       can_edit=who.role in roles.EDITORS, editable=editable,
                       saved=request.query_params.get("done") == "saved")


def _editor(request: Request, session: Session, who: PanelUser, view: Pages, *, form: EditorForm,
            row: LayoutRecord | None, problems: list[str] | None = None) -> Response:
    board, width, height = _shape(session, who, request.query_params.get("board_id"))
    layout, found = read_layout(form, DRAFT_ID, view.translator(request), drafting=True)
    return view.render(request, "layout_editor.html", who, form=form, row=row, roles=list(RegionRole),
                       drawing=draw(layout, width, height) if layout else None, problems=problems or found,
                       board=board, boards=boards.list_boards(session, actor=who.user, order_by_name=True),
                       status_code=422 if problems else 200)


@router.get("/new")
def new_layout(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    require_role(who.user, roles.EDITORS)
    start = EditorForm.from_layout("", "#000000", [
        {"role": "main", "x": 0, "y": 0, "w": 1, "h": 0.85, "z": 0},
        {"role": "ticker", "x": 0, "y": 0.85, "w": 1, "h": 0.15, "z": 0}])
    return _editor(request, session, who, view, form=start, row=None)


def _editable(session: Session, who: PanelUser, layout_id: str) -> LayoutRecord:
    require_role(who.user, roles.EDITORS)
    row = custom_layouts.visible_layout(session, who.user, layout_id)
    if row is None or row.builtin:
        raise not_found("layout", repr(layout_id))
    return row


@router.get("/{layout_id}/edit")
def edit_layout(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                layout_id: str) -> Response:
    row = _editable(session, who, layout_id)
    form = EditorForm.from_layout(row.name, row.background, row.regions)
    return _editor(request, session, who, view, form=form, row=row)


@router.post("/preview")
async def preview(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep) -> Response:
    """The editor's live preview (an htmx fragment): the drawing, or what stops the layout."""
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    _board, width, height = _shape(session, who, values.get("board_id"))
    layout, problems = read_layout(EditorForm.of(values), DRAFT_ID, view.translator(request), drafting=True)
    drawing: Drawing | None = draw(layout, width, height) if layout else None
    return view.render(request, "layout_preview.html", who, drawing=drawing, problems=problems)


def slug(name: str) -> str:
    """A layout's key from its name: ``Bảng xã 2 vùng`` -> ``bang-xa-2-vung``."""
    plain = re.sub(r"[^a-z0-9]+", "-", without_marks(name).lower()).strip("-")
    return (plain or "bo-cuc")[:40]


def _free_key(session: Session, unit_id: int, name: str) -> str:
    base = slug(name)
    key, n = base, 1
    while session.get(LayoutRecord, custom_layouts.scoped_id(unit_id, key)) is not None:
        n += 1
        key = f"{base}-{n}"
    return key


@router.post("/new")
async def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep) -> Response:
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form = EditorForm.of(values)
    tr = view.translator(request)
    layout, problems = read_layout(form, DRAFT_ID, tr)
    if layout is None:
        return _editor(request, session, who, view, form=form, row=None, problems=problems)
    regions: list[Any] = [r.model_dump() for r in layout.regions]
    key = _free_key(session, who.user.unit_id, form.name)
    made, error = attempt(lambda: custom_layouts.create_layout(
        session, actor=Actor(who.user, client_ip(request)), changes=changes,
        data=LayoutCreate.model_validate({"id": key, "name": form.name, "background": layout.background,
                                          "regions": regions})), tr)
    if made is None:
        return _editor(request, session, who, view, form=form, row=None, problems=[error])
    return see_other("/panel/layouts?done=saved")


@router.post("/{layout_id}/edit")
async def save(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
               changes: ChangesDep, layout_id: str) -> Response:
    row = _editable(session, who, layout_id)
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form = EditorForm.of(values)
    tr = view.translator(request)
    layout, problems = read_layout(form, layout_id, tr)
    if layout is None:
        return _editor(request, session, who, view, form=form, row=row, problems=problems)
    saved, error = attempt(lambda: custom_layouts.update_layout(
        session, actor=Actor(who.user, client_ip(request)), changes=changes, layout_id=layout_id,
        patch=LayoutUpdate(name=layout.name, background=layout.background, regions=layout.regions)), tr)
    if saved is None:
        return _editor(request, session, who, view, form=form, row=row, problems=[error])
    return see_other("/panel/layouts?done=saved")
