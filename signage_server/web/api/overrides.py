"""Emergency overrides: issue and confirm (two steps), update, cancel, list, per-board status.

Operators and admins act, within their unit's subtree (targets outside it answer 404, as for every
other router). Everyone may read the overrides that concern their scope: those issued in it, and
those issued above it (a province's warning over a commune's boards); per-board status lists only
the boards in the reader's scope. Overrides past their expiry turn ``expired`` on every read.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session, col, or_, select

from signage_server.core.auth import in_scope, not_found, scope_unit_ids
from signage_server.emergency import overrides as lifecycle
from signage_server.emergency.receipts import delivery_status, reachable_boards
from signage_server.emergency.schemas import (
    BoardTargetPublic,
    OverrideCreate,
    OverridePublic,
    OverrideStatusPublic,
    OverrideUpdate,
    OverrideWithBoards,
)
from signage_server.emergency.targets import BoardBrief
from signage_server.models import Override, OverrideState, User, utcnow
from signage_server.units.service import ancestor_ids
from signage_server.web.deps import CurrentUser, OperatorUser, SessionDep, SettingsDep

router = APIRouter(prefix="/overrides", tags=["overrides"])


def _expire(session: Session, request: Request) -> None:
    boards = lifecycle.expire_due(session, utcnow())
    if boards:
        lifecycle.announce(request.app.state, None, boards)


def _visible(session: Session, user: User, row: Override) -> bool:
    return row.unit_id is None or in_scope(session, user, row.unit_id) or row.unit_id in ancestor_ids(
        session, user.unit_id)


def _get(session: Session, user: User, override_id: int) -> Override:
    row = session.get(Override, override_id)
    if row is None or not _visible(session, user, row):
        raise not_found("override", override_id)
    return row


def _owned(session: Session, user: User, override_id: int) -> Override:
    """An override the user may act on: issued in their scope."""
    row = _get(session, user, override_id)
    if row.unit_id is None or not in_scope(session, user, row.unit_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"override {override_id} was issued above your unit; its issuer acts on it")
    return row


def _with_boards(row: Override, boards: list[BoardBrief]) -> OverrideWithBoards:
    return OverrideWithBoards(
        **OverridePublic.of(row).model_dump(), board_count=len(boards),
        boards=[BoardTargetPublic(id=b.id, name=b.name, unit_id=b.unit_id) for b in boards])


@router.post("", response_model=OverrideWithBoards, status_code=status.HTTP_201_CREATED)
def create_override(session: SessionDep, user: OperatorUser, settings: SettingsDep, request: Request,
                    body: OverrideCreate) -> OverrideWithBoards:
    """Step one: nothing is pushed yet; the answer lists the boards a confirmation would take over."""
    lifecycle.check_targets(session, user, body)
    now = utcnow()
    row = lifecycle.issue(session, lifecycle.Actor.of(user, request), body, user.unit_id, now,
                          settings.override_max_hours)
    session.commit()
    session.refresh(row)
    return _with_boards(row, lifecycle.targets(session, row, now))


@router.post("/{override_id}/confirm", response_model=OverrideWithBoards)
def confirm_override(session: SessionDep, user: OperatorUser, request: Request,
                     override_id: int) -> OverrideWithBoards:
    """Step two: the override goes live and is pushed to every targeted board at once."""
    row = _owned(session, user, override_id)
    now = utcnow()
    lifecycle.activate(session, row, lifecycle.Actor.of(user, request), now)
    session.commit()
    boards = lifecycle.targets(session, row, now)
    lifecycle.announce(request.app.state, lifecycle.push_text(session, row), [b.id for b in boards])
    return _with_boards(row, boards)


@router.patch("/{override_id}", response_model=OverridePublic)
def update_override(session: SessionDep, user: OperatorUser, settings: SettingsDep, request: Request,
                    override_id: int, body: OverrideUpdate) -> OverridePublic:
    """Text, level or expiry; an active override is pushed again to its boards."""
    _expire(session, request)
    row = _owned(session, user, override_id)
    now = utcnow()
    lifecycle.change(session, row, lifecycle.Actor.of(user, request), body, now, settings.override_max_hours)
    session.commit()
    if row.state is OverrideState.ACTIVE:
        boards = [b.id for b in lifecycle.targets(session, row, now)]
        lifecycle.announce(request.app.state, lifecycle.push_text(session, row), boards)
    return OverridePublic.of(row)


@router.post("/{override_id}/cancel", response_model=OverridePublic)
def cancel_override(session: SessionDep, user: OperatorUser, request: Request,
                    override_id: int) -> OverridePublic:
    row = _owned(session, user, override_id)
    now = utcnow()
    was_active = lifecycle.revoke(session, row, lifecycle.Actor.of(user, request), now)
    session.commit()
    if was_active:
        boards = [b.id for b in lifecycle.targets(session, row, now)]
        lifecycle.announce(request.app.state, lifecycle.cancel_text(row), boards)
    return OverridePublic.of(row)


@router.get("", response_model=list[OverridePublic])
def list_overrides(session: SessionDep, user: CurrentUser, request: Request,
                   state: OverrideState | None = None) -> list[OverridePublic]:
    _expire(session, request)
    units = set(scope_unit_ids(session, user)) | set(ancestor_ids(session, user.unit_id))
    query = select(Override).where(or_(col(Override.unit_id).in_(units), col(Override.unit_id).is_(None)))
    if state is not None:
        query = query.where(Override.state == state)
    return [OverridePublic.of(r) for r in session.exec(query.order_by(col(Override.id).desc())).all()]


@router.get("/{override_id}", response_model=OverridePublic)
def get_override(
    session: SessionDep, user: CurrentUser, request: Request, override_id: int
) -> OverridePublic:
    _expire(session, request)
    return OverridePublic.of(_get(session, user, override_id))


@router.get("/{override_id}/status", response_model=OverrideStatusPublic)
def override_status(session: SessionDep, user: CurrentUser, settings: SettingsDep, request: Request,
                    override_id: int) -> OverrideStatusPublic:
    """Per board: displayed, delivered, pending (reachable, no receipt yet) or unreachable; counts.
    Receipts are written as the boards' acks arrive, so each read shows the latest."""
    _expire(session, request)
    row = _get(session, user, override_id)
    now = utcnow()
    scope = set(scope_unit_ids(session, user))
    boards = [b for b in lifecycle.targets(session, row, now) if b.unit_id in scope]
    window = timedelta(seconds=2 * settings.poll_interval_s + 30)
    connected = request.app.state.hub.connected_boards()
    return delivery_status(session, row, boards, connected, reachable_boards(session, now, window))
