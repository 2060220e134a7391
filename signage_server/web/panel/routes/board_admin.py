"""Boards managed in the panel: create (admins), edit size, capture rectangle, tags, place and kind
(admins and operators), re-pair to a new player and revoke its players (with a confirmation).

Each action calls the same service as the JSON API (``devices/boards``, ``devices/pairing``), which
checks the role and the scope and writes the audit trail; refusals are said in the reader's
language (``refusals``)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import require_role
from signage_server.devices import boards, pairing
from signage_server.devices.poll_cache import forget_everywhere
from signage_server.models import Board, BoardKind, Orientation, User, utcnow
from signage_server.schemas import BoardCreate, BoardUpdate
from signage_server.web.deps import BusDep, ChangesDep, EngineDep, HubDep, PollCacheDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt, form_text
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/boards")
CONFIRM_FIRST = N_("Tick the box to confirm.")

TEXT_FIELDS = ("name", "address", "kind", "orientation", "unit_id", "width", "height")
OPTIONAL_FIELDS = ("latitude", "longitude", "capture_x", "capture_y", "capture_w", "capture_h")


def board_fields(form: dict[str, str]) -> dict[str, Any]:
    """The form's values as the board's fields: empty optional numbers are None, the capture
    origin defaults to 0, tags are comma-separated."""
    data: dict[str, Any] = {k: form.get(k, "").strip() for k in TEXT_FIELDS}
    for key in OPTIONAL_FIELDS:
        value = form.get(key, "").strip()
        data[key] = value or (0 if key in ("capture_x", "capture_y") else None)
    data["tags"] = [t.strip() for t in form.get("tags", "").split(",") if t.strip()]
    return data


def _form_values(form: Any) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _form_page(request: Request, session: Session, who: PanelUser, view: Pages, *, board: Board | None,
               values: dict[str, Any], error: str = "") -> Response:
    return view.render(request, "board_form.html", who, board=board, values=values, error=error,
                       units=units_in_scope(session, who.user), kinds=list(BoardKind),
                       orientations=list(Orientation), status_code=422 if error else 200)


def _values_of(board: Board) -> dict[str, Any]:
    values = board.model_dump()
    values["tags"] = ", ".join(board.tags)
    return values


@router.get("/new")
def new_board(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    require_role(who.user, roles.ADMINS)
    defaults = {"width": 768, "height": 384, "kind": BoardKind.PUBLIC, "orientation": Orientation.LANDSCAPE,
                "capture_x": 0, "capture_y": 0, "unit_id": who.user.unit_id}
    return _form_page(request, session, who, view, board=None, values=defaults)


@router.post("/new")
async def create_board(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                       changes: ChangesDep) -> Response:
    values = _form_values(await request.form())
    tr = view.translator(request)

    def create() -> Board:
        body = BoardCreate.model_validate(board_fields(values))
        return boards.create_board(session, actor=who.user, ip=client_ip(request), changes=changes, body=body)

    made, error = attempt(create, tr)
    if made is None:
        return _form_page(request, session, who, view, board=None, values=values, error=error)
    return see_other(f"/panel/boards/{made.id}?done=created")


@router.get("/{board_id}/edit")
def edit_board(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
               board_id: int) -> Response:
    require_role(who.user, roles.OPERATORS)
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    return _form_page(request, session, who, view, board=board, values=_values_of(board))


@router.post("/{board_id}/edit")
async def save_board(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                     changes: ChangesDep, board_id: int) -> Response:
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    values = _form_values(await request.form())
    tr = view.translator(request)

    def save() -> Board:
        fields = board_fields(values)
        BoardCreate.model_validate(fields)  # the whole board, so a refusal names the field in the form
        return boards.update_board(session, actor=who.user, ip=client_ip(request), changes=changes,
                                   board_id=board_id, body=BoardUpdate.model_validate(fields))

    saved, error = attempt(save, tr)
    if saved is None:
        return _form_page(request, session, who, view, board=board, values=values, error=error)
    return see_other(f"/panel/boards/{board_id}?done=saved")


def _confirm_page(request: Request, who: PanelUser, view: Pages, board: Board, devices: int,
                  error: str = "", code: str = "") -> Response:
    return view.render(request, "board_devices.html", who, board=board, devices=devices, error=error,
                       code=code, status_code=422 if error else 200)


def _live_devices(session: Session, actor: User, board_id: int) -> int:
    rows = pairing.list_devices(session, actor=actor, board_id=board_id)
    return sum(1 for r in rows if r.revoked_at is None)


@router.get("/{board_id}/devices")
def devices_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                 board_id: int) -> Response:
    """Re-pair and revoke, each behind an explicit confirmation on this page."""
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    return _confirm_page(request, who, view, board, _live_devices(session, who.user, board_id))


@router.post("/{board_id}/revoke")
async def revoke(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 engine: EngineDep, hub: HubDep, cache: PollCacheDep, bus: BusDep, board_id: int,
                 confirm: Annotated[str, Form()] = "") -> Response:
    """Revoke every player of the board and drop its connections (the board goes dark until paired
    again); refused unless the confirmation box is ticked."""
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    require_role(who.user, roles.OPERATORS)
    tr = view.translator(request)
    if confirm != "yes":
        return _confirm_page(request, who, view, board, _live_devices(session, who.user, board_id),
                             error=tr(CONFIRM_FIRST))
    ip = client_ip(request)

    def run() -> None:
        with Session(engine) as own:
            pairing.revoke_devices(own, actor=who.user, ip=ip, board_id=board_id)

    await anyio.to_thread.run_sync(run)
    await forget_everywhere(cache, bus, frozenset({board_id}))  # no instance answers old tokens from memory
    await hub.disconnect(board_id)
    return see_other(f"/panel/boards/{board_id}?done=revoked")


@router.post("/{board_id}/repair")
async def repair(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 engine: EngineDep, hub: HubDep, cache: PollCacheDep, bus: BusDep, board_id: int,
                 code: Annotated[str, Form()] = "",
                 confirm: Annotated[str, Form()] = "") -> Response:
    """Pair the board to the player showing ``code`` and revoke the players it had: the code is
    claimed first, so a mistyped code leaves the board as it was."""
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    require_role(who.user, roles.OPERATORS)
    tr = view.translator(request)
    live = _live_devices(session, who.user, board_id)
    if confirm != "yes":
        return _confirm_page(request, who, view, board, live, error=tr(CONFIRM_FIRST), code=code)
    ip, claimed_at = client_ip(request), utcnow()
    try:
        claim = pairing.PairingClaim(code=code)
    except ValidationError as exc:
        return _confirm_page(request, who, view, board, live, error=form_text(exc, tr), code=code)
    ticket, error = attempt(lambda: pairing.claim_code(session, actor=who.user, ip=ip, board_id=board_id,
                                                       claim=claim), tr)
    if ticket is None:
        return _confirm_page(request, who, view, board, live, error=error, code=code)

    def run() -> None:
        with Session(engine) as own:
            pairing.revoke_devices(own, actor=who.user, ip=ip, board_id=board_id, created_before=claimed_at)

    await anyio.to_thread.run_sync(run)
    await forget_everywhere(cache, bus, frozenset({board_id}))  # no instance answers old tokens from memory
    await hub.disconnect(board_id)
    return see_other(f"/panel/boards/{board_id}?done=repaired")
