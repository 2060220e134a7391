"""The emergency override's life: issued (pending confirmation), confirmed (active: pushed to its
boards at once and carried by their manifests), updated (pushed again), cancelled, expired.

Two steps for operators: ``create`` pushes nothing; ``confirm`` does. The confirmation may come
from the issuer or from any other operator (or admin) whose scope holds the override's unit: one
operator on duty at night must be able to act alone, and the second step still stops a stray
click. Trusted sources (CAP) skip the second step (``issue`` + ``activate`` in one transaction).

Two layers, both used by every source of overrides:

- the transitions (``issue``, ``activate``, ``amend``, ``retarget``, ``revoke``, ``expire_due``):
  they check the state, change the row and write its ``AuditEvent`` in the caller's transaction;
- the operators' service (``create``, ``confirm``, ``update``, ``cancel`` and the reads): the
  acting user's role and scope, the commit, then the delivery (``delivery.py``) to the boards.

Refusals are ``DomainError``s with stable codes (``override.not_pending``...); no HTTP here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_server.content.speech import Speaker, record_speech
from signage_server.core import audit, roles
from signage_server.core.auth import in_scope, scope_unit_ids
from signage_server.core.errors import Conflict, Forbidden, Invalid, NotFound
from signage_server.core.legacy_text import convert_fields
from signage_server.emergency.delivery import Delivery, cancel_text, push_text
from signage_server.emergency.paging import pages_on_smallest
from signage_server.emergency.receipts import delivery_status, reachable_boards
from signage_server.emergency.schemas import (
    BoardTargetPublic,
    OverrideCreate,
    OverridePublic,
    OverrideStatusPublic,
    OverrideUpdate,
    OverrideWithBoards,
    PagesPublic,
)
from signage_server.emergency.targets import BoardBrief, OverrideTarget, board_screens, targeted_boards
from signage_server.models import (
    LIVE_OVERRIDE_STATES,
    AdminUnit,
    Board,
    Media,
    Override,
    OverrideState,
    Role,
    User,
    utcnow,
)
from signage_server.units.service import ancestor_ids
from signage_server.units.tree import UnitTree

OBJECT_TYPE = "override"

TEXT_FIELDS = ("title", "body")  # read for TCVN3 / VNI text at entry (core/legacy_text.py)


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or a source such as a CAP sender (``user`` None), and from which address."""

    label: str
    user: User | None = None
    ip: str = ""

    @classmethod
    def of(cls, user: User, ip: str = "") -> Actor:
        return cls(label=audit.actor_label(user), user=user, ip=ip)

    @property
    def user_id(self) -> int | None:
        return None if self.user is None else self.user.id


# --- refusals ----------------------------------------------------------------------------------


def check_window(*, starts_at: datetime, expires_at: datetime, now: datetime, max_hours: int) -> None:
    if expires_at <= now:
        raise Invalid("override.expires_in_past", "expires_at: must be in the future")
    if expires_at <= starts_at:
        raise Invalid("override.invalid_window", "expires_at: must be after starts_at")
    if expires_at - max(starts_at, now) > timedelta(hours=max_hours):
        raise Invalid("override.too_long",
                      f"expires_at: an override may run at most {max_hours} h (setting override_max_hours)",
                      max_hours=max_hours)


def _missing(what: str, ident: int) -> NotFound:
    return NotFound(f"{what}.not_found", f"{what} {ident} not found", id=ident)


def check_targets(session: Session, *, user: User, body: OverrideCreate) -> None:
    """Units, boards and the image must lie in the issuer's scope (not found otherwise, as elsewhere)."""
    if body.target.empty():
        raise Invalid("override.no_target", "target: name all, or at least one unit, board or tag")
    # The issuer's scope read once, the named units and boards in a few queries: a province-wide
    # override may name 10,000 boards (one scope query per board took most of its creation).
    scope = set(scope_unit_ids(session, user))
    units = _existing(session, AdminUnit.id, AdminUnit.id, body.target.unit_ids)
    for unit_id in body.target.unit_ids:
        if unit_id not in units or unit_id not in scope:
            raise _missing("unit", unit_id)
    board_units = _existing(session, Board.id, Board.unit_id, body.target.board_ids)
    for board_id in body.target.board_ids:
        if board_units.get(board_id) not in scope:
            raise _missing("board", board_id)
    if body.media_id is not None:
        media = session.get(Media, body.media_id)
        if media is None or not in_scope(session, user, media.unit_id):
            raise _missing("media", body.media_id)
        if media.content_type == "application/pdf":  # an override shows one picture
            raise Invalid("override.media_is_pdf", "an emergency shows an image, not a PDF document")


_CHUNK = 5_000  # ids per IN list: well under SQLite's and psycopg's bound parameter limits


def _existing(session: Session, key: Any, value: Any, ids: Collection[int]) -> dict[int, int]:
    """key -> value of the rows whose key is among ``ids``."""
    wanted = sorted(set(ids))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = session.exec(select(key, value).where(col(key).in_(wanted[start:start + _CHUNK]))).all()
        found.update((int(k), int(v)) for k, v in rows)
    return found


def _check_operator(user: User) -> None:
    if user.role not in roles.OPERATORS:
        raise Forbidden("override.operators_only",
                        f"this needs one of the roles: {roles.describe(roles.OPERATORS)}")


def _check_live(row: Override, code: str, message: str) -> None:
    if row.state not in LIVE_OVERRIDE_STATES:
        raise Conflict(code, message, id=row.id, state=row.state.value)


# --- transitions (every source; the caller commits) --------------------------------------------


def issue(session: Session, *, actor: Actor, body: OverrideCreate, unit_id: int | None, now: datetime,
          max_hours: int) -> Override:
    """A new override waiting for confirmation (flushed, not committed)."""
    starts_at = body.starts_at or now
    check_window(starts_at=starts_at, expires_at=body.expires_at, now=now, max_hours=max_hours)
    row = Override(
        title=body.title, body=body.body, media_id=body.media_id, risk_level=body.risk_level,
        category=body.category, target_all=body.target.all, target_unit_ids=sorted(set(body.target.unit_ids)),
        target_board_ids=sorted(set(body.target.board_ids)), target_tags=sorted(set(body.target.tags)),
        starts_at=starts_at, expires_at=body.expires_at, unit_id=unit_id, issued_by=actor.user_id,
        created_at=now, updated_at=now, speak=body.speak,
    )
    session.add(row)
    session.flush()
    audit_action(session, actor, "issue", row, None)
    return row


def activate(session: Session, *, actor: Actor, row: Override, now: datetime) -> None:
    if row.state is not OverrideState.PENDING_CONFIRMATION:
        raise Conflict("override.not_pending", f"override {row.id} is {row.state.value}, not pending",
                       id=row.id, state=row.state.value)
    if row.expires_at <= now:
        raise Conflict("override.expired", f"override {row.id} expired before it was confirmed", id=row.id)
    _transition(session, actor, row, "confirm", now, state=OverrideState.ACTIVE, confirmed_at=now,
                confirmed_by=actor.user_id)


def amend(session: Session, *, actor: Actor, row: Override, patch: OverrideUpdate, now: datetime,
          max_hours: int) -> None:
    """Text, level or expiry (what an operator may change while the override is live)."""
    _check_live(row, "override.not_live", f"override {row.id} is {row.state.value}")
    values = patch.model_dump(exclude_unset=True, exclude_none=True)
    if "expires_at" in values:
        check_window(starts_at=row.starts_at, expires_at=values["expires_at"], now=now, max_hours=max_hours)
    _transition(session, actor, row, "update", now, **values)


def retarget(session: Session, *, actor: Actor, row: Override, body: OverrideCreate, now: datetime) -> None:
    """A source's update of its own alert: text, level, expiry and the units and boards it covers
    (the source checked the window and the target)."""
    _transition(session, actor, row, "update", now, title=body.title, body=body.body,
                risk_level=body.risk_level, expires_at=body.expires_at,
                target_unit_ids=body.target.unit_ids, target_board_ids=body.target.board_ids)


def revoke(session: Session, *, actor: Actor, row: Override, now: datetime) -> bool:
    """Cancel; True when it was active (its boards must be told)."""
    _check_live(row, "override.already_ended", f"override {row.id} is already {row.state.value}")
    was_active = row.state is OverrideState.ACTIVE
    _transition(session, actor, row, "cancel", now, state=OverrideState.CANCELLED, cancelled_at=now,
                cancelled_by=actor.user_id)
    return was_active


def expire_due(session: Session, now: datetime) -> set[int]:
    """Mark overrides past their expiry as expired (committed); the boards whose manifests drop them."""
    rows = session.exec(select(Override).where(
        col(Override.state).in_(LIVE_OVERRIDE_STATES), col(Override.expires_at) <= now)).all()
    boards: set[int] = set()
    for row in rows:
        if row.state is OverrideState.ACTIVE:
            boards.update(b.id for b in targets(session, row, now))
        _transition(session, Actor(audit.SYSTEM), row, "expire", now, state=OverrideState.EXPIRED)
    if rows:
        session.commit()
    return boards


def targets(session: Session, row: Override, now: datetime) -> list[BoardBrief]:
    return targeted_boards(session, OverrideTarget.of(row), UnitTree.load(session, now.date()))


def target_ids(session: Session, row: Override, now: datetime) -> frozenset[int]:
    return frozenset(b.id for b in targets(session, row, now))


def _transition(session: Session, actor: Actor, row: Override, action: str, now: datetime,
                **fields: Any) -> None:
    """Set ``fields`` and ``updated_at``, and audit the change (one place for every action)."""
    before = audit.snapshot(row)
    row.sqlmodel_update(fields)
    row.updated_at = now
    session.add(row)
    audit_action(session, actor, action, row, before)


def audit_action(
    session: Session, actor: Actor, action: str, row: Override, before: dict[str, Any] | None
) -> None:
    audit.record(session, action=action, object_type=OBJECT_TYPE, object_id=row.id, actor=actor.label,
                 actor_id=actor.user_id, unit_id=row.unit_id, ip=actor.ip, before=before,
                 after=audit.snapshot(row))


# --- the operators' service ----------------------------------------------------------------------


def create(session: Session, *, user: User, ip: str, body: OverrideCreate,
           max_hours: int, speaker: Speaker | None = None) -> OverrideWithBoards:
    """Step one: nothing is pushed yet; the answer lists the boards a confirmation would take over.
    One marked ``speak`` is recorded first (``speech.*`` refusals, nothing stored)."""
    _check_operator(user)
    body, converted = convert_fields(body, TEXT_FIELDS)
    check_targets(session, user=user, body=body)
    if body.speak:
        record_speech(session, speaker, body.title, body.body)
    now = utcnow()
    row = issue(session, actor=Actor.of(user, ip), body=body, unit_id=user.unit_id, now=now,
                max_hours=max_hours)
    session.commit()
    session.refresh(row)
    return with_boards(session, row, targets(session, row, now)).model_copy(update={"converted": converted})


def confirm(session: Session, *, user: User, ip: str, override_id: int,
            delivery: Delivery) -> OverrideWithBoards:
    """Step two: the override goes live and is pushed to every targeted board at once."""
    row = _owned(session, user, override_id)
    now = utcnow()
    activate(session, actor=Actor.of(user, ip), row=row, now=now)
    session.commit()
    boards = targets(session, row, now)
    delivery.announce(push_text(session, row), [b.id for b in boards])
    return with_boards(session, row, boards)


def update(session: Session, *, user: User, ip: str, override_id: int, patch: OverrideUpdate, max_hours: int,
           delivery: Delivery) -> OverrideWithBoards:
    """Text, level or expiry; an active override is pushed again to its boards. The answer counts the
    pages of the new text again on the smallest board."""
    expire_now(session, delivery)
    patch, converted = convert_fields(patch, TEXT_FIELDS)
    row = _owned(session, user, override_id)
    now = utcnow()
    amend(session, actor=Actor.of(user, ip), row=row, patch=patch, now=now, max_hours=max_hours)
    session.commit()
    boards = targets(session, row, now)
    if row.state is OverrideState.ACTIVE:
        delivery.announce(push_text(session, row), [b.id for b in boards])
    return with_boards(session, row, boards).model_copy(update={"converted": converted})


def cancel(session: Session, *, user: User, ip: str, override_id: int, delivery: Delivery) -> OverridePublic:
    row = _owned(session, user, override_id)
    now = utcnow()
    was_active = revoke(session, actor=Actor.of(user, ip), row=row, now=now)
    session.commit()
    if was_active:
        delivery.announce(cancel_text(row), target_ids(session, row, now))
    return OverridePublic.of(row)


def _owned(session: Session, user: User, override_id: int) -> Override:
    """An override the operator may act on: issued in their scope."""
    _check_operator(user)
    row = _visible(session, user, override_id)
    if row.unit_id is None or not in_scope(session, user, row.unit_id):
        raise Forbidden("override.issued_above",
                        f"override {override_id} was issued above your unit; its issuer acts on it",
                        id=override_id)
    return row


def with_boards(session: Session, row: Override, boards: list[BoardBrief]) -> OverrideWithBoards:
    """The override, the boards it takes over, and the pages its text takes on the smallest of them."""
    counted = pages_on_smallest(row.title, row.body, board_screens(session, [b.id for b in boards]))
    pages = None if counted is None else PagesPublic(pages=counted.pages, width=counted.width,
                                                     height=counted.height)
    return OverrideWithBoards(
        **OverridePublic.of(row).model_dump(), board_count=len(boards),
        boards=[BoardTargetPublic(id=b.id, name=b.name, unit_id=b.unit_id) for b in boards], pages=pages)


# --- reads (everyone, in their scope; overrides past their expiry turn expired on every read) -------


def visible_query(session: Session, user: User) -> SelectOfScalar[Override]:
    """Those issued in the user's scope and those issued above it (or nationwide); none for a
    requisitioned board's owner (their board shows them; the panel's record is the government's)."""
    if user.role == Role.OWNER:
        return select(Override).where(col(Override.id).is_(None))
    units = set(scope_unit_ids(session, user)) | set(ancestor_ids(session, user.unit_id))
    return select(Override).where(or_(col(Override.unit_id).in_(units), col(Override.unit_id).is_(None)))


def list_visible(session: Session, *, user: User, state: OverrideState | None,
                 delivery: Delivery) -> list[OverridePublic]:
    """Those issued in the user's scope and those issued above it (or nationwide), newest first."""
    expire_now(session, delivery)
    query = visible_query(session, user)
    if state is not None:
        query = query.where(Override.state == state)
    return [OverridePublic.of(r) for r in session.exec(query.order_by(col(Override.id).desc())).all()]


def get(session: Session, *, user: User, override_id: int, delivery: Delivery) -> OverridePublic:
    expire_now(session, delivery)
    return OverridePublic.of(_visible(session, user, override_id))


def get_with_boards(session: Session, *, user: User, override_id: int,
                    delivery: Delivery) -> OverrideWithBoards:
    """The override with the boards it covers and its pages on the smallest (a draft's confirmation
    later, an edit's new text)."""
    expire_now(session, delivery)
    row = _visible(session, user, override_id)
    return with_boards(session, row, targets(session, row, utcnow()))


def board_status(session: Session, *, user: User, override_id: int, connected: Collection[int],
                 poll_interval_s: float, delivery: Delivery) -> OverrideStatusPublic:
    """Per board in the user's scope: displayed, delivered, pending (reachable, no receipt yet) or
    unreachable; ``connected``: boards with a socket on this instance. An override never confirmed
    was sent to no board: it has no delivery status at all (no boards, every count 0)."""
    expire_now(session, delivery)
    row = _visible(session, user, override_id)
    if row.confirmed_at is None:
        return delivery_status(session, row, [], set(), set())
    now = utcnow()
    scope = set(scope_unit_ids(session, user))
    boards = [b for b in targets(session, row, now) if b.unit_id in scope]
    window = timedelta(seconds=2 * poll_interval_s + 30)
    return delivery_status(session, row, boards, set(connected), reachable_boards(session, now, window))


def _visible(session: Session, user: User, override_id: int) -> Override:
    row = session.get(Override, override_id)
    hidden = user.role == Role.OWNER  # see visible_query
    if row is None or hidden or not (row.unit_id is None or in_scope(session, user, row.unit_id)
                                     or row.unit_id in ancestor_ids(session, user.unit_id)):
        raise _missing("override", override_id)
    return row


def expire_now(session: Session, delivery: Delivery) -> None:
    """Overrides past their expiry turn expired (their boards told), before any read."""
    boards = expire_due(session, utcnow())
    if boards:
        delivery.announce(None, boards)
