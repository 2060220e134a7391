"""One login path for the API (``POST /auth/token``) and the panel's form: the login guard, the
password check, the session token.

Failed logins are counted per user name and per address (``login_guard``); once either is over the
limit every attempt is refused with ``login.too_many_failures`` until the oldest failure leaves the
window, whatever the password. The edges turn the two refusals into their own answers (the API:
401 or 429 with ``Retry-After``; the panel: the login page in the reader's language).

Failed logins are audited (action ``login_failed``: the normalised user name tried, the address, the
reason; never the password). The trail cannot be flooded: wrong passwords are at most the guard's
limit per name and per address in a window, and of the attempts refused while held back only the
first of each block is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from signage_server.core import audit
from signage_server.core.auth import authenticate, hash_token, issue_token
from signage_server.core.errors import DomainError
from signage_server.core.login_guard import Guard, keys_for
from signage_server.models import ApiToken, TokenKind, User, utcnow


class WrongCredentials(DomainError):
    """The user name is unknown, the account inactive or the password wrong (not told apart)."""

    def __init__(self) -> None:
        super().__init__("login.wrong_credentials", "wrong user name or password")


class TooManyFailures(DomainError):
    """The user name or the address failed too often lately; ``retry_after_s`` says how long to wait."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("login.too_many_failures", f"too many failed logins; try again in {retry_after_s} s",
                         retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Login:
    user: User
    token: str  # the plain session token, shown once
    expires_at: datetime | None


def normalised(username: str) -> str:
    return username.strip().lower()


FAILED_ACTION = "login_failed"
OBJECT_TYPE = "login"
NAME_KEPT = 64  # characters of the tried user name kept (the longest valid user name)


def _record_failure(session: Session, *, username: str, ip: str, reason: DomainError) -> None:
    """One ``login_failed`` event in the unit of the account tried (none for an unknown name)."""
    known = session.exec(select(User).where(User.username == username)).first()
    audit.record(session, action=FAILED_ACTION, object_type=OBJECT_TYPE, object_id=username[:NAME_KEPT],
                 actor=audit.ANONYMOUS, unit_id=None if known is None else known.unit_id, ip=ip,
                 after={"username": username[:NAME_KEPT], "reason": reason.code})
    session.commit()


def log_in(session: Session, *, guard: Guard, username: str, password: str, ip: str,
           token_name: str, ttl: timedelta) -> Login:
    """A session token for a correct password, unless the guard holds the name or address back."""
    username = normalised(username)
    keys = keys_for(username, ip)
    wait_s = guard.retry_after(*keys)
    if wait_s is not None:
        held = TooManyFailures(wait_s)
        if guard.first_refusal(*keys):
            _record_failure(session, username=username, ip=ip, reason=held)
        raise held
    user = authenticate(session, username, password)
    if user is None:
        guard.failed(*keys)
        wrong = WrongCredentials()
        _record_failure(session, username=username, ip=ip, reason=wrong)
        raise wrong
    guard.succeeded(keys[0])
    plain, row = issue_token(session, user, TokenKind.SESSION, token_name, ttl)
    return Login(user=user, token=plain, expires_at=row.expires_at)


def log_out(session: Session, *, token: str) -> None:
    """Revoke the session token (an unknown or already revoked one is left alone)."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()
