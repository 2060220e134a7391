"""Playlists: create, add items (bulletin, image, ticker, clock), durations, reorder, remove, states."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import col, select

from signage_server.content.kinds import Content, kind_for
from signage_server.content.schemas import ItemCreate, ItemUpdate, PlaylistCreate, ReorderRequest
from signage_server.core import roles
from signage_server.core.auth import scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import Bulletin, ContentState, ItemKind, Media, User
from signage_server.schemas import StateChange
from signage_server.web.api import playlist_items as items_api
from signage_server.web.api import playlists as api
from signage_server.web.deps import SessionDep
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.bulletins import next_states
from signage_server.web.panel.routes.common import PagesDep, attempt
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/playlists")
Move = Annotated[str, Form(pattern="^(up|down)$")]


def _editor(who: PanelUser) -> User:
    if who.role not in roles.EDITORS:
        raise HTTPException(403, "editing playlists needs the admin or editor role")
    return who.user


@router.get("")
def playlist_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _list(request, session, who, view)


def _list(request: Request, session: SessionDep, who: PanelUser, view: Pages, error: str = "",
          status_code: int = 200) -> Response:
    rows = api.list_playlists(session, who.user, None)
    return view.render(request, "playlists.html", who, rows=rows, can_edit=who.role in roles.EDITORS,
                       moves={r.id: next_states(r.state, who.role) for r in rows}, error=error,
                       status_code=status_code)


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, name: Annotated[str, Form()]) -> Response:
    made, error = attempt(
        lambda: api.create_playlist(request, session, _editor(who), changes, PlaylistCreate(name=name)))
    if made is None:
        return _list(request, session, who, view, error, 422)
    return see_other(f"/panel/playlists/{made.id}")


def _detail(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, playlist_id: int,
            error: str = "") -> Response:
    playlist = api.get_playlist(session, who.user, playlist_id)
    units = scope_unit_ids(session, who.user)
    bulletins = session.exec(select(Bulletin).where(col(Bulletin.unit_id).in_(units))
                             .order_by(col(Bulletin.id).desc())).all()
    media = session.exec(
        select(Media).where(col(Media.unit_id).in_(units)).order_by(col(Media.id).desc())).all()
    return view.render(request, "playlist.html", who, playlist=playlist,
                       bulletins={b.id: b for b in bulletins}, media={m.id: m for m in media},
                       kinds=list(ItemKind), error=error,
                       can_edit=who.role in roles.EDITORS,
                       moves={playlist.id: next_states(playlist.state, who.role)},
                       status_code=422 if error else 200)


@router.get("/{playlist_id}")
def detail(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
           playlist_id: int) -> Response:
    return _detail(request, session, who, view, playlist_id)


def _after(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, playlist_id: int,
           done: object, error: str) -> Response:
    if done is None:
        return _detail(request, session, who, view, playlist_id, error)
    return see_other(f"/panel/playlists/{playlist_id}")


@router.post("/{playlist_id}/items")
def add_item(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
             changes: ChangesDep, playlist_id: int, kind: Annotated[ItemKind, Form()],
             duration_s: Annotated[float, Form()] = 10.0, bulletin_id: Annotated[str, Form()] = "",
             media_id: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "") -> Response:
    fields: dict[str, Any] = {"kind": kind, "duration_s": duration_s}
    content = kind_for(kind).content  # the form has a field for each content an item can name
    chosen = {"bulletin_id": bulletin_id, "media_id": media_id}.get(content.reference or "")
    if content.reference and chosen:
        fields[content.reference] = int(chosen)
    if content is Content.TEXT:
        fields["text"] = text
    done, error = attempt(lambda: items_api.add_item(request,
        session, _editor(who), changes, playlist_id, ItemCreate.model_validate(fields)))
    return _after(request, session, who, view, playlist_id, done, error)


@router.post("/{playlist_id}/items/{item_id}/duration")
def set_duration(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, playlist_id: int, item_id: int,
                 duration_s: Annotated[float, Form()]) -> Response:
    done, error = attempt(lambda: items_api.update_item(request,
        session, _editor(who), changes, playlist_id, item_id, ItemUpdate(duration_s=duration_s)))
    return _after(request, session, who, view, playlist_id, done, error)


@router.post("/{playlist_id}/items/{item_id}/move")
def move_item(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
              changes: ChangesDep, playlist_id: int, item_id: int, direction: Move) -> Response:
    order = [i.id for i in api.get_playlist(session, who.user, playlist_id).items]
    if item_id in order:
        at = order.index(item_id)
        to = at - 1 if direction == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
    done, error = attempt(lambda: items_api.reorder_items(request,
        session, _editor(who), changes, playlist_id, ReorderRequest(item_ids=order)))
    return _after(request, session, who, view, playlist_id, done, error)


@router.post("/{playlist_id}/items/{item_id}/remove")
def remove_item(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                changes: ChangesDep, playlist_id: int, item_id: int) -> Response:
    done, error = attempt(
        lambda: items_api.remove_item(request, session, _editor(who), changes, playlist_id, item_id))
    return _after(request, session, who, view, playlist_id, done, error)


@router.post("/{playlist_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, playlist_id: int, state: Annotated[ContentState, Form()],
                 reason: Annotated[str, Form()] = "") -> Response:
    done, error = attempt(lambda: api.change_state(request,
        session, who.user, changes, playlist_id, StateChange(state=state, reason=reason)))
    return _after(request, session, who, view, playlist_id, done, error)
