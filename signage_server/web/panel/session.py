"""Panel sessions: an HttpOnly, SameSite=Strict cookie carrying a server-side session token
(``core.login.log_in``), so expiry, revocation and scope live where the API keeps them; and a CSRF token
per session, derived from the session token and checked on every POST."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlmodel import Session

from signage_server.core.auth import user_for_token
from signage_server.models import Role, User
from signage_server.web.deps import SessionDep
from signage_server.web.panel.labels import N_

SESSION_COOKIE = "signage_panel"
LANG_COOKIE = "signage_lang"
LOGIN_CSRF_COOKIE = "signage_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
PANEL_PATH = "/panel"


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def csrf_for(session_token: str) -> str:
    """Bound to the session: unknowable without the cookie, which scripts cannot read."""
    return hmac.new(session_token.encode(), b"signage-panel-csrf", hashlib.sha256).hexdigest()


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class PanelUser:
    user: User
    csrf: str

    @property
    def role(self) -> Role:
        return self.user.role


def _current(request: Request, session: Session) -> PanelUser:
    token = request.cookies.get(SESSION_COOKIE)
    user = user_for_token(session, token) if token else None
    if token is None or user is None:
        raise LoginRequired(request.url.path)
    return PanelUser(user=user, csrf=csrf_for(token))


def panel_user(request: Request, session: SessionDep) -> PanelUser:
    return _current(request, session)


CurrentPanelUser = Annotated[PanelUser, Depends(panel_user)]


async def panel_user_checked(request: Request, current: CurrentPanelUser) -> PanelUser:
    """For POSTs: the session plus a matching CSRF token (header for htmx/XHR, else form field)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if sent is None or not hmac.compare_digest(sent, current.csrf):
        raise HTTPException(status.HTTP_403_FORBIDDEN, N_("CSRF token missing or wrong; reload the page"))
    return current


CheckedPanelUser = Annotated[PanelUser, Depends(panel_user_checked)]
