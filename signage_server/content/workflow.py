"""The content workflow: ownership, scope, the approval rules, audit and change notices.

Workflow: editors submit, approvers and admins approve, reject (with a reason) and publish within
their scope (their unit's subtree). Four-eyes: nobody decides on their own submission, unless the
content's unit lets trusted editors auto-approve (``UnitSettings``), in which case an editor's
submission is approved at once (a playlist or schedule whose parts wait stays submitted). An edit
of approved or published content waits beside it as a submission (``publications``,
``pending_edits``) while the approved version stays on air; where trusted editors auto-approve,
``mark_edited`` sends the edited row back to ``submitted`` instead. Approval does not cascade: a
playlist is approved only once the media and bulletins it shows are, a schedule only once its
playlists are; otherwise a ``Conflict`` names what still waits, so approvers review the parts
before the whole and nothing unseen reaches a board through a container's approval.

Refusals are ``DomainError``s (``content.not_found``, ``content.transition_refused``...); the web
edge turns them into HTTP answers and panel messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import Session, col, select

from signage_server.core import audit
from signage_server.core.auth import in_scope
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict, Forbidden, Invalid, NotFound
from signage_server.core.roles import EDITORS, REVIEWERS, describe
from signage_server.core.validation import validated
from signage_server.models import (
    PLAYABLE_STATES,
    AdminUnit,
    Bulletin,
    ContentMixin,
    ContentState,
    Media,
    Playlist,
    PlaylistItem,
    Role,
    Schedule,
    ScheduleRegion,
    UnitSettings,
    User,
    utcnow,
)
from signage_server.schemas import StateChange

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
ACTIONS = {S.DRAFT: "withdraw", S.SUBMITTED: "submit", S.APPROVED: "approve", S.REJECTED: "reject",
           S.PUBLISHED: "publish"}
DECISIONS = (S.APPROVED, S.REJECTED)

T = TypeVar("T", bound=ContentMixin)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Actor:
    """Who acts on content: the signed-in user, and the address the audit trail records."""

    user: User
    ip: str = ""


def next_states(state: ContentState, role: Role) -> list[ContentState]:
    """The moves this role may make from ``state`` (the buttons a page offers)."""
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == state and role in roles]


# --- refusals ----------------------------------------------------------------------------------


def not_found(what: str, ident: object) -> NotFound:
    """``bulletin 7 not found``: also the answer for what lies outside the caller's scope."""
    code = "unit.not_found" if what == "unit" else "content.not_found"
    return NotFound(code, f"{what} {ident} not found", kind=what, id=str(ident))


class InUse(Conflict):
    """A delete refused because other content still refers to the row. ``users`` are the
    (id, name) pairs of what uses it, all of kind ``used_by_kind``; the params carry them too
    (``used_by`` ids, ``used_by_names``) so an API client can say where without asking again."""

    def __init__(self, what: str, message: str, used_by_kind: str, users: list[tuple[int, str]]) -> None:
        super().__init__("content.in_use", message, kind=what, used_by_kind=used_by_kind,
                         used_by=", ".join(str(ident) for ident, _ in users),
                         used_by_names=", ".join(name for _, name in users))
        self.used_by_kind = used_by_kind
        self.users = users


def revalidated(model: type[M], data: dict[str, Any]) -> M:
    """A merged record (current row + patch) validated as a whole; ``Invalid`` with the reasons."""
    return validated(model, data, "content.invalid")


def require_role(user: User, allowed: frozenset[Role]) -> None:
    """Refuse a user whose role is not among ``allowed`` (same words as the API's role check)."""
    if user.role not in allowed:
        raise Forbidden("content.role_needed", f"this needs one of the roles: {describe(allowed)}",
                        roles=describe(allowed))


# --- ownership ---------------------------------------------------------------------------------


def get_owned(session: Session, model: type[T], item_id: int, user: User, what: str) -> T:
    """The row if it exists and lies in the user's scope; ``NotFound`` otherwise (existence does
    not leak). A requisitioned board owner's content is out of an editor's reach: its owner edits
    it (``owner_content``), the unit's approvers decide on it, its admins may still take it down."""
    row = session.get(model, item_id)
    if row is None or not in_scope(session, user, row.unit_id) or not editable_by(row, user):
        raise not_found(what, item_id)
    return row


def editable_by(row: ContentMixin, user: User) -> bool:
    """Whether government ``user`` may reach ``row`` (an editor never reaches an owner's content)."""
    return row.owner_board_id is None or user.role != Role.EDITOR


def owner_unit(session: Session, user: User, unit_id: int | None) -> int:
    """The unit new content belongs to: the one asked for (which must be in scope) or the user's."""
    if unit_id is None:
        return user.unit_id
    if session.get(AdminUnit, unit_id) is None or not in_scope(session, user, unit_id):
        raise not_found("unit", unit_id)
    return unit_id


# --- the approval workflow ---------------------------------------------------------------------


def mark_edited(row: ContentMixin, user: User | None = None) -> None:
    now = utcnow()
    row.updated_at = now
    if row.state in (S.APPROVED, S.PUBLISHED):
        row.state = S.SUBMITTED  # changed content needs a fresh approval
        row.rejection_reason = ""
        row.submitted_by = None if user is None else user.id
        row.submitted_at = now


def auto_approves(session: Session, unit_id: int) -> bool:
    settings = session.get(UnitSettings, unit_id)
    return settings is not None and settings.trusted_editors_auto_approve


def unapproved_parts(session: Session, row: ContentMixin) -> list[str]:
    """What a playlist or schedule shows that is not approved yet, as "kind id" labels."""
    if isinstance(row, Playlist):
        items = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == row.id)).all()
        media_ids = {i.media_id for i in items if i.media_id is not None}
        bulletin_ids = {i.bulletin_id for i in items if i.bulletin_id is not None}
        media = session.exec(select(Media).where(col(Media.id).in_(media_ids))).all()
        bulletins = session.exec(select(Bulletin).where(col(Bulletin.id).in_(bulletin_ids))).all()
        return _waiting("media", [(m.id, m) for m in media]) + _waiting(
            "bulletin", [(b.id, b) for b in bulletins])
    if isinstance(row, Schedule):
        query = select(ScheduleRegion.playlist_id).where(ScheduleRegion.schedule_id == row.id)
        ids = set(session.exec(query).all())
        playlists = session.exec(select(Playlist).where(col(Playlist.id).in_(ids))).all()
        return _waiting("playlist", [(p.id, p) for p in playlists])
    return []


def _waiting(label: str, rows: Iterable[tuple[int | None, ContentMixin]]) -> list[str]:
    return [f"{label} {ident} ({r.state.value})" for ident, r in rows if r.state not in PLAYABLE_STATES]


def _check_parts(session: Session, row: ContentMixin) -> None:
    waiting = unapproved_parts(session, row)
    if waiting:
        raise Conflict("content.parts_not_approved",
                       f"approve what this shows first; not approved yet: {', '.join(waiting)}",
                       waiting=", ".join(waiting))


def _check_allowed(row: ContentMixin, target: ContentState, user: User) -> None:
    roles = TRANSITIONS.get((row.state, target))
    moves = {"current": row.state.value, "target": target.value}
    if roles is None:
        raise Conflict("content.transition_refused", f"cannot go from {row.state.value} to {target.value}",
                       **moves)
    if user.role not in roles:
        names = describe(roles)
        raise Forbidden("content.transition_role_needed",
                        f"going from {row.state.value} to {target.value} needs one of the roles: {names}",
                        roles=names, **moves)
    if target in DECISIONS and row.state == S.SUBMITTED and row.submitted_by == user.id:
        raise Forbidden(
            "content.four_eyes",
            "four-eyes rule: you submitted this, so another approver of the unit must decide on it",
        )


def apply_transition(session: Session, row: ContentMixin, change: StateChange, user: User) -> str | None:
    """Move ``row`` as asked (or further, when its unit auto-approves); the audit action, or None
    when nothing changed."""
    target = change.state
    if target == row.state:
        return None
    _check_allowed(row, target, user)
    if target == S.REJECTED and not change.reason:
        raise Invalid("content.reason_needed", "reason: a rejection needs a reason")
    now = utcnow()
    if target == S.SUBMITTED:
        row.submitted_by, row.submitted_at = user.id, now
        if auto_approves(session, row.unit_id) and not unapproved_parts(session, row):
            target = S.APPROVED  # a trusted editor's submission counts as approved (parts first)
    if target in (S.APPROVED, S.PUBLISHED):
        _check_parts(session, row)
        # here, not at the top: board_fit reads layouts through manifest.inputs, which imports content
        from signage_server.content.board_fit import check_fits

        check_fits(session, row)  # QR codes stay scannable on every board reached
    if target in DECISIONS:
        row.reviewed_by, row.reviewed_at = user.id, now
    row.rejection_reason = change.reason if target == S.REJECTED else ""
    row.state = target
    row.updated_at = now
    return ACTIONS[target]


# --- audit and change notices ------------------------------------------------------------------


def record(
    session: Session, actor: Actor, action: str, object_type: str, object_id: object, *,
    unit_id: int | None, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
) -> None:
    """An audit event by ``actor`` in the current transaction (only the fields that changed)."""
    before, after = audit.changed_fields(before, after)
    audit.record(session, action=action, object_type=object_type, object_id=object_id,
                 actor=audit.actor_label(actor.user), actor_id=actor.user.id, unit_id=unit_id,
                 ip=actor.ip, before=before, after=after)


def audit_content(
    session: Session, actor: Actor, action: str, row: ContentMixin, before: dict[str, object] | None,
) -> None:
    """Record an action on content in the current transaction (flush first so a new row has an id)."""
    session.flush()
    after = None if action == "delete" else audit.snapshot(row)
    table = str(getattr(type(row), "__tablename__", type(row).__name__.lower()))
    record(session, actor, action, table, getattr(row, "id", None), unit_id=row.unit_id,
           before=before, after=after)


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
