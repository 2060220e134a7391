"""The approval queue (admins and approvers): what awaits a decision, grouped by kind, with the
approve and reject buttons moving the content through the same workflow service as the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from signage_server.content import approvals
from signage_server.content.records import Kind
from signage_server.content.workflow import Actor
from signage_server.core import roles
from signage_server.core.changes import ChangeFeed
from signage_server.models import ContentState, User
from signage_server.schemas import StateChange
from signage_server.web.deps import ChangesDep, ClientIpDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.common import PagesDep, local_time, run_service, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/approvals")
KINDS: tuple[Kind, ...] = ("bulletin", "media", "playlist", "schedule")
DECISIONS = (ContentState.APPROVED, ContentState.REJECTED)
StateField = Annotated[ContentState, Form()]
ReasonField = Annotated[str, Form()]


def move(session: Session, *, actor: Actor, changes: ChangeFeed, kind: Kind, item_id: int,
         state: ContentState, reason: str) -> str:
    """A workflow move asked for by a page's buttons: "" when done, else the refusal's message."""
    _done, error = run_service(lambda: approvals.decide(
        session, actor=actor, changes=changes, kind=kind, item_id=item_id,
        change=StateChange(state=state, reason=reason)))
    return error


def reviewer(who: PanelUser) -> User:
    if who.role not in roles.REVIEWERS:
        raise HTTPException(403, N_("this page is for admins and approvers"))
    return who.user


def user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    rows = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {u.id: u.full_name or u.username for u in rows if u.id is not None}


def _page(request: Request, session: Session, who: PanelUser, view: Pages, error: str = "") -> Response:
    entries = approvals.approval_queue(session, user=reviewer(who), state=ContentState.SUBMITTED)
    groups = {kind: [e for e in entries if e.kind == kind] for kind in KINDS}
    return view.render(request, "approvals.html", who, groups=groups, units=units_in_scope(session, who.user),
                       names=user_names(session, {e.submitted_by for e in entries}),
                       local=local_time, error=error, status_code=422 if error else 200)


@router.get("")
def queue(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.post("/{kind}/{item_id}/state")
def decide(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, kind: Kind, item_id: int,
           state: StateField, reason: ReasonField = "") -> Response:
    actor = Actor(reviewer(who), ip)
    if state not in DECISIONS:
        raise HTTPException(422, N_("the queue only approves or rejects"))
    error = move(session, actor=actor, changes=changes, kind=kind, item_id=item_id, state=state,
                 reason=reason)
    if error:
        return _page(request, session, who, view, error)
    return see_other("/panel/approvals")
