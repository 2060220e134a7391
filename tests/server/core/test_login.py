"""The one login path (API and panel): guard, password check, session token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from signage_server.core.auth import user_for_token
from signage_server.core.login import TooManyFailures, WrongCredentials, log_in, log_out
from signage_server.core.login_guard import LoginGuard
from tests.support.factories import TEST_PASSWORD

TTL = timedelta(hours=1)


def _log_in(session: Session, guard: LoginGuard, username: str, password: str, ip: str = "10.0.0.1"):
    return log_in(session, guard=guard, username=username, password=password, ip=ip, token_name="t", ttl=TTL)


def test_a_correct_password_gives_a_working_session_token(session, users) -> None:
    done = _log_in(session, LoginGuard(), "  Editor-A ", TEST_PASSWORD)
    assert done.user.id == users["editor_a"].id and done.expires_at is not None
    assert user_for_token(session, done.token) is not None


def test_a_wrong_password_is_refused_with_a_stable_code(session, users) -> None:
    with pytest.raises(WrongCredentials) as refused:
        _log_in(session, LoginGuard(), "editor-a", "wrong password!")
    assert refused.value.code == "login.wrong_credentials"
    assert refused.value.message == "wrong user name or password"


def test_after_the_limit_even_the_right_password_waits(session, users) -> None:
    guard = LoginGuard(max_failures=2)
    for _ in range(2):
        with pytest.raises(WrongCredentials):
            _log_in(session, guard, "editor-a", "wrong password!")
    with pytest.raises(TooManyFailures) as held:
        _log_in(session, guard, "editor-a", TEST_PASSWORD)
    assert held.value.code == "login.too_many_failures" and 1 <= held.value.retry_after_s <= 300
    assert held.value.message == f"too many failed logins; try again in {held.value.retry_after_s} s"


def test_logging_out_revokes_the_session_token(session, users) -> None:
    done = _log_in(session, LoginGuard(), "editor-a", TEST_PASSWORD)
    log_out(session, token=done.token)
    assert user_for_token(session, done.token) is None
