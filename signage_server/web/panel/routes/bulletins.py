"""Bulletins: list by state, the editor with a live preview at a board's resolution, state changes."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, Response
from sqlmodel import col, select

from signage_contract import Category, Priority
from signage_server.content.workflow import TRANSITIONS
from signage_server.core import roles
from signage_server.core.auth import scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import Board, ContentState, Role, User
from signage_server.schemas import BulletinCreate, BulletinPublic, BulletinUpdate, StateChange
from signage_server.web.api import bulletins as api
from signage_server.web.deps import SessionDep
from signage_server.web.panel.pages import see_other
from signage_server.web.panel.preview import BulletinDraft, PreviewFailed, PreviewRenderer
from signage_server.web.panel.routes.common import PagesDep, attempt
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/bulletins")
DEFAULT_PREVIEW_SIZE = (384, 192)  # a small commune LED board


def next_states(state: ContentState, role: Role) -> list[ContentState]:
    """The moves this role may make from ``state`` (the buttons offered)."""
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == state and role in roles]


def _boards(session: SessionDep, who: PanelUser) -> list[Board]:
    ids = scope_unit_ids(session, who.user)
    return list(session.exec(select(Board).where(col(Board.unit_id).in_(ids)).order_by(col(Board.name))))


@router.get("")
def bulletin_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                  state: ContentState | None = None) -> Response:
    rows = api.list_bulletins(session, who.user, state)
    return view.render(request, "bulletins.html", who, rows=rows, state=state, states=list(ContentState),
                       moves={r.id: next_states(r.state, who.role) for r in rows},
                       can_edit=who.role in roles.EDITORS)


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
                  title: Title = "", body: Body = "", board_id: Annotated[int | None, Form()] = None,
                  category: Annotated[Category, Form()] = Category.OTHER,
                  priority: Annotated[Priority, Form()] = Priority.NORMAL) -> Response:
    """An htmx fragment: the PNG the player draws for this text at the chosen board's size."""
    boards = {b.id: b for b in _boards(session, who)}
    board = boards.get(board_id) if board_id is not None else None
    width, height = (board.width, board.height) if board else DEFAULT_PREVIEW_SIZE
    renderer: PreviewRenderer = request.app.state.panel_previews
    draft = BulletinDraft(_nfc(title), _nfc(body), category, priority)
    try:
        key = renderer.render(draft, width, height)
    except PreviewFailed as exc:
        return view.render(request, "preview.html", who, error=str(exc), key=None, width=width, height=height)
    return view.render(request, "preview.html", who, key=key, width=width, height=height)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@router.get("/new")
def new_bulletin(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _editor(request, session, who, view, None)


@router.get("/{bulletin_id}")
def edit_bulletin(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                  bulletin_id: int) -> Response:
    return _editor(request, session, who, view, api.get_bulletin(session, who.user, bulletin_id))


Title = Annotated[str, Form()]
Body = Annotated[str, Form()]


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, title: Title, body: Body = "",
           category: Annotated[Category, Form()] = Category.OTHER,
           priority: Annotated[Priority, Form()] = Priority.NORMAL) -> Response:
    made, error = attempt(lambda: api.create_bulletin(
        request, session, _editor_user(who), changes,
        BulletinCreate(title=title, body=body, category=category, priority=priority)))
    if made is None:
        draft = {"title": title, "body": body, "category": category, "priority": priority}
        return _editor(request, session, who, view, draft, error, 422)
    return see_other(f"/panel/bulletins/{made.id}")


@router.post("/{bulletin_id}")
def update(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, bulletin_id: int, title: Title, body: Body = "",
           category: Annotated[Category, Form()] = Category.OTHER,
           priority: Annotated[Priority, Form()] = Priority.NORMAL) -> Response:
    patch = BulletinUpdate(title=title, body=body, category=category, priority=priority)
    done, error = attempt(
        lambda: api.update_bulletin(request, session, _editor_user(who), changes, bulletin_id, patch))
    if done is None:
        draft = {"id": bulletin_id, "title": title, "body": body, "category": category, "priority": priority}
        return _editor(request, session, who, view, draft, error, 422)
    return see_other(f"/panel/bulletins/{bulletin_id}")


@router.post("/{bulletin_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, bulletin_id: int, state: Annotated[ContentState, Form()],
                 reason: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    done, error = attempt(lambda: api.change_state(request,
        session, who.user, changes, bulletin_id, StateChange(state=state, reason=reason)))
    if done is None:
        rows = api.list_bulletins(session, who.user, None)
        return view.render(request, "bulletins.html", who, rows=rows, state=None, states=list(ContentState),
                           moves={r.id: next_states(r.state, who.role) for r in rows}, error=error,
                           can_edit=who.role in roles.EDITORS, status_code=422)
    return see_other(f"/panel/bulletins/{bulletin_id}" if back == "editor" else "/panel/bulletins")


def _editor_user(who: PanelUser) -> User:
    if who.role not in roles.EDITORS:
        raise HTTPException(403, "writing bulletins needs the admin or editor role")
    return who.user


@router.get("/preview/{key}.png")
def preview_image(request: Request, who: CurrentPanelUser, key: str) -> FileResponse:
    renderer: PreviewRenderer = request.app.state.panel_previews
    path = renderer.path_for(key)
    if path is None:
        raise HTTPException(404, "preview not found; render it again")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
