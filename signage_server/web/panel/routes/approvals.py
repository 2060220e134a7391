"""The approval queue (admins and approvers): what awaits a decision, grouped by kind, with the
approve and reject buttons posting to each kind's own state-change API function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from signage_server.core import roles
from signage_server.core.changes import ChangesDep
from signage_server.models import ContentState, User
from signage_server.schemas import StateChange
from signage_server.web.api import approvals as api
from signage_server.web.api import bulletins, media, playlists, schedules
from signage_server.web.deps import SessionDep
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.common import PagesDep, attempt, local_time, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/approvals")
KINDS: tuple[api.Kind, ...] = ("bulletin", "media", "playlist", "schedule")
CHANGE_STATE: dict[str, Callable[..., Any]] = {
    "bulletin": bulletins.change_state, "media": media.change_state,
    "playlist": playlists.change_state, "schedule": schedules.change_state,
}
DECISIONS = (ContentState.APPROVED, ContentState.REJECTED)


def reviewer(who: PanelUser) -> User:
    if who.role not in roles.REVIEWERS:
        raise HTTPException(403, "this page is for admins and approvers")
    return who.user


def user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    rows = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {u.id: u.full_name or u.username for u in rows if u.id is not None}


def _page(request: Request, session: Session, who: PanelUser, view: Pages, error: str = "") -> Response:
    entries = api.approval_queue(session, reviewer(who), ContentState.SUBMITTED)
    groups = {kind: [e for e in entries if e.kind == kind] for kind in KINDS}
    return view.render(request, "approvals.html", who, groups=groups, units=units_in_scope(session, who.user),
                       names=user_names(session, {e.submitted_by for e in entries}),
                       local=local_time, error=error, status_code=422 if error else 200)


@router.get("")
def queue(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


@router.post("/{kind}/{item_id}/state")
def decide(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, kind: api.Kind, item_id: int, state: Annotated[ContentState, Form()],
           reason: Annotated[str, Form()] = "") -> Response:
    user = reviewer(who)
    if state not in DECISIONS:
        raise HTTPException(422, "the queue only approves or rejects")
    _done, error = attempt(lambda: CHANGE_STATE[kind](
        request, session, user, changes, item_id, StateChange(state=state, reason=reason)))
    if error:
        return _page(request, session, who, view, error)
    return see_other("/panel/approvals")
