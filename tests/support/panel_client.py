"""Helpers for panel tests: log in through the real form, read the CSRF token from a page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support.factories import TEST_PASSWORD

_NONCE = re.compile(r'name="login_nonce" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client: TestClient, username: str, password: str = TEST_PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = client.get("/panel/login")
    nonce = _NONCE.search(page.text)
    assert nonce, page.text
    answer = client.post("/panel/login", data={"username": username, "password": password,
                                               "login_nonce": nonce[1], "next": "/panel/dashboard"})
    assert answer.status_code == 200, answer.text  # followed the 303 to the boards page
    return csrf_of(answer.text)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found[1]
