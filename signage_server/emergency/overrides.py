"""The emergency override's life: issued (pending confirmation), confirmed (active: pushed to its
boards at once and carried by their manifests), updated (pushed again), cancelled, expired.

Two steps for operators: ``issue`` pushes nothing; ``confirm`` does. The confirmation may come
from the issuer or from any other operator (or admin) whose scope holds the override's unit: one
operator on duty at night must be able to act alone, and the second step still stops a stray
click. Trusted CAP senders skip the second step (``issue`` + ``activate`` in one transaction).

Delivery: one ``BusMessage`` naming every targeted board (the fast path, before any
recomposition), then a ``Change`` for the same boards so their manifests include or drop it.
Every action writes an ``AuditEvent`` in the same transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio.from_thread
from fastapi import HTTPException, Request, status
from sqlmodel import Session, col, select

from signage_contract.device import OverrideCancel, OverridePush
from signage_server.core import audit
from signage_server.core.auth import in_scope, not_found
from signage_server.core.bus import BusMessage
from signage_server.core.changes import Change, ChangeFeed
from signage_server.emergency.schemas import OverrideCreate, OverrideUpdate
from signage_server.emergency.targets import BoardBrief, OverrideTarget, targeted_boards, wire_overrides
from signage_server.models import LIVE_OVERRIDE_STATES, AdminUnit, Board, Media, Override, OverrideState, User
from signage_server.units.tree import UnitTree

OBJECT_TYPE = "override"
FAST_PATH_BOARDS = 200  # above this many boards, recomposition waits for the push to go out
RECOMPOSE_DELAY_S = 5.0


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or a CAP sender (``user`` None), and from which address."""

    label: str
    user: User | None = None
    ip: str = ""

    @classmethod
    def of(cls, user: User, request: Request) -> Actor:
        return cls(label=audit.actor_label(user), user=user, ip=audit.client_ip(request))

    @property
    def user_id(self) -> int | None:
        return None if self.user is None else self.user.id


def check_expiry(starts_at: datetime, expires_at: datetime, now: datetime, max_hours: int) -> None:
    if expires_at <= now:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "expires_at: must be in the future")
    if expires_at <= starts_at:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "expires_at: must be after starts_at")
    if expires_at - max(starts_at, now) > timedelta(hours=max_hours):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"expires_at: an override may run at most {max_hours} h (setting override_max_hours)",
        )


def check_targets(session: Session, user: User, body: OverrideCreate) -> None:
    """Units, boards and the image must lie in the issuer's scope (404 otherwise, as elsewhere)."""
    if body.target.empty():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "target: name all, or at least one unit, board or tag")
    for unit_id in body.target.unit_ids:
        if session.get(AdminUnit, unit_id) is None or not in_scope(session, user, unit_id):
            raise not_found("unit", unit_id)
    for board_id in body.target.board_ids:
        board = session.get(Board, board_id)
        if board is None or not in_scope(session, user, board.unit_id):
            raise not_found("board", board_id)
    if body.media_id is not None:
        media = session.get(Media, body.media_id)
        if media is None or not in_scope(session, user, media.unit_id):
            raise not_found("media", body.media_id)


def issue(
    session: Session, actor: Actor, body: OverrideCreate, unit_id: int | None, now: datetime, max_hours: int
) -> Override:
    """A new override waiting for confirmation (flushed, not committed)."""
    starts_at = body.starts_at or now
    check_expiry(starts_at, body.expires_at, now, max_hours)
    row = Override(
        title=body.title, body=body.body, media_id=body.media_id, risk_level=body.risk_level,
        category=body.category, target_all=body.target.all, target_unit_ids=sorted(set(body.target.unit_ids)),
        target_board_ids=sorted(set(body.target.board_ids)), target_tags=sorted(set(body.target.tags)),
        starts_at=starts_at, expires_at=body.expires_at, unit_id=unit_id, issued_by=actor.user_id,
        created_at=now, updated_at=now,
    )
    session.add(row)
    session.flush()
    audit_action(session, actor, "issue", row, None)
    return row


def activate(session: Session, row: Override, actor: Actor, now: datetime) -> None:
    if row.state is not OverrideState.PENDING_CONFIRMATION:
        raise HTTPException(status.HTTP_409_CONFLICT, f"override {row.id} is {row.state.value}, not pending")
    if row.expires_at <= now:
        raise HTTPException(status.HTTP_409_CONFLICT, f"override {row.id} expired before it was confirmed")
    before = audit.snapshot(row)
    row.state, row.confirmed_at, row.confirmed_by = OverrideState.ACTIVE, now, actor.user_id
    row.updated_at = now
    session.add(row)
    audit_action(session, actor, "confirm", row, before)


def change(session: Session, row: Override, actor: Actor, patch: OverrideUpdate, now: datetime,
           max_hours: int) -> None:
    if row.state not in LIVE_OVERRIDE_STATES:
        raise HTTPException(status.HTTP_409_CONFLICT, f"override {row.id} is {row.state.value}")
    values = patch.model_dump(exclude_unset=True, exclude_none=True)
    if "expires_at" in values:
        check_expiry(row.starts_at, values["expires_at"], now, max_hours)
    before = audit.snapshot(row)
    row.sqlmodel_update(values)
    row.updated_at = now
    session.add(row)
    audit_action(session, actor, "update", row, before)


def revoke(session: Session, row: Override, actor: Actor, now: datetime) -> bool:
    """Cancel; True when it was active (its boards must be told)."""
    if row.state not in LIVE_OVERRIDE_STATES:
        raise HTTPException(status.HTTP_409_CONFLICT, f"override {row.id} is already {row.state.value}")
    was_active = row.state is OverrideState.ACTIVE
    before = audit.snapshot(row)
    row.state, row.cancelled_at, row.cancelled_by, row.updated_at = (
        OverrideState.CANCELLED, now, actor.user_id, now)
    session.add(row)
    audit_action(session, actor, "cancel", row, before)
    return was_active


def expire_due(session: Session, now: datetime) -> set[int]:
    """Mark overrides past their expiry as expired (committed); the boards whose manifests drop them."""
    rows = session.exec(select(Override).where(
        col(Override.state).in_(LIVE_OVERRIDE_STATES), col(Override.expires_at) <= now)).all()
    boards: set[int] = set()
    for row in rows:
        if row.state is OverrideState.ACTIVE:
            boards.update(b.id for b in targets(session, row, now))
        before = audit.snapshot(row)
        row.state, row.updated_at = OverrideState.EXPIRED, now
        session.add(row)
        audit_action(session, Actor(audit.SYSTEM), "expire", row, before)
    if rows:
        session.commit()
    return boards


def targets(session: Session, row: Override, now: datetime) -> list[BoardBrief]:
    return targeted_boards(session, OverrideTarget.of(row), UnitTree.load(session, now.date()))


def audit_action(
    session: Session, actor: Actor, action: str, row: Override, before: dict[str, Any] | None
) -> None:
    audit.record(session, action=action, object_type=OBJECT_TYPE, object_id=row.id, actor=actor.label,
                 actor_id=actor.user_id, unit_id=row.unit_id, ip=actor.ip, before=before,
                 after=audit.snapshot(row))


# --- delivery (called from worker threads, after the commit) ---------------------------------------


def push_text(session: Session, row: Override) -> str:
    return OverridePush(override=wire_overrides(session, [row])[0]).model_dump_json()


def cancel_text(row: Override) -> str:
    return OverrideCancel(override_id=str(row.id)).model_dump_json()


def announce(app_state: Any, text: str | None, boards: Collection[int]) -> None:
    """Push ``text`` to the boards over the bus at once (one message for all of them), then have
    their manifests recomposed. Runs in a worker thread of the app's event loop.

    Recomposing thousands of manifests competes for the interpreter with the sends just queued, so
    for a large fan-out it starts ``RECOMPOSE_DELAY_S`` later: the push is the fast path, the
    manifest the durable one.
    """
    ids = frozenset(boards)
    change = Change(boards=ids)
    if text is not None and ids:
        anyio.from_thread.run(app_state.bus.publish, BusMessage(text, ids))
        if len(ids) > FAST_PATH_BOARDS:
            anyio.from_thread.run_sync(_publish_later, app_state.changes, change)
            return
    app_state.changes.publish(change)


def _publish_later(feed: ChangeFeed, change: Change) -> None:
    asyncio.get_running_loop().call_later(RECOMPOSE_DELAY_S, feed.publish, change)
