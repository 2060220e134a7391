"""Playlists: create, add items (bulletin, image, ticker, clock, QR code), durations, reorder, remove,
states."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from signage_contract import TextFlow
from signage_server.content import media, playlists
from signage_server.content.bulletins import list_bulletins
from signage_server.content.kinds import Content, kind_for
from signage_server.content.schemas import ItemCreate, ItemUpdate, PlaylistCreate, PlaylistUpdate
from signage_server.content.workflow import Actor, next_states
from signage_server.core import roles
from signage_server.core.errors import Forbidden
from signage_server.core.legacy_text import TextConversion
from signage_server.models import ContentState, ItemKind
from signage_server.web.deps import ChangesDep, ClientIpDep, SessionDep
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

router = APIRouter(prefix="/playlists")
Move = Annotated[str, Form(pattern="^(up|down)$")]
KIND_FIELDS = {Content.BULLETIN: "bulletin_id", Content.MEDIA: "media_id", Content.TEXT: "text",
               Content.PDF: "media_id"}
"""Which field of the add-item form each kind of content fills (the form shows only that one)."""


def _editor(who: PanelUser, ip: str) -> Actor:
    if who.role not in roles.EDITORS:
        raise Forbidden("panel.role_needed", "editing playlists needs the admin or editor role")
    return Actor(who.user, ip)


@router.get("")
def playlist_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                  q: ListQueryDep) -> Response:
    return _list(request, session, who, view, q)


def _list(request: Request, session: SessionDep, who: PanelUser, view: Pages, q: ListQuery, error: str = "",
          status_code: int = 200) -> Response:
    found = playlists.playlist_page(session, user=who.user, wanted=q.content())
    return view.render(request, "playlists.html", who, rows=found.rows, found=found, q=q,
                       states=list(ContentState), units=units_in_scope(session, who.user),
                       can_edit=who.role in roles.EDITORS,
                       moves={r.id: next_states(r.state, who.role) for r in found.rows}, error=error,
                       status_code=status_code)


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, name: Annotated[str, Form()]) -> Response:
    made, error = run_service(lambda: playlists.create_playlist(
        session, actor=_editor(who, ip), changes=changes, data=PlaylistCreate(name=name)))
    if made is None:
        return _list(request, session, who, view, ListQuery({}), error, 422)
    return see_other(f"/panel/playlists/{made.id}")


def _detail(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, playlist_id: int,
            error: str = "", refusal: Refusal = NO_REFUSAL,
            converted: Sequence[TextConversion] = ()) -> Response:
    """The playlist's page; ``converted``: a ticker text the last write converted from TCVN3 or VNI."""
    playlist = playlists.get_playlist(session, user=who.user, playlist_id=playlist_id)
    bulletins = reversed(list_bulletins(session, user=who.user))
    images = media.library(session, user=who.user)
    used = playlists.where_used(session, user=who.user, playlist_id=playlist_id)
    return view.render(request, "playlist.html", who, playlist=playlist,
                       used_in=[(f"/panel/schedules/{ident}", name) for ident, name in used],
                       bulletins={b.id: b for b in bulletins}, media={m.id: m for m in images},
                       kinds=[(k, KIND_FIELDS.get(kind_for(k).content, "")) for k in ItemKind],
                       captioned=[k.value for k in ItemKind if CAPTION_OPTION in kind_for(k).option_keys],
                       error=error or refusal.message, refusal=refusal,
                       can_edit=who.role in roles.EDITORS,
                       moves={playlist.id: next_states(playlist.state, who.role)}, converted=converted,
                       status_code=422 if error or refusal else 200)


@router.get("/{playlist_id}")
def detail(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
           playlist_id: int) -> Response:
    return _detail(request, session, who, view, playlist_id)


def _after(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, playlist_id: int,
           error: str) -> Response:
    """The playlist page again: with the refusal's message, or (done) by a redirect."""
    if error:
        return _detail(request, session, who, view, playlist_id, error)
    return see_other(f"/panel/playlists/{playlist_id}")


@router.post("/{playlist_id}/items")
def add_item(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
             changes: ChangesDep, ip: ClientIpDep, playlist_id: int, kind: Annotated[ItemKind, Form()],
             duration_s: Annotated[float, Form()] = 10.0, bulletin_id: Annotated[str, Form()] = "",
             media_id: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
             flow: Annotated[TextFlow, Form()] = TextFlow.PAGES,
             caption: Annotated[str, Form(max_length=500)] = "") -> Response:
    fields: dict[str, Any] = {"kind": kind, "duration_s": duration_s}
    if FLOW_OPTION in kind_for(kind).option_keys and flow is not TextFlow.PAGES:
        fields["options"] = {FLOW_OPTION: flow.value}
    if CAPTION_OPTION in kind_for(kind).option_keys and caption.strip():
        fields["options"] = {**fields.get("options", {}), CAPTION_OPTION: caption.strip()}
    if PAGE_OPTION in kind_for(kind).option_keys:  # a PDF: the seconds are each page's
        fields["options"] = {**fields.get("options", {}), PAGE_OPTION: duration_s}
    content = kind_for(kind).content  # the form has a field for each content an item can name
    chosen = {"bulletin_id": bulletin_id, "media_id": media_id}.get(content.reference or "")
    if content.reference and chosen:
        fields[content.reference] = int(chosen)
    if content is Content.TEXT:
        fields["text"] = text
    done, error = run_service(lambda: playlists.add_item(
        session, actor=_editor(who, ip), changes=changes, playlist_id=playlist_id,
        item=ItemCreate.model_validate(fields)))
    if done is not None and done.converted:  # shown at once, as pasted and as saved
        return _detail(request, session, who, view, playlist_id, converted=done.converted)
    return _after(request, session, who, view, playlist_id, error)


PAGED_OPTION = "duration_fixed"  # a text item's option: its duration is fixed, its pages share it
FLOW_OPTION = "flow"  # a text item's option: too long for its region, it pages or scrolls
CAPTION_OPTION = "caption"  # a QR code's option: the line beside or below the code
PAGE_OPTION = "page_s"  # a PDF item's option: how long each page shows


@router.post("/{playlist_id}/items/{item_id}/duration")
def set_duration(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep, playlist_id: int, item_id: int,
                 duration_s: Annotated[float, Form()], fixed: Annotated[bool, Form()] = False,
                 flow: Annotated[TextFlow, Form()] = TextFlow.PAGES) -> Response:
    """The item's duration; for a text that may be paged, whether it is fixed (the pages share it)
    or the least it shows (it lasts as long as its pages take to read), and whether it pages or
    scrolls."""
    patch = ItemUpdate(duration_s=duration_s)
    shown = playlists.editing_items(playlists.get_playlist(session, user=who.user, playlist_id=playlist_id))
    item = next((i for i in shown if i.id == item_id), None)
    if item is not None and PAGED_OPTION in kind_for(item.kind).option_keys:
        options = {**item.options, PAGED_OPTION: fixed}
        if flow is not TextFlow.PAGES or FLOW_OPTION in options:  # the default is stored once chosen
            options[FLOW_OPTION] = flow.value
        patch = ItemUpdate(duration_s=duration_s, options=options)
    if item is not None and PAGE_OPTION in kind_for(item.kind).option_keys:
        patch = ItemUpdate(duration_s=duration_s, options={**item.options, PAGE_OPTION: duration_s})
    _done, error = run_service(lambda: playlists.update_item(
        session, actor=_editor(who, ip), changes=changes, playlist_id=playlist_id, item_id=item_id,
        patch=patch))
    return _after(request, session, who, view, playlist_id, error)


@router.post("/{playlist_id}/items/{item_id}/fit")
def set_fit(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
            changes: ChangesDep, ip: ClientIpDep, playlist_id: int, item_id: int,
            fit: Annotated[str, Form(max_length=16)], letterbox: Annotated[str, Form(max_length=16)] = "",
            background: Annotated[str, Form(max_length=16)] = "") -> Response:
    """How an image fills its region: fitted whole (contain) over a blurred copy of itself or a
    colour, or filling it (cover); the image kind's options validate the values."""
    options: dict[str, Any] = {"fit": fit}
    if letterbox:
        options["letterbox"] = letterbox
    if background:
        options["background"] = background.upper()
    shown = playlists.editing_items(playlists.get_playlist(session, user=who.user, playlist_id=playlist_id))
    item = next((i for i in shown if i.id == item_id), None)
    current = item.options if item is not None else {}
    _done, error = run_service(lambda: playlists.update_item(
        session, actor=_editor(who, ip), changes=changes, playlist_id=playlist_id, item_id=item_id,
        patch=ItemUpdate(options={**current, **options})))
    return _after(request, session, who, view, playlist_id, error)


@router.post("/{playlist_id}/items/{item_id}/move")
def move_item(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
              changes: ChangesDep, ip: ClientIpDep, playlist_id: int, item_id: int,
              direction: Move) -> Response:
    found = playlists.get_playlist(session, user=who.user, playlist_id=playlist_id)
    order = [i.id for i in playlists.editing_items(found)]
    if item_id in order:
        at = order.index(item_id)
        to = at - 1 if direction == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
    _done, error = run_service(lambda: playlists.reorder_items(
        session, actor=_editor(who, ip), changes=changes, playlist_id=playlist_id, item_ids=order))
    return _after(request, session, who, view, playlist_id, error)


@router.post("/{playlist_id}/order")
def set_order(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
              changes: ChangesDep, ip: ClientIpDep, playlist_id: int,
              item_ids: Annotated[list[int], Form()]) -> Response:
    """The whole order at once, as the page's drag-and-drop leaves it."""
    _done, error = run_service(lambda: playlists.reorder_items(
        session, actor=_editor(who, ip), changes=changes, playlist_id=playlist_id, item_ids=item_ids))
    return _after(request, session, who, view, playlist_id, error)


@router.post("/{playlist_id}/rename")
def rename(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, playlist_id: int, name: Annotated[str, Form()]) -> Response:
    _done, error = run_service(lambda: playlists.update_playlist(
        session, actor=_editor(who, ip), changes=changes, playlist_id=playlist_id,
        patch=PlaylistUpdate(name=name)))
    return _after(request, session, who, view, playlist_id, error)


@router.post("/{playlist_id}/delete")
def delete(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, playlist_id: int) -> Response:
    """Delete a playlist no schedule uses; otherwise the page says which schedules do."""
    actor = _editor(who, ip)
    refusal = run_delete(lambda: playlists.delete_playlist(
        session, actor=actor, changes=changes, playlist_id=playlist_id),
        view.translator(request).lang)
    if refusal:
        return _detail(request, session, who, view, playlist_id, refusal=refusal)
    return see_other("/panel/playlists")


@router.post("/{playlist_id}/items/{item_id}/remove")
def remove_item(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                changes: ChangesDep, ip: ClientIpDep, playlist_id: int, item_id: int) -> Response:
    _done, error = run_service(lambda: playlists.remove_item(
        session, actor=_editor(who, ip), changes=changes, playlist_id=playlist_id, item_id=item_id))
    return _after(request, session, who, view, playlist_id, error)


@router.post("/{playlist_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep, playlist_id: int,
                 state: StateField, reason: ReasonField = "") -> Response:
    error = move(session, actor=Actor(who.user, ip), changes=changes, kind="playlist", item_id=playlist_id,
                 state=state, reason=reason)
    return _after(request, session, who, view, playlist_id, error)


@router.post("/{playlist_id}/{move}")
def archive(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
            changes: ChangesDep, ip: ClientIpDep, playlist_id: int, move: ArchiveMove) -> Response:
    """Archive (refused while a live schedule plays it: the page says which) or restore."""
    actor = _editor(who, ip)
    act = playlists.archive_playlist if move == "archive" else playlists.restore_playlist
    refusal = run_archive(lambda: act(session, actor=actor, changes=changes, playlist_id=playlist_id),
                          view.translator(request).lang)
    if refusal:
        return _detail(request, session, who, view, playlist_id, refusal=refusal)
    return see_other(f"/panel/playlists/{playlist_id}")
