"""The audit trail in the reader's words: actions, object kinds and fields by name; ids of units,
users, boards and content replaced by their names; instants in local time."""

# ruff: noqa: E501  (tables of words: one per line reads better than wrapped)

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from signage_server.core.local_time import local_text, to_local
from signage_server.models import (
    AdminUnit,
    ApiToken,
    AuditEvent,
    Board,
    Bulletin,
    Feed,
    LayoutRecord,
    Media,
    Override,
    Playlist,
    Schedule,
    TrustedCapSender,
    User,
)
from signage_server.web.panel.labels import N_
from signage_server.web.panel.refusals import FIELD_NAMES

Translate = Callable[..., str]

ACTIONS: dict[str, str] = {
    "create": N_("created"), "update": N_("changed"), "delete": N_("deleted"),
    "add_item": N_("added an item"), "update_item": N_("changed an item"), "remove_item": N_("removed an item"),
    "reorder_item": N_("reordered the items"), "withdraw": N_("withdrew"), "archive": N_("archived"), "restore": N_("restored"), "submit": N_("submitted for approval"),
    "approve": N_("approved"), "reject": N_("rejected"), "publish": N_("published"),
    "issue": N_("issued"), "confirm": N_("confirmed"), "cancel": N_("cancelled"), "expire": N_("expired"),
    "pair": N_("paired a player"), "revoke_devices": N_("revoked the players"), "rotate_credential": N_("renewed the player's key"),
    "reorganise": N_("reorganised"), "split": N_("split into new units"), "create_token": N_("created an API token"), "revoke_token": N_("revoked an API token"),
    "rotate_token": N_("renewed an API token"), "change_password": N_("changed the password"),
    "deactivate": N_("deactivated"), "login_failed": N_("failed login"),
    "rename": N_("renamed"), "remove": N_("removed"), "upload_certificate": N_("uploaded a certificate"),
    "enable": N_("put into use"), "disable": N_("took out of use"),
}
# An action whose words depend on what it acted on (a CAP sender's token is not an API token).
ACTIONS_ON: dict[tuple[str, str], str] = {
    ("rotate_token", "cap_sender"): N_("renewed the sender's token"),
}
OBJECT_TYPES: dict[str, str] = {
    "bulletin": N_("Bulletin"), "media": N_("Image"), "playlist": N_("Playlist"), "schedule": N_("Schedule"),
    "layout": N_("Layout"), "board": N_("Board"), "user": N_("User"), "override": N_("Emergency"),
    "unit": N_("Unit"), "unit_settings": N_("Unit settings"), "api_token": N_("API token"), "login": N_("Login"),
    "cap_sender": N_("CAP sender"), "feed": N_("Feed"),
    "power_schedule": N_("Screen on/off and brightness"),
}
FIELDS: dict[str, str] = {
    **FIELD_NAMES,
    "state": N_("State"), "rejection_reason": N_("Reason for rejection"), "created_by": N_("Created by"),
    "submitted_by": N_("Submitted by"), "submitted_at": N_("Submitted at"), "reviewed_by": N_("Reviewed by"),
    "reviewed_at": N_("Reviewed at"), "created_at": N_("Created at"), "updated_at": N_("Changed at"),
    "issued_by": N_("Issued by"), "confirmed_by": N_("Confirmed by"), "confirmed_at": N_("Confirmed at"),
    "cancelled_by": N_("Cancelled by"), "cancelled_at": N_("Cancelled at"), "target_all": N_("Everywhere"),
    "target_unit_ids": N_("Target units"), "target_board_ids": N_("Target boards"), "target_tags": N_("Target tags"),
    "target_kind": N_("Target"), "weekdays": N_("Days"), "is_default": N_("Default content"),
    "exclusive": N_("Exclusive"), "priority_every_min": N_("Priority recurs every (minutes)"),
    "address": N_("Address"), "latitude": N_("Latitude"), "longitude": N_("Longitude"), "tags": N_("Tags"),
    "orientation": N_("Orientation"), "active": N_("Active"), "item": N_("Item"), "items": N_("Items"),
    "original_name": N_("File name"), "content_type": N_("File type"), "size": N_("Size (bytes)"),
    "sha256": N_("File fingerprint"), "credential": N_("Player key"), "capture_x": N_("Capture x"),
    "capture_y": N_("Capture y"), "capture_w": N_("Capture width"), "capture_h": N_("Capture height"),
    "timezone": N_("Time zone"), "auto_approve": N_("Trusted editors"), "cap_sender": N_("CAP sender"),
    "position": N_("Position"), "region_id": N_("Region"), "hardware_id": N_("Player's hardware id"),
    "expires_at": N_("Expires"),
    # units and their reorganisation
    "code": N_("Code"), "level": N_("Administrative level"), "division_type": N_("Kind of unit"), "parent_id": N_("Belongs to"),
    "valid_to": N_("Valid until"), "from_ids": N_("Units that end"), "into_id": N_("Existing unit"),
    "new_code": N_("Code of the new unit"), "new_name": N_("Name of the new unit"),
    "effective": N_("Effective from"), "note": N_("Note"), "new_unit_ids": N_("New units"),
    "retired_unit_ids": N_("Units that ended"),
    # CAP senders, API tokens, pairing
    "unit_code": N_("Unit"), "geocode_names": N_("Geocode names"), "certificate_subject": N_("Certificate holder"),
    "certificate_not_after": N_("Certificate valid until"), "user": N_("Account"),
    "ticket": N_("Pairing request"), "revoked_credentials": N_("Player keys revoked"),
    # feeds
    "url": N_("Address"), "target": N_("Each entry becomes"), "validity_min": N_("Each entry stays on air (minutes)"),
    "poll_interval_min": N_("Read every (minutes)"), "trusted": N_("Trusted"), "trusted_by": N_("Trusted by"),
    "next_poll_at": N_("Next read"), "last_polled_at": N_("Last read"), "last_ok_at": N_("Last read well"),
    "error_code": N_("Failure"), "error_detail": N_("Failure"), "failing_since": N_("Failing since"),
    "feed": N_("Feed"),
}
UNIT_FIELDS = {"unit_id", "target_unit_id", "target_unit_ids", "parent_id", "from_ids", "into_id", "new_unit_ids", "retired_unit_ids"}
USER_FIELDS = {"trusted_by", "created_by", "submitted_by", "reviewed_by", "issued_by", "confirmed_by", "cancelled_by", "actor_id", "user_id"}
UNIT_CODE_FIELDS = {"unit_code"}  # a unit named by its code (a CAP sender's), as valid on the event's day
BOARD_FIELDS = {"board_id", "target_board_id", "target_board_ids"}
ENUM_FIELDS = {"state", "role", "category", "priority", "kind", "target_kind", "orientation", "level", "target"}
TIME_FIELDS = {"certificate_not_after"}  # instants whose name does not end in _at
MIME_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
NAMED: dict[str, tuple[type[SQLModel], str]] = {
    "bulletin": (Bulletin, "title"), "media": (Media, "title"), "playlist": (Playlist, "name"),
    "schedule": (Schedule, "name"), "board": (Board, "name"), "user": (User, "username"),
    "override": (Override, "title"), "unit": (AdminUnit, "name"), "unit_settings": (AdminUnit, "name"),
    "layout": (LayoutRecord, "name"), "api_token": (ApiToken, "name"), "cap_sender": (TrustedCapSender, "name"),
    "feed": (Feed, "name"),
}


@dataclass
class Names:
    """Names of what the events mention, looked up once per page."""

    units: dict[int, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    boards: dict[int, str] = field(default_factory=dict)
    # a code names different units over time (the 2025 reform reused codes): (from, to, name) each
    unit_codes: dict[str, list[tuple[date, date | None, str]]] = field(default_factory=dict)
    objects: dict[tuple[str, str], str] = field(default_factory=dict)


def _ids(events: Iterable[AuditEvent], fields: set[str]) -> set[int]:
    found: set[int] = set()
    for event in events:
        for data in (event.before or {}, event.after or {}):
            for key in fields & set(data):
                values = data[key] if isinstance(data[key], list) else [data[key]]
                found |= {v for v in values if isinstance(v, int)}
    return found


def _codes(events: Iterable[AuditEvent]) -> set[str]:
    return {v for e in events for data in (e.before or {}, e.after or {})
            for k, v in data.items() if k in UNIT_CODE_FIELDS and isinstance(v, str)}


def _units_by_code(session: Session, codes: set[str]) -> dict[str, list[tuple[date, date | None, str]]]:
    found: dict[str, list[tuple[date, date | None, str]]] = {}
    if codes:
        rows = session.exec(select(AdminUnit).where(col(AdminUnit.code).in_(sorted(codes)))).all()
        for unit in rows:
            found.setdefault(unit.code, []).append((unit.valid_from, unit.valid_to, unit.name))
    return found


def unit_name_by_code(names: Names, code: str, on: date | None) -> str | None:
    """The name of the unit that had ``code`` on the day ``on`` (else the current one)."""
    spans = names.unit_codes.get(code, [])
    if on is not None:
        for start, end, name in spans:
            if start <= on and (end is None or on < end):
                return name
    return next((name for _, end, name in spans if end is None), None)


def _names_of(session: Session, model: type[SQLModel], attr: str, ids: Iterable[Any]) -> dict[Any, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    key = model.id  # type: ignore[attr-defined]
    rows = session.exec(select(key, getattr(model, attr)).where(col(key).in_(wanted))).all()
    return {ident: str(name) for ident, name in rows}


def look_up(session: Session, events: list[AuditEvent]) -> Names:
    names = Names()
    units = _ids(events, UNIT_FIELDS) | {e.unit_id for e in events if e.unit_id is not None}
    names.units = _names_of(session, AdminUnit, "name", units)
    users = _ids(events, USER_FIELDS) | {e.actor_id for e in events if e.actor_id is not None}
    names.users = {i: n for i, n in _names_of(session, User, "username", users).items()}
    full = _names_of(session, User, "full_name", users)
    names.users.update({i: n for i, n in full.items() if n})
    names.boards = _names_of(session, Board, "name", _ids(events, BOARD_FIELDS))
    names.unit_codes = _units_by_code(session, _codes(events))
    by_type: dict[str, set[str]] = {}
    for event in events:
        by_type.setdefault(event.object_type, set()).add(event.object_id)
    for kind, ids in by_type.items():
        if kind not in NAMED:
            continue
        model, attr = NAMED[kind]
        keys: Iterable[Any] = ids if model is LayoutRecord else (int(i) for i in ids if i.isdigit())
        for ident, name in _names_of(session, model, attr, keys).items():
            names.objects[(kind, str(ident))] = name
    return names


def action_text(action: str, tr: Translate, object_type: str = "") -> str:
    if (action, object_type) in ACTIONS_ON:
        return tr(ACTIONS_ON[(action, object_type)])
    return tr(ACTIONS[action]) if action in ACTIONS else action.replace("_", " ")


def object_text(event: AuditEvent, names: Names, tr: Translate) -> str:
    """``Bulletin “Lịch tiếp dân”``: the kind and the object's name (its id only when it has none)."""
    kind = tr(OBJECT_TYPES[event.object_type]) if event.object_type in OBJECT_TYPES else event.object_type
    name = names.objects.get((event.object_type, event.object_id)) or _snapshot_name(event)
    return f"{kind} “{name}”" if name else f"{kind} #{event.object_id}"


def _snapshot_name(event: AuditEvent) -> str:
    """A deleted object's name, from what the event kept of it."""
    for data in (event.before or {}, event.after or {}):
        for attr in ("title", "name", "username"):
            if isinstance(data.get(attr), str) and data[attr]:
                return str(data[attr])
    return ""


def _value(key: str, value: Any, names: Names, tr: Translate, on: date | None = None) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(_value(key, v, names, tr, on) for v in value)
    if isinstance(value, bool):
        return tr(N_("yes")) if value else tr(N_("no"))
    if key in UNIT_FIELDS and isinstance(value, int):
        return names.units.get(value, tr(N_("unit #%(id)s"), id=value))
    if key in USER_FIELDS and isinstance(value, int):
        return names.users.get(value, tr(N_("user #%(id)s"), id=value))
    if key in BOARD_FIELDS and isinstance(value, int):
        return names.boards.get(value, tr(N_("board #%(id)s"), id=value))
    if key in UNIT_CODE_FIELDS and isinstance(value, str):
        return unit_name_by_code(names, value, on) or tr(N_("unit with code %(code)s"), code=value)
    if key in ENUM_FIELDS and isinstance(value, str):
        return tr(value)
    if key == "content_type" and isinstance(value, str):
        return MIME_NAMES.get(value, value)
    if isinstance(value, str) and (key.endswith("_at") or key in TIME_FIELDS):
        try:
            return local_text(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def changes_text(event: AuditEvent, names: Names, tr: Translate) -> list[str]:
    """``Field: old → new`` for every field whose value differs, in words."""
    old, new = event.before or {}, event.after or {}
    on = to_local(event.at).date() if event.at else None
    shown = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            label = tr(FIELDS[key]) if key in FIELDS else key
            shown.append(f"{label}: {_value(key, old.get(key), names, tr, on)} → {_value(key, new.get(key), names, tr, on)}")
    return shown
