"""Bulletins: list by state, the editor with a live preview at a board's resolution, state changes."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, Response
from sqlmodel import col, select

from signage_contract import Category, Priority
from signage_server.content import bulletins as service
from signage_server.content.workflow import Actor, next_states
from signage_server.core import roles
from signage_server.core.auth import scope_unit_ids
from signage_server.core.errors import Forbidden
from signage_server.models import Board, ContentState
from signage_server.schemas import BulletinCreate, BulletinPublic, BulletinUpdate
from signage_server.web.deps import ChangesDep, ClientIpDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import see_other
from signage_server.web.panel.preview import BulletinDraft, PreviewFailed
from signage_server.web.panel.routes.approvals import ReasonField, StateField, move
from signage_server.web.panel.routes.common import PagesDep, PreviewsDep, run_service
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/bulletins")
DEFAULT_PREVIEW_SIZE = (384, 192)  # a small commune LED board


def _boards(session: SessionDep, who: PanelUser) -> list[Board]:
    ids = scope_unit_ids(session, who.user)
    return list(session.exec(select(Board).where(col(Board.unit_id).in_(ids)).order_by(col(Board.name))))


@router.get("")
def bulletin_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                  state: ContentState | None = None) -> Response:
    return _list(request, session, who, view, state)


def _list(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, state: ContentState | None,
          error: str = "") -> Response:
    rows = service.list_bulletins(session, user=who.user, state=state)
    return view.render(request, "bulletins.html", who, rows=rows, state=state, states=list(ContentState),
                       moves={r.id: next_states(r.state, who.role) for r in rows}, error=error,
                       can_edit=who.role in roles.EDITORS, status_code=422 if error else 200)


def _editor(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, bulletin: object,
            error: str = "", status_code: int = 200) -> Response:
    moves = {}
    if isinstance(bulletin, BulletinPublic):
        moves = {bulletin.id: next_states(bulletin.state, who.role)}
    return view.render(request, "bulletin_edit.html", who, bulletin=bulletin, boards=_boards(session, who),
                       moves=moves,
                       categories=list(Category), priorities=list(Priority), error=error,
                       can_edit=who.role in roles.EDITORS, status_code=status_code)


@router.post("/preview")
def preview(request: Request, who: CheckedPanelUser, view: PagesDep, session: SessionDep,
            renderer: PreviewsDep, title: Title = "", body: Body = "",
            board_id: Annotated[int | None, Form()] = None,
            category: Annotated[Category, Form()] = Category.OTHER,
            priority: Annotated[Priority, Form()] = Priority.NORMAL) -> Response:
    """An htmx fragment: the PNG the player draws for this text at the chosen board's size."""
    boards = {b.id: b for b in _boards(session, who)}
    board = boards.get(board_id) if board_id is not None else None
    width, height = (board.width, board.height) if board else DEFAULT_PREVIEW_SIZE
    draft = BulletinDraft(_nfc(title), _nfc(body), category, priority)
    try:
        key = renderer.render(draft, width, height)
    except PreviewFailed as exc:
        return view.render(request, "preview.html", who, error=str(exc), keys=[], width=width, height=height)
    return view.render(request, "preview.html", who, keys=renderer.page_keys(key), width=width, height=height)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@router.get("/new")
def new_bulletin(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _editor(request, session, who, view, None)


@router.get("/{bulletin_id}")
def edit_bulletin(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                  bulletin_id: int) -> Response:
    bulletin = service.get_bulletin(session, user=who.user, bulletin_id=bulletin_id)
    return _editor(request, session, who, view, bulletin)


Title = Annotated[str, Form()]
Body = Annotated[str, Form()]


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, title: Title, body: Body = "",
           category: Annotated[Category, Form()] = Category.OTHER,
           priority: Annotated[Priority, Form()] = Priority.NORMAL) -> Response:
    made, error = run_service(lambda: service.create_bulletin(
        session, actor=_writer(who, ip), changes=changes,
        data=BulletinCreate(title=title, body=body, category=category, priority=priority)))
    if made is None:
        draft = {"title": title, "body": body, "category": category, "priority": priority}
        return _editor(request, session, who, view, draft, error, 422)
    return see_other(f"/panel/bulletins/{made.id}")


@router.post("/{bulletin_id}")
def update(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, bulletin_id: int, title: Title, body: Body = "",
           category: Annotated[Category, Form()] = Category.OTHER,
           priority: Annotated[Priority, Form()] = Priority.NORMAL) -> Response:
    patch = BulletinUpdate(title=title, body=body, category=category, priority=priority)
    done, error = run_service(lambda: service.update_bulletin(
        session, actor=_writer(who, ip), changes=changes, bulletin_id=bulletin_id, patch=patch))
    if done is None:
        draft = {"id": bulletin_id, "title": title, "body": body, "category": category, "priority": priority}
        return _editor(request, session, who, view, draft, error, 422)
    return see_other(f"/panel/bulletins/{bulletin_id}")


@router.post("/{bulletin_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep, bulletin_id: int,
                 state: StateField, reason: ReasonField = "", back: Annotated[str, Form()] = "") -> Response:
    error = move(session, actor=Actor(who.user, ip), changes=changes, kind="bulletin", item_id=bulletin_id,
                 state=state, reason=reason)
    if error:
        return _list(request, session, who, view, None, error)
    return see_other(f"/panel/bulletins/{bulletin_id}" if back == "editor" else "/panel/bulletins")


def _writer(who: PanelUser, ip: str) -> Actor:
    if who.role not in roles.EDITORS:
        raise Forbidden("panel.role_needed", "writing bulletins needs the admin or editor role")
    return Actor(who.user, ip)


@router.get("/preview/{key}.png")
def preview_image(who: CurrentPanelUser, renderer: PreviewsDep, key: str) -> FileResponse:
    path = renderer.path_for(key)
    if path is None:
        raise HTTPException(404, N_("preview not found; render it again"))
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
