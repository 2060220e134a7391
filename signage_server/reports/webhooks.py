"""A source account's webhook for its bulletins: one per account, set, read and removed by the
account itself (``PUT/GET/DELETE /api/v1/webhooks/bulletins``). The secret keys the HMAC
signature of every call (``bulletin_events.py``); it is never shown back nor audited."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from sqlmodel import Session

from signage_server.core.audit import record_as
from signage_server.core.errors import Invalid, NotFound
from signage_server.models import BulletinWebhook, User, utcnow

MIN_SECRET_CHARS = 16


class WebhookSet(BaseModel):
    url: str = Field(max_length=2000, description="http(s) URL POSTed each event")
    secret: str = Field(min_length=MIN_SECRET_CHARS, max_length=200,
                        description="keys the X-Signage-Signature HMAC-SHA256 header")


class WebhookPublic(BaseModel):
    url: str
    created_at: datetime
    updated_at: datetime


def _public(row: BulletinWebhook) -> WebhookPublic:
    return WebhookPublic(url=row.url, created_at=row.created_at, updated_at=row.updated_at)


def _checked_url(url: str, allow_private: bool) -> str:
    """An http(s) URL with a host; unless ``allow_private``, not an address of the server's own
    networks (loopback, private, link-local: an account must not make the server call them)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("webhook.url", "the webhook URL must be an http or https URL with a host")
    if parts.username or parts.password:
        raise Invalid("webhook.url", "the webhook URL must not carry credentials: use the secret")
    if not allow_private and _private_host(parts.hostname):
        raise Invalid("webhook.private", "the webhook URL names a local or private address")
    return url.strip()


def _private_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: resolved when called, by the receiver's DNS
    return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified


def set_webhook(session: Session, *, actor: User, wanted: WebhookSet, ip: str,
                allow_private: bool = False) -> WebhookPublic:
    """Register or replace the actor's webhook."""
    assert actor.id is not None
    url = _checked_url(wanted.url, allow_private)
    row = session.get(BulletinWebhook, actor.id)
    before = None if row is None else {"url": row.url}
    now = utcnow()
    if row is None:
        row = BulletinWebhook(user_id=actor.id, url=url, secret=wanted.secret, created_at=now, updated_at=now)
    else:
        row.url, row.secret, row.updated_at = url, wanted.secret, now
    session.add(row)
    record_as(session, actor, ip, "update" if before else "create", "bulletin_webhook", actor.id,
              unit_id=actor.unit_id, before=before, after={"url": url, "secret": "(changed)"})
    session.commit()
    session.refresh(row)
    return _public(row)


def get_webhook(session: Session, *, actor: User) -> WebhookPublic:
    row = session.get(BulletinWebhook, actor.id)
    if row is None:
        raise NotFound("webhook.not_found", "this account has no bulletin webhook")
    return _public(row)


def delete_webhook(session: Session, *, actor: User, ip: str) -> None:
    row = session.get(BulletinWebhook, actor.id)
    if row is None:
        raise NotFound("webhook.not_found", "this account has no bulletin webhook")
    record_as(session, actor, ip, "delete", "bulletin_webhook", actor.id, unit_id=actor.unit_id,
              before={"url": row.url}, after=None)
    session.delete(row)
    session.commit()
