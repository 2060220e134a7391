"""The audit trail: one generic ``AuditEvent`` per consequential action (who, what, when, from
where, the object before and after). Written in the caller's transaction, so an action and its
record commit together."""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel import Session, SQLModel

from signage_server.models import AuditEvent, User, utcnow

SYSTEM = "system"
ANONYMOUS = "anonymous"  # a caller not logged in (a failed login)


def snapshot(row: SQLModel) -> dict[str, Any]:
    data: dict[str, Any] = row.model_dump(mode="json")
    return data


def changed_fields(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Only the fields that differ (a create or a delete keeps its whole side)."""
    if before is None or after is None:
        return before, after
    keys = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


class Address(Protocol):
    @property
    def host(self) -> str: ...


class Connection(Protocol):
    """What the trail needs of a request: the client's address (a Starlette ``Request`` fits)."""

    @property
    def client(self) -> Address | None: ...


def client_ip(request: Connection) -> str:
    return request.client.host if request.client is not None else ""


def actor_label(user: User | None, sender: str | None = None) -> str:
    if user is not None:
        return user.username
    return f"cap:{sender}" if sender else SYSTEM


def record(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: object,
    actor: str,
    actor_id: int | None = None,
    unit_id: int | None = None,
    ip: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor_id,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        unit_id=unit_id,
        at=utcnow(),
        ip=ip[:64],
        before=before,
        after=after,
    )
    session.add(event)
    return event


def record_as(
    session: Session,
    actor: User | None,
    ip: str,
    action: str,
    object_type: str,
    object_id: object,
    *,
    unit_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """``record`` for a user acting from ``ip`` (what services write): only the changed fields of
    ``before``/``after`` are kept."""
    before, after = changed_fields(before, after)
    return record(
        session, action=action, object_type=object_type, object_id=object_id,
        actor=actor_label(actor), actor_id=None if actor is None else actor.id,
        unit_id=unit_id, ip=ip, before=before, after=after,
    )
