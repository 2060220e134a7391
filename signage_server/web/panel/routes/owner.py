"""The owner of a requisitioned board: their own slides on their board (``content/owner_content``),
played outside the requisition windows once the unit's approvers have approved them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_server.content import owner_content
from signage_server.content.owner_content import OwnerSlideCreate
from signage_server.content.workflow import Actor
from signage_server.core.audit import client_ip
from signage_server.devices import requisition
from signage_server.models import Board
from signage_server.web.deps import ChangesDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/owner")
DONE_WORDS = {"added": N_("The slide was added; it plays once the approvers have approved it."),
              "removed": N_("The slide was removed.")}


def _page(request: Request, session: Session, who: PanelUser, view: Pages, error: str = "") -> Response:
    mine = owner_content.owner_content(session, user=who.user)
    board = session.get(Board, mine.board_id)
    assert board is not None
    windows = requisition.windows_of(session, board_id=mine.board_id)
    return view.render(request, "owner.html", who, mine=mine, board=board, windows=windows, error=error,
                       status_code=422 if error else 200,
                       done=DONE_WORDS.get(request.query_params.get("done", "")))


@router.get("")
def my_board(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.post("/slides")
def add(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
        title: Annotated[str, Form()], body: Annotated[str, Form()] = "",
        duration_s: Annotated[str, Form()] = "10") -> Response:
    actor = Actor(who.user, client_ip(request))
    made, error = attempt(lambda: owner_content.add_slide(
        session, actor=actor, changes=changes,
        data=OwnerSlideCreate.model_validate({"title": title, "body": body, "duration_s": duration_s})),
        view.translator(request))
    if made is None:
        session.rollback()
        return _page(request, session, who, view, error)
    return see_other("/panel/owner?done=added")


@router.post("/slides/{item_id}/remove")
def remove(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
           item_id: int) -> Response:
    actor = Actor(who.user, client_ip(request))
    _done, error = attempt(lambda: owner_content.remove_slide(
        session, actor=actor, changes=changes, item_id=item_id), view.translator(request))
    if error:
        session.rollback()
        return _page(request, session, who, view, error)
    return see_other("/panel/owner?done=removed")
