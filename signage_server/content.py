"""Helpers shared by the content routers: ownership, scope, the state machine, change notices.

States follow the approval workflow (its own issue extends this): editors submit, approvers and
admins approve, reject (with a reason) and publish within their scope; editing approved or
published content sends it back to ``submitted``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from fastapi import HTTPException, status
from sqlmodel import Session

from .auth import in_scope, not_found
from .changes import Change, ChangeFeed
from .models import AdminUnit, ContentMixin, ContentState, Role, User, utcnow
from .schemas import StateChange

EDITORS = frozenset({Role.ADMIN, Role.EDITOR})
REVIEWERS = frozenset({Role.ADMIN, Role.APPROVER})

S = ContentState
TRANSITIONS: dict[tuple[ContentState, ContentState], frozenset[Role]] = {
    (S.DRAFT, S.SUBMITTED): EDITORS,
    (S.REJECTED, S.SUBMITTED): EDITORS,
    (S.SUBMITTED, S.DRAFT): EDITORS,  # withdraw to keep editing
    (S.REJECTED, S.DRAFT): EDITORS,
    (S.SUBMITTED, S.APPROVED): REVIEWERS,
    (S.SUBMITTED, S.REJECTED): REVIEWERS,
    (S.APPROVED, S.REJECTED): REVIEWERS,
    (S.APPROVED, S.PUBLISHED): REVIEWERS,
    (S.APPROVED, S.DRAFT): REVIEWERS,  # take off the boards
    (S.PUBLISHED, S.DRAFT): REVIEWERS,
}

T = TypeVar("T", bound=ContentMixin)


def get_owned(session: Session, model: type[T], item_id: int, user: User, what: str) -> T:
    """The row if it exists and lies in the user's scope; 404 otherwise (existence does not leak)."""
    row = session.get(model, item_id)
    if row is None or not in_scope(session, user, row.unit_id):
        raise not_found(what, item_id)
    return row


def owner_unit(session: Session, user: User, unit_id: int | None) -> int:
    """The unit new content belongs to: the one asked for (which must be in scope) or the user's."""
    if unit_id is None:
        return user.unit_id
    if session.get(AdminUnit, unit_id) is None or not in_scope(session, user, unit_id):
        raise not_found("unit", unit_id)
    return unit_id


def mark_edited(row: ContentMixin) -> None:
    row.updated_at = utcnow()
    if row.state in (S.APPROVED, S.PUBLISHED):
        row.state = S.SUBMITTED  # changed content needs a fresh approval
        row.rejection_reason = ""


def apply_transition(row: ContentMixin, change: StateChange, user: User) -> None:
    if change.state == row.state:
        return
    roles = TRANSITIONS.get((row.state, change.state))
    if roles is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"cannot go from {row.state.value} to {change.state.value}"
        )
    if user.role not in roles:
        names = ", ".join(sorted(r.value for r in roles))
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"going from {row.state.value} to {change.state.value} needs one of the roles: {names}",
        )
    if change.state == S.REJECTED and not change.reason:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "reason: a rejection needs a reason")
    row.rejection_reason = change.reason if change.state == S.REJECTED else ""
    row.state = change.state
    row.updated_at = utcnow()


def publish(
    feed: ChangeFeed,
    *,
    boards: Iterable[int] = (),
    units: Iterable[int] = (),
    tags: Iterable[str] = (),
    playlists: Iterable[int] = (),
    schedules: Iterable[int] = (),
    media: Iterable[int] = (),
    bulletins: Iterable[int] = (),
    layouts: Iterable[str] = (),
    everything: bool = False,
) -> None:
    """Announce a committed write, naming what it touched."""
    feed.publish(Change(
        boards=frozenset(boards), units=frozenset(units), tags=frozenset(tags),
        playlists=frozenset(playlists), schedules=frozenset(schedules), media=frozenset(media),
        bulletins=frozenset(bulletins), layouts=frozenset(layouts), everything=everything,
    ))
