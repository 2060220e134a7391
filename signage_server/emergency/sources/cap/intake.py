"""CAP 1.2 alerts in: from a parsed, trusted alert to an active override, and Update/Cancel after it.

- Alert: an active override at once (trusted senders skip the two-step confirmation), audited as
  issued by ``cap:<sender>``. Its areas map to targets: geocodes to the administrative units with
  that code valid on the alert's ``sent`` date, polygons and circles to the boards whose
  coordinates lie inside. The expiry is clamped to ``override_max_hours``.
- Update / Cancel follow ``references`` (by sender and identifier, unique per sender in CAP). One
  that arrives before the message it refers to is stored as pending and applied, in ``sent``
  order, when that message arrives.
- Every message accepted is kept by (sender, identifier): a repeat is answered, not applied twice.

``accept`` is the source's service (the route calls it): it applies one message in the caller's
session, commits, then delivers what the transaction collected (``Outbound``). The functions below
it change the session but do not commit. Overrides change only through the lifecycle in
``signage_server.emergency.overrides``, as the operators' do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlmodel import Session, col, select

from signage_contract.timezone import LOCAL_ZONE
from signage_server.core import audit
from signage_server.core.errors import DomainError, Forbidden, Invalid
from signage_server.emergency import overrides as lifecycle
from signage_server.emergency.delivery import Delivery, Outbound, cancel_text, push_text
from signage_server.emergency.schemas import OverrideCreate, OverrideTargetIn
from signage_server.emergency.sources.cap import (
    DEFAULT_GEOCODE_NAMES,
    CapAlert,
    CapExpired,
    CapRejected,
    geocode_units,
    matches_area,
    override_fields,
    parse_cap,
)
from signage_server.emergency.targets import OverrideTarget, targeted_boards
from signage_server.models import (
    LIVE_OVERRIDE_STATES,
    AdminUnit,
    Board,
    CapMessage,
    CapMessageState,
    Override,
    OverrideState,
    utcnow,
)
from signage_server.units.service import UnitError, resolve_unit, valid_at
from signage_server.units.tree import UnitTree

Outcome = Literal["created", "updated", "cancelled", "pending", "ignored", "duplicate"]


class CapResult(BaseModel):
    outcome: Outcome
    detail: str
    override_id: int | None = None


@dataclass(frozen=True)
class Intake:
    session: Session
    actor: lifecycle.Actor
    scope_unit: int | None
    now: datetime
    max_hours: int
    out: Outbound
    geocode_names: frozenset[str] = DEFAULT_GEOCODE_NAMES


def accept(session: Session, *, alert: CapAlert, document: str, sender_unit: str | None, ip: str,
           max_hours: int, delivery: Delivery,
           geocode_names: frozenset[str] = DEFAULT_GEOCODE_NAMES) -> CapResult:
    """Apply a trusted sender's message (``document``: its XML, kept to apply an early Update or
    Cancel later); ``sender_unit``: the code of the unit whose subtree its alerts may cover;
    ``geocode_names``: the geocode valueNames that carry its unit codes."""
    actor = lifecycle.Actor(label=audit.actor_label(None, alert.sender), ip=ip)
    out = Outbound()
    intake = Intake(session, actor, _scope_unit(session, alert.sender, sender_unit), utcnow(), max_hours, out,
                    frozenset(geocode_names))
    try:
        result = receive(intake, alert, document)
    except CapRejected as exc:
        raise Invalid("cap.rejected", str(exc)) from exc
    session.commit()
    delivery.send(out)
    return result


def _scope_unit(session: Session, sender: str, code: str | None) -> int | None:
    if code is None:
        return None
    try:
        return resolve_unit(session, code).id
    except UnitError as exc:
        raise Forbidden("cap.unknown_unit", f"sender {sender!r} is configured with an unknown unit {code!r}",
                        sender=sender, unit=code) from exc


def receive(intake: Intake, alert: CapAlert, document: str) -> CapResult:
    session = intake.session
    seen = session.exec(select(CapMessage).where(
        CapMessage.sender == alert.sender, CapMessage.identifier == alert.identifier)).first()
    if seen is not None:
        return CapResult(outcome="duplicate", override_id=seen.override_id,
                         detail=f"message {alert.identifier} was already received ({seen.state.value})")
    if alert.msg_type == "Alert":
        return _alert(intake, alert)
    if alert.msg_type in ("Update", "Cancel"):
        target = _referenced_override(session, alert)
        if target is None:
            _store(session, alert, CapMessageState.PENDING, None, document)
            refs = ", ".join(r.identifier for r in alert.references) or "nothing"
            return CapResult(outcome="pending", detail=f"{alert.msg_type} stored: it refers to {refs}, "
                             "not received yet; it applies when that message arrives")
        result = _follow_up(intake, alert, target)
        _store(session, alert, CapMessageState.APPLIED, target.id, document)
        return result
    raise CapRejected(f"a CAP {alert.msg_type} is not acted upon here; send Alert, Update or Cancel")


def _alert(intake: Intake, alert: CapAlert) -> CapResult:
    try:
        body = _override_body(intake, alert)
    except CapExpired as exc:
        return CapResult(outcome="ignored", detail=str(exc))
    row = lifecycle.issue(intake.session, actor=intake.actor, body=body, unit_id=intake.scope_unit,
                          now=intake.now, max_hours=intake.max_hours)
    row.cap_sender, row.cap_identifier, row.cap_sent = alert.sender, alert.identifier, alert.sent
    lifecycle.activate(intake.session, actor=intake.actor, row=row, now=intake.now)
    _store(intake.session, alert, CapMessageState.APPLIED, row.id, "")
    _apply_pending(intake, alert, row)
    if row.state is not OverrideState.ACTIVE:
        return CapResult(outcome="cancelled", override_id=row.id,
                         detail=f"override {row.id} is {row.state.value} (risk level {row.risk_level})")
    boards = _push(intake, row)
    return CapResult(outcome="created", override_id=row.id,
                     detail=f"override {row.id} is active on {len(boards)} boards "
                            f"(risk level {row.risk_level})")


def _override_body(intake: Intake, alert: CapAlert) -> OverrideCreate:
    draft = override_fields(alert, intake.now)
    target = _target(intake, alert)
    latest = max(draft.starts_at, intake.now) + timedelta(hours=intake.max_hours)
    return OverrideCreate(title=draft.title[:300] or "Cảnh báo", body=draft.body[:5000],
                          risk_level=draft.risk_level, category=draft.category, target=target,
                          starts_at=draft.starts_at, expires_at=min(draft.expires_at, latest))


@dataclass(frozen=True)
class _Areas:
    """What an alert's areas name: units (by geocode) and boards (inside its polygons and circles)."""

    units: frozenset[int]
    boards: frozenset[int]
    board_units: dict[int, int]  # board id -> its unit


def _target(intake: Intake, alert: CapAlert) -> OverrideTargetIn:
    """The units and boards the alert covers within the sender's unit, or a DomainError saying why
    it covers none: ``cap.outside_unit`` when its areas lie only outside that unit, ``cap.no_board``
    when they hold no board at all. An alert that would reach no board is never put on air."""
    areas = _areas(intake, alert)
    tree = UnitTree.load(intake.session, intake.now.date())
    units, boards = set(areas.units), set(areas.boards)
    if intake.scope_unit is not None:
        scope = tree.subtree([intake.scope_unit])
        above = set(tree.chain(intake.scope_unit))  # a unit above the sender's covers its part of it
        units = {u for u in units if u in scope or u in above}
        boards = {b for b in boards if areas.board_units[b] in scope}
    target = OverrideTargetIn(unit_ids=sorted(units), board_ids=sorted(boards))
    reach = OverrideTarget(scope_unit=intake.scope_unit, units=frozenset(units), boards=frozenset(boards))
    if targeted_boards(intake.session, reach, tree):
        return target
    if intake.scope_unit is not None and (units, boards) != (set(areas.units), set(areas.boards)):
        raise Forbidden("cap.outside_unit",
                        f"the alert's areas lie outside the unit of sender {alert.sender!r}: it may cover "
                        "only boards in that unit's subtree (setting cap_senders), and covers none there",
                        sender=alert.sender, unit=intake.scope_unit)
    raise Invalid("cap.no_board", "the alert's areas cover no board: no board under its geocoded units "
                  f"({'/'.join(sorted(intake.geocode_names))}) and none inside its polygons or circles",
                  sender=alert.sender)


def _areas(intake: Intake, alert: CapAlert) -> _Areas:
    info = alert.info
    assert info is not None  # override_fields checked it
    session = intake.session
    codes = {code for area in info.areas for code in geocode_units(area, intake.geocode_names)}
    on = alert.sent.astimezone(LOCAL_ZONE).date()
    units = frozenset(u for u in session.exec(select(AdminUnit.id).where(
        col(AdminUnit.code).in_(codes), valid_at(on))).all() if u is not None) if codes else frozenset()
    query = select(Board.id, Board.unit_id, Board.latitude, Board.longitude).where(
        col(Board.latitude).is_not(None), col(Board.longitude).is_not(None))
    board_units = {board_id: unit_id for board_id, unit_id, lat, lon in session.exec(query).all()
                   if board_id is not None and lat is not None and lon is not None
                   and any(matches_area(lat, lon, area) for area in info.areas)}
    return _Areas(units=units, boards=frozenset(board_units), board_units=board_units)


def _follow_up(intake: Intake, alert: CapAlert, row: Override) -> CapResult:
    if row.state not in LIVE_OVERRIDE_STATES:
        return CapResult(outcome="ignored", override_id=row.id,
                         detail=f"override {row.id} is already {row.state.value}")
    if alert.msg_type == "Cancel":
        lifecycle.revoke(intake.session, actor=intake.actor, row=row, now=intake.now)
        intake.out.add(cancel_text(row), _board_ids(intake, row))
        return CapResult(outcome="cancelled", override_id=row.id, detail=f"override {row.id} cancelled")
    try:
        body = _override_body(intake, alert)
    except CapExpired as exc:
        return CapResult(outcome="ignored", override_id=row.id, detail=str(exc))
    return _update(intake, row, body)


def _update(intake: Intake, row: Override, body: OverrideCreate) -> CapResult:
    before_boards = _board_ids(intake, row)
    lifecycle.retarget(intake.session, actor=intake.actor, row=row, body=body, now=intake.now)
    dropped = before_boards - _board_ids(intake, row)
    if dropped:
        intake.out.add(cancel_text(row), dropped)
    _push(intake, row)
    return CapResult(outcome="updated", override_id=row.id, detail=f"override {row.id} updated")


def _push(intake: Intake, row: Override) -> frozenset[int]:
    intake.session.flush()
    boards = _board_ids(intake, row)
    intake.out.add(push_text(intake.session, row), boards)
    return boards


def _board_ids(intake: Intake, row: Override) -> frozenset[int]:
    return lifecycle.target_ids(intake.session, row, intake.now)


def _referenced_override(session: Session, alert: CapAlert) -> Override | None:
    for ref in sorted(alert.references, key=lambda r: r.sent, reverse=True):
        found = session.exec(select(CapMessage).where(
            CapMessage.sender == ref.sender, CapMessage.identifier == ref.identifier,
            CapMessage.state == CapMessageState.APPLIED, col(CapMessage.override_id).is_not(None))).first()
        if found is not None and found.override_id is not None:
            return session.get(Override, found.override_id)
    return None


def _apply_pending(intake: Intake, alert: CapAlert, row: Override) -> None:
    """Apply stored Updates/Cancels that refer to this alert (or to one applied here), by ``sent``.
    One that is refused now (an Update whose areas reach no board the sender may cover) stays
    pending and does not take the alert down with it."""
    session = intake.session
    applied = {(alert.sender, alert.identifier)}
    pending = list(session.exec(select(CapMessage).where(
        CapMessage.state == CapMessageState.PENDING).order_by(col(CapMessage.sent))).all())
    progress = True
    while progress:
        progress = False
        for message in pending:
            if message.state is CapMessageState.APPLIED:
                continue
            if not any((ref[0], ref[1]) in applied for ref in message.references):
                continue
            try:
                _follow_up(intake, parse_cap(message.document.encode("utf-8")), row)
            except (DomainError, CapRejected):
                continue  # refused before it changed anything (the target is checked first)
            message.state, message.override_id, message.document = CapMessageState.APPLIED, row.id, ""
            session.add(message)
            applied.add((message.sender, message.identifier))
            progress = True


def _store(session: Session, alert: CapAlert, state: CapMessageState, override_id: int | None,
           document: str) -> None:
    session.add(CapMessage(
        sender=alert.sender, identifier=alert.identifier, sent=alert.sent, msg_type=alert.msg_type,
        references=[[r.sender, r.identifier, r.sent.isoformat()] for r in alert.references],
        state=state, override_id=override_id, document=document))
