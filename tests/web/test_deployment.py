"""Behind a TLS reverse proxy (docs/deploy.md): the client's scheme and address come from the
trusted proxy's headers, cookies are Secure over https; production can hide the API docs; the
health check tells anonymous callers no version."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from signage_server import __version__
from signage_server.app import create_app
from signage_server.models import AuditEvent
from signage_server.settings import Settings
from signage_server.web.panel.session import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from tests.support.factories import TEST_PASSWORD

PROXIED_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """TestClient's requests come from the host "testclient": here it is the trusted proxy."""
    return settings.model_copy(update={"forwarded_allow_ips": "testclient"})


def _cookie(answer, name: str) -> str:
    return next(h for h in answer.headers.get_list("set-cookie") if h.startswith(name))


def _login(client, headers: dict[str, str], password: str = TEST_PASSWORD):
    page = client.get("/panel/login", headers=headers)
    nonce = page.text.split('name="login_nonce" value="')[1].split('"')[0]
    # sent by hand: the test client (plain http) holds a Secure cookie back, as a browser would
    cookie = {"Cookie": f"{LOGIN_CSRF_COOKIE}={nonce}"}
    return page, client.post("/panel/login", headers=headers | cookie, follow_redirects=False, data={
        "username": "editor-a", "password": password, "login_nonce": nonce})


def test_cookies_are_secure_when_the_proxy_says_https(client, users) -> None:
    page, answer = _login(client, PROXIED_HTTPS)
    assert answer.status_code == 303
    assert "Secure" in _cookie(page, LOGIN_CSRF_COOKIE) and "Secure" in _cookie(answer, SESSION_COOKIE)


def test_cookies_are_not_secure_over_plain_http(client, users) -> None:
    page, answer = _login(client, {})
    assert "Secure" not in _cookie(page, LOGIN_CSRF_COOKIE)
    assert "Secure" not in _cookie(answer, SESSION_COOKIE)


def test_an_untrusted_peer_cannot_claim_https_or_an_address(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", seed_units=False))  # trusts 127.0.0.1 only
    with TestClient(app) as client:
        page = client.get("/panel/login", headers=PROXIED_HTTPS)
    assert "Secure" not in _cookie(page, LOGIN_CSRF_COOKIE)


def test_the_audit_trail_records_the_client_behind_the_proxy(client, users, session) -> None:
    _login(client, PROXIED_HTTPS, password="wrong password!")
    row = session.exec(select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
    assert row.ip == "203.0.113.9"


def test_healthz_tells_the_version_to_signed_in_callers_only(client, users) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/healthz", headers={"Authorization": "Bearer not-a-token"}).json() == {"status": "ok"}
    assert client.get("/healthz", headers=users["viewer_a"].headers).json() == {
        "status": "ok", "version": __version__}


@pytest.mark.parametrize(("api_docs", "status"), [(True, 200), (False, 404)])
def test_the_api_docs_can_be_hidden(tmp_path, api_docs, status) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", seed_units=False, api_docs=api_docs))
    with TestClient(app) as client:
        assert [client.get(p).status_code for p in ("/docs", "/redoc", "/openapi.json")] == [status] * 3
