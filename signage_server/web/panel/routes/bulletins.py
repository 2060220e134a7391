"""Bulletins: list by state, the editor with a live preview at a board's resolution, state changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, Response
from sqlmodel import col, select

from signage_contract import Category, Priority, TextFlow
from signage_server.content import bulletins as service
from signage_server.content.workflow import Actor, next_states
from signage_server.core import roles
from signage_server.core.auth import scope_unit_ids
from signage_server.core.errors import Forbidden
from signage_server.core.legacy_text import TextConversion
from signage_server.models import Board, ContentState, utcnow
from signage_server.schemas import BulletinCreate, BulletinPublic, BulletinUpdate
from signage_server.web.deps import ChangesDep, ClientIpDep, SessionDep, SpeakerDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQuery, ListQueryDep
from signage_server.web.panel.local_dates import local_text, parse_local, validity_at
from signage_server.web.panel.pages import see_other
from signage_server.web.panel.preview import BulletinDraft, PreviewFailed
from signage_server.web.panel.routes.approvals import ReasonField, StateField, move
from signage_server.web.panel.routes.common import (
    NO_REFUSAL,
    ArchiveMove,
    PagesDep,
    PreviewsDep,
    Refusal,
    draft_text,
    run_archive,
    run_delete,
    run_service,
    units_in_scope,
)
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/bulletins")
DEFAULT_PREVIEW_SIZE = (384, 192)  # a small commune LED board


def _boards(session: SessionDep, who: PanelUser) -> list[Board]:
    ids = scope_unit_ids(session, who.user)
    return list(session.exec(select(Board).where(col(Board.unit_id).in_(ids)).order_by(col(Board.name))))


@router.get("")
def bulletin_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                  q: ListQueryDep) -> Response:
    return _list(request, session, who, view, q)


def _list(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, q: ListQuery,
          error: str = "") -> Response:
    found = service.bulletin_page(session, user=who.user, wanted=q.content(),
                                  category=q.option("category", Category))
    now = utcnow()
    return view.render(request, "bulletins.html", who, rows=found.rows, found=found, q=q,
                       states=list(ContentState), categories=list(Category),
                       units=units_in_scope(session, who.user),
                       moves={r.id: next_states(r.state, who.role) for r in found.rows}, error=error,
                       validity={r.id: validity_at(r.valid_from, r.valid_until, now) for r in found.rows},
                       local_text=local_text,
                       can_edit=who.role in roles.EDITORS, status_code=422 if error else 200)


def _editor(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, bulletin: object,
            error: str = "", status_code: int = 200, refusal: Refusal = NO_REFUSAL,
            typed: dict[str, str] | None = None, converted: Sequence[TextConversion] = ()) -> Response:
    """The editor; ``typed``: the validity dates as written, after a refusal; ``converted``: the
    text the save just converted from TCVN3 or VNI. An approved bulletin with an edit waiting
    shows the edit (the approved text stays on air until it is approved)."""
    moves: dict[int, list[ContentState]] = {}
    used_in: list[tuple[str, str]] | None = None  # known for a stored bulletin, not for a refused draft
    dates = typed or {"valid_from": "", "valid_until": ""}
    pending = False
    if isinstance(bulletin, BulletinPublic):
        moves = {bulletin.id: next_states(bulletin.state, who.role)}
        used = service.where_used(session, user=who.user, bulletin_id=bulletin.id)
        used_in = [(f"/panel/playlists/{ident}", name) for ident, name in used]
        dates = typed or {"valid_from": local_text(bulletin.valid_from),
                          "valid_until": local_text(bulletin.valid_until)}
        if bulletin.pending_edit:  # the editor goes on from their edit; the approved text is on air
            pending = True
            fields = {k: v for k, v in bulletin.pending_edit.items() if k in ("title", "body")}
            bulletin = bulletin.model_copy(update={
                **fields, "category": Category(bulletin.pending_edit.get("category", bulletin.category)),
                "priority": Priority(bulletin.pending_edit.get("priority", bulletin.priority))})
    return view.render(request, "bulletin_edit.html", who, bulletin=bulletin, boards=_boards(session, who),
                       moves=moves, dates=dates, pending=pending,
                       categories=list(Category), priorities=list(Priority), error=error or refusal.message,
                       refusal=refusal, can_edit=who.role in roles.EDITORS, used_in=used_in,
                       converted=converted, status_code=422 if refusal else status_code)


@router.post("/preview")
def preview(request: Request, who: CheckedPanelUser, view: PagesDep, session: SessionDep,
            renderer: PreviewsDep, title: Title = "", body: Body = "",
            board_id: Annotated[int | None, Form()] = None,
            category: Annotated[Category, Form()] = Category.OTHER,
            priority: Annotated[Priority, Form()] = Priority.NORMAL,
            flow: Annotated[TextFlow, Form()] = TextFlow.PAGES) -> Response:
    """An htmx fragment: the PNGs the player draws for this text at the chosen board's size (every
    page, or every screenful of its strip when it scrolls)."""
    boards = {b.id: b for b in _boards(session, who)}
    board = boards.get(board_id) if board_id is not None else None
    width, height = (board.width, board.height) if board else DEFAULT_PREVIEW_SIZE
    shown: dict[str, Any] = {"width": width, "height": height, "scrolls": flow is TextFlow.SCROLL}
    texts, error = draft_text(title, body)
    if texts is None:  # pasted in TCVN3 or VNI and not convertible with confidence: say why
        return view.render(request, "preview.html", who, error=error, keys=[], **shown)
    draft = BulletinDraft(texts.title, texts.body, category, priority, flow)
    shown["converted"] = texts.converted
    try:
        key = renderer.render(draft, width, height)
    except PreviewFailed as exc:
        return view.render(request, "preview.html", who, error=str(exc), keys=[], **shown)
    return view.render(request, "preview.html", who, keys=renderer.page_keys(key), **shown)


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
LocalDate = Annotated[str, Form(max_length=40)]
Speak = Annotated[bool, Form()]
SpeakTimesText = Annotated[str, Form(max_length=200)]  # "07:00, 17:30"


def _times(text: str) -> list[str]:
    """The read-aloud times as typed, one "HH:MM" each (the schema checks them)."""
    return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, speaker: SpeakerDep, title: Title, body: Body = "",
           category: Annotated[Category, Form()] = Category.OTHER,
           priority: Annotated[Priority, Form()] = Priority.NORMAL, valid_from: LocalDate = "",
           valid_until: LocalDate = "", speak: Speak = False, speak_times: SpeakTimesText = "") -> Response:
    """Validity dates are typed in local time, dd/mm/yyyy [hh:mm] (``local_dates``)."""
    made, error = run_service(lambda: service.create_bulletin(
        session, actor=_writer(who, ip), changes=changes, speaker=speaker,
        data=BulletinCreate(title=title, body=body, category=category, priority=priority,
                            speak=speak, speak_times=_times(speak_times),
                            **_validity(valid_from, valid_until))))
    if made is None:
        draft = {"title": title, "body": body, "category": category, "priority": priority,
                 "speak": speak, "speak_times": _times(speak_times)}
        typed = {"valid_from": valid_from, "valid_until": valid_until}
        return _editor(request, session, who, view, draft, error, 422, typed=typed)
    return _saved(request, session, who, view, made)


@router.post("/{bulletin_id}")
def update(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, speaker: SpeakerDep, bulletin_id: int, title: Title,
           body: Body = "",
           category: Annotated[Category, Form()] = Category.OTHER,
           priority: Annotated[Priority, Form()] = Priority.NORMAL, valid_from: LocalDate = "",
           valid_until: LocalDate = "", speak: Speak = False, speak_times: SpeakTimesText = "") -> Response:
    done, error = run_service(lambda: service.update_bulletin(
        session, actor=_writer(who, ip), changes=changes, bulletin_id=bulletin_id, speaker=speaker,
        patch=BulletinUpdate(title=title, body=body, category=category, priority=priority,
                             speak=speak, speak_times=_times(speak_times),
                             **_validity(valid_from, valid_until))))
    if done is None:
        draft = {"id": bulletin_id, "title": title, "body": body, "category": category, "priority": priority,
                 "speak": speak, "speak_times": _times(speak_times)}
        typed = {"valid_from": valid_from, "valid_until": valid_until}
        return _editor(request, session, who, view, draft, error, 422, typed=typed)
    return _saved(request, session, who, view, done)


def _saved(request: Request, session: SessionDep, who: PanelUser, view: PagesDep,
           saved: BulletinPublic) -> Response:
    """Back to the bulletin's page; when text was converted from TCVN3 or VNI, the editor shows
    it at once, as pasted and as saved, for the author to check."""
    if not saved.converted:
        return see_other(f"/panel/bulletins/{saved.id}")
    current = service.get_bulletin(session, user=who.user, bulletin_id=saved.id)
    return _editor(request, session, who, view, current, converted=saved.converted)


@router.post("/{bulletin_id}/state")
def change_state(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 changes: ChangesDep, ip: ClientIpDep, bulletin_id: int,
                 state: StateField, reason: ReasonField = "", back: Annotated[str, Form()] = "") -> Response:
    error = move(session, actor=Actor(who.user, ip), changes=changes, kind="bulletin", item_id=bulletin_id,
                 state=state, reason=reason)
    if error:
        return _list(request, session, who, view, ListQuery({}), error)
    return see_other(f"/panel/bulletins/{bulletin_id}" if back == "editor" else "/panel/bulletins")


@router.post("/{bulletin_id}/delete")
def delete(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, bulletin_id: int) -> Response:
    """Delete a bulletin no playlist shows; otherwise the editor says which playlists do."""
    actor = _writer(who, ip)
    refusal = run_delete(lambda: service.delete_bulletin(
        session, actor=actor, changes=changes, bulletin_id=bulletin_id),
        view.translator(request).lang)
    if refusal:
        bulletin = service.get_bulletin(session, user=who.user, bulletin_id=bulletin_id)
        return _editor(request, session, who, view, bulletin, refusal=refusal)
    return see_other("/panel/bulletins")


def _validity(valid_from: str, valid_until: str) -> dict[str, datetime | None]:
    """Both dates, set (a blank one clears it); a date alone ends at the end of that day."""
    return {"valid_from": parse_local(valid_from, "valid_from"),
            "valid_until": parse_local(valid_until, "valid_until", end_of_day=True)}


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


@router.post("/{bulletin_id}/{move}")
def archive(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
            changes: ChangesDep, ip: ClientIpDep, bulletin_id: int, move: ArchiveMove) -> Response:
    """Archive (refused while a live playlist shows it: the page says which) or restore."""
    actor = _writer(who, ip)
    act = service.archive_bulletin if move == "archive" else service.restore_bulletin
    refusal = run_archive(lambda: act(session, actor=actor, changes=changes, bulletin_id=bulletin_id),
                          view.translator(request).lang)
    if refusal:
        bulletin = service.get_bulletin(session, user=who.user, bulletin_id=bulletin_id)
        return _editor(request, session, who, view, bulletin, refusal=refusal)
    return see_other(f"/panel/bulletins/{bulletin_id}")
