"""Device credentials: bearer tokens bound to one board, stored only as sha256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from signage_server.models import DeviceCredential, utcnow

UNPAIRED = "device credential missing, unknown or revoked; pair the board again"
LAST_SEEN_RESOLUTION = timedelta(seconds=60)  # avoid a write on every poll


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class LiveDevice(NamedTuple):
    credential_id: int
    board_id: int
    last_seen_at: datetime | None


def live_devices(session: Session, token_hashes: Collection[str]) -> dict[str, LiveDevice]:
    """Token hash -> its live credential: one indexed read, no ORM object and no write (callers
    stamp the devices as seen in batches: the heartbeat writer, ``PollCache.seen``)."""
    table = SQLModel.metadata.tables["device_credential"]
    rows = session.connection().execute(
        sa_select(table.c.token_hash, table.c.id, table.c.board_id, table.c.last_seen_at)
        .where(table.c.token_hash.in_(list(token_hashes)), table.c.revoked_at.is_(None))
    ).all()
    return {r[0]: LiveDevice(r[1], r[2], r[3]) for r in rows}


def credential_for_token(session: Session, token: str | None) -> DeviceCredential | None:
    if not token:
        return None
    credential = session.exec(
        select(DeviceCredential).where(DeviceCredential.token_hash == hash_token(token))
    ).first()
    if credential is None or credential.revoked_at is not None:
        return None
    now = utcnow()
    if credential.last_seen_at is None or now - credential.last_seen_at > LAST_SEEN_RESOLUTION:
        credential.last_seen_at = now
        session.add(credential)
        session.commit()
        session.refresh(credential)
    return credential


def issue_credential(session: Session, board_id: int, hardware_id: str) -> tuple[DeviceCredential, str]:
    """A new credential for the board; earlier ones are revoked (one device per board)."""
    now = utcnow()
    for old in session.exec(
        select(DeviceCredential).where(
            DeviceCredential.board_id == board_id,
            DeviceCredential.revoked_at == None,  # noqa: E711
        )
    ):
        old.revoked_at = now
        session.add(old)
    token = new_token()
    credential = DeviceCredential(board_id=board_id, token_hash=hash_token(token), hardware_id=hardware_id)
    session.add(credential)
    session.commit()
    session.refresh(credential)
    return credential, token
