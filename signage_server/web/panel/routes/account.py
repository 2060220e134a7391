"""Log in, log out, choose the language."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from signage_server.core import login as login_service
from signage_server.core.audit import client_ip
from signage_server.web.deps import LoginGuardDep, SessionDep, SettingsDep
from signage_server.web.panel.i18n import LANGUAGES
from signage_server.web.panel.pages import Pages, pages, see_other
from signage_server.web.panel.session import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    PANEL_PATH,
    SESSION_COOKIE,
    CheckedPanelUser,
    new_login_nonce,
)

router = APIRouter()
PagesDep = Annotated[Pages, Depends(pages)]
HOME = f"{PANEL_PATH}/dashboard"


def _safe_next(target: str | None) -> str:
    """Only a path inside the panel: an open redirect would turn the login page into a phishing aid."""
    if target and target.startswith(f"{PANEL_PATH}/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/")
@router.get("", include_in_schema=False)
def home() -> RedirectResponse:
    return see_other(HOME)


@router.get("/login")
def login_page(request: Request, view: PagesDep, next: str | None = None) -> Response:
    return login_form(request, view, next)


def login_form(request: Request, view: Pages, next: str | None, error: str = "",
               retry_after_s: int | None = None) -> Response:
    """The form; ``error`` is ``wrong``, ``expired`` or ``too_many`` (429, with ``Retry-After``)."""
    nonce = new_login_nonce()
    status_code = 200 if not error else 429 if retry_after_s is not None else 401
    response = view.render(request, "login.html", None, login_nonce=nonce, next=_safe_next(next),
                           login_error=error, retry_after_s=retry_after_s, status_code=status_code)
    if retry_after_s is not None:
        response.headers["Retry-After"] = str(retry_after_s)
    response.set_cookie(LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", path=PANEL_PATH,
                        secure=_secure(request))
    return response


@router.post("/login")
def login(
    request: Request, session: SessionDep, settings: SettingsDep, guard: LoginGuardDep, view: PagesDep,
    username: Annotated[str, Form()], password: Annotated[str, Form()],
    login_nonce: Annotated[str, Form()], next: Annotated[str, Form()] = HOME,
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_nonce):
        return login_form(request, view, next, error="expired")
    try:
        done = login_service.log_in(session, guard=guard, username=username, password=password,
                                    ip=client_ip(request), token_name="panel",
                                    ttl=timedelta(hours=settings.token_ttl_hours))
    except login_service.TooManyFailures as exc:
        return login_form(request, view, next, error="too_many", retry_after_s=exc.retry_after_s)
    except login_service.WrongCredentials:
        return login_form(request, view, next, error="wrong")
    response = see_other(_safe_next(next))
    response.set_cookie(SESSION_COOKIE, done.token, max_age=settings.token_ttl_hours * 3600, httponly=True,
                        samesite="strict", path=PANEL_PATH, secure=_secure(request))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PANEL_PATH)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, _who: CheckedPanelUser) -> Response:
    login_service.log_out(session, token=request.cookies.get(SESSION_COOKIE, ""))
    response = see_other(f"{PANEL_PATH}/login")
    response.delete_cookie(SESSION_COOKIE, path=PANEL_PATH)
    return response


@router.get("/language/{lang}")
def choose_language(request: Request, lang: str, next: str | None = None) -> Response:
    """A preference, not worth a CSRF token: the worst a forged link does is switch the language."""
    response = see_other(_safe_next(next))
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path=PANEL_PATH,
                            secure=_secure(request))
    return response
