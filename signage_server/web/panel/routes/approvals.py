"""The approval queue (admins and approvers): first the submissions (a publication or an edit,
each shown as the boards will show it, approved or rejected whole in one action), then content made
part by part, grouped by kind, with the approve and reject buttons moving it through the same
workflow service as the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from signage_server.content import approvals, publications
from signage_server.content.approvals import ApprovalEntry
from signage_server.content.publications import DecisionRequest
from signage_server.content.records import Kind
from signage_server.content.workflow import Actor
from signage_server.core import roles
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import DomainError
from signage_server.core.paging import page_of_list, text_in
from signage_server.models import AdminUnit, ContentState, Submission, User
from signage_server.schemas import StateChange
from signage_server.units.service import subtree_ids
from signage_server.web.deps import ChangesDep, ClientIpDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQuery, ListQueryDep
from signage_server.web.panel.pages import Pages, Translator, error_text, see_other
from signage_server.web.panel.preview import PreviewRenderer
from signage_server.web.panel.routes.common import (
    PagesDep,
    PreviewsDep,
    local_time,
    run_service,
    units_in_scope,
)
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser
from signage_server.web.panel.submission_view import submission_card

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


def _wanted(session: Session, entries: list[ApprovalEntry], q: ListQuery,
            units: dict[int, AdminUnit]) -> list[ApprovalEntry]:
    """The entries the list's filters keep: a kind, words in the title, a unit's subtree."""
    kind = q.params.get("kind")
    unit_id = q.number("unit_id")
    within = set(subtree_ids(session, unit_id)) if unit_id in units and unit_id is not None else None
    return [e for e in entries if (not kind or e.kind == kind) and (not q.text or text_in(q.text, e.title))
            and (within is None or e.unit_id in within)]


def _page(request: Request, session: Session, who: PanelUser, view: Pages, renderer: PreviewRenderer,
          error: str = "", q: ListQuery | None = None) -> Response:
    """Whole submissions first (each approved or rejected in one action), then the parts made one by
    one, filtered and paged."""
    q = q or ListQuery({})
    units = units_in_scope(session, who.user)
    entries = approvals.approval_queue(session, user=reviewer(who), state=ContentState.SUBMITTED)
    found = page_of_list(_wanted(session, entries, q, units), q.page)
    groups = {kind: [e for e in found.rows if e.kind == kind] for kind in KINDS}
    waiting = publications.submission_queue(session, user=who.user)
    cards = [submission_card(session, renderer, s, who.user) for s in waiting]
    return view.render(request, "approvals.html", who, groups=groups, units=units, found=found, q=q,
                       names=user_names(session, {e.submitted_by for e in found.rows}
                                        | {s.submitted_by for s in waiting}),
                       cards=cards, local=local_time, error=error, status_code=422 if error else 200)


@router.get("")
def queue(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
          renderer: PreviewsDep, q: ListQueryDep) -> Response:
    """What waits for a decision, oldest submission first, a page at a time."""
    return _page(request, session, who, view, renderer, q=q)


@router.get("/submissions/{submission_id}")
def submission_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                    renderer: PreviewsDep, submission_id: int) -> Response:
    """One submission: its preview at each target board's size (every page), for an edit the
    difference from what is on air, and the one decision."""
    return submission_detail(request, session, who, view, renderer, submission_id)


def submission_detail(request: Request, session: Session, who: PanelUser, view: Pages,
                      renderer: PreviewRenderer, submission_id: int, error: str = "") -> Response:
    found = publications.get_submission(session, user=reviewer(who), submission_id=submission_id)
    card = submission_card(session, renderer, found, who.user, every_size=True)
    return view.render(request, "submission.html", who, card=card, local=local_time,
                       names=user_names(session, {found.submitted_by}),
                       diff=publications.diff_lines(session, session.get(Submission, submission_id)
                                                    or Submission(unit_id=found.unit_id)),
                       error=error, status_code=422 if error else 200)


@router.post("/submissions/{submission_id}/decision")
def decide_submission(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                      changes: ChangesDep, ip: ClientIpDep, renderer: PreviewsDep, submission_id: int,
                      state: StateField, reason: ReasonField = "",
                      back: Annotated[str, Form()] = "") -> Response:
    """Approve or reject the whole submission in one action."""
    actor = Actor(reviewer(who), ip)
    try:
        publications.decide_submission(session, actor=actor, changes=changes, submission_id=submission_id,
                                       decision=DecisionRequest(state=state, reason=reason))
    except (DomainError, ValidationError) as exc:
        session.rollback()
        message = decision_refusal(exc, view.translator(request))
        if back == "detail":
            return submission_detail(request, session, who, view, renderer, submission_id, message)
        return _page(request, session, who, view, renderer, message)
    return see_other("/panel/approvals")


def decision_refusal(exc: DomainError | ValidationError, _: Translator) -> str:
    """The refusal of a decision in the reader's language, by its code."""
    code = exc.code if isinstance(exc, DomainError) else "content.invalid"
    said = {
        "content.four_eyes": _("You sent this yourself: another approver of the unit must decide on it."),
        "content.reason_needed": _("Write the reason for the rejection: the author will see it."),
        "content.transition_refused": _("This has already been decided."),
        "submission.parts_withdrawn": _("Part of this was withdrawn or rejected since it was sent; "
                                         "ask the author to send it again."),
    }
    return said.get(code, _("The decision was refused: %(reason)s", reason=error_text(exc)))


@router.post("/{kind}/{item_id}/state")
def decide(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           changes: ChangesDep, ip: ClientIpDep, renderer: PreviewsDep, kind: Kind, item_id: int,
           state: StateField, reason: ReasonField = "") -> Response:
    actor = Actor(reviewer(who), ip)
    if state not in DECISIONS:
        raise HTTPException(422, N_("the queue only approves or rejects"))
    error = move(session, actor=actor, changes=changes, kind=kind, item_id=item_id, state=state,
                 reason=reason)
    if error:
        return _page(request, session, who, view, renderer, error)
    return see_other("/panel/approvals")
