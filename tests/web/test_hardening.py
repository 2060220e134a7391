"""Hardening: login rate limiting, password rules, token rotation, security headers."""

import os
import uuid

import pytest
from fastapi import Response

from signage_server.core.login_guard import LoginGuard
from signage_server.core.passwords import password_problem
from signage_server.models import UnitLevel
from tests.support.factories import TEST_PASSWORD, add_unit


def _login(client, username: str, password: str):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_five_failures_for_a_user_name_block_even_the_right_password(client, users) -> None:
    for _ in range(5):
        assert _login(client, "editor-a", "wrong password!").status_code == 401
    blocked = _login(client, "editor-a", TEST_PASSWORD)
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 300
    assert "too many failed logins" in blocked.json()["detail"]


def test_failures_from_one_address_block_other_user_names(client, users) -> None:
    for n in range(20):  # a sprayer trying one password on many names from one address
        _login(client, f"nobody-{n}", "wrong password!")
    assert _login(client, "viewer-a", TEST_PASSWORD).status_code == 429


def test_one_clerks_typos_do_not_lock_out_a_colleague_at_the_same_address(client, users) -> None:
    for _ in range(6):  # the same office, behind one address
        _login(client, "editor-a", "wrong password!")
    assert _login(client, "editor-a", TEST_PASSWORD).status_code == 429
    assert _login(client, "viewer-a", TEST_PASSWORD).status_code == 200


def test_an_address_may_fail_four_times_as_often_as_a_name() -> None:
    guard = LoginGuard(max_failures=2, window_s=60, clock=lambda: 0.0, address_factor=4)
    for n in range(7):
        guard.failed(f"user:{n}", "ip:1")
    assert guard.retry_after("ip:1") is None and guard.retry_after("user:0") is None
    guard.failed("user:7", "ip:1")
    assert guard.retry_after("ip:1") == 60


def test_failed_api_logins_are_audited_without_the_password(client, users) -> None:
    _login(client, "Viewer-A", "sai mật khẩu rồi")
    _login(client, "nobody-here", "sai mật khẩu rồi")
    for _ in range(6):
        _login(client, "viewer-a", "sai mật khẩu rồi")
    events = client.get("/api/v1/audit", params={"object_type": "login"},
                        headers=users["admin"].headers).json()
    assert [(e["action"], e["object_id"], e["after"]["reason"]) for e in events] == [
        ("login_failed", "viewer-a", "login.wrong_credentials")] * 5 + [
        ("login_failed", "viewer-a", "login.too_many_failures")]
    assert {(e["actor"], e["ip"]) for e in events} == {("anonymous", "testclient")}
    assert "sai mật khẩu" not in str(events)


def test_only_the_first_refusal_of_a_block_is_noted() -> None:
    now = [0.0]
    guard = LoginGuard(max_failures=2, window_s=60, clock=lambda: now[0])
    assert not guard.first_refusal("user:x", "ip:1")  # not blocked: nothing to note
    guard.failed("user:x", "ip:1")
    guard.failed("user:x", "ip:1")
    assert [guard.first_refusal("user:x", "ip:1") for _ in range(3)] == [True, False, False]
    assert guard.first_refusal("user:y", "ip:1") is False  # the address's block is noted already
    now[0] = 60
    guard.failed("user:x")
    guard.failed("user:x")
    assert guard.first_refusal("user:x") is True  # a new block


def test_the_block_lifts_when_the_window_passes() -> None:
    now = [0.0]
    guard = LoginGuard(max_failures=2, window_s=60, clock=lambda: now[0])
    guard.failed("user:x")
    now[0] = 10
    guard.failed("user:x")
    assert guard.retry_after("user:x") == 50
    now[0] = 60
    assert guard.retry_after("user:x") is None


def test_a_success_clears_the_user_names_count() -> None:
    guard = LoginGuard(max_failures=2, window_s=60, clock=lambda: 0.0)
    guard.failed("user:x", "ip:1")
    guard.succeeded("user:x")
    guard.failed("user:x", "ip:1")
    assert (guard.retry_after("user:x"), guard.retry_after("ip:1")) == (None, 60)


@pytest.mark.parametrize(("password", "username", "reason"), [
    ("short one", "", "too_short"),
    ("Password1234", "", "too_guessable"),
    ("aaaaaaaaaaaaaa", "", "too_guessable"),
    ("bien-tap-vien-a long", "bien-tap-vien-a", "contains_user_name"),
    ("ba con bò vàng trên đồi", "editor", None),
])
def test_password_rules(password, username, reason) -> None:
    found = password_problem(password, username=username)
    assert (found is None) if reason is None else (found is not None and found.reason == reason)


@pytest.mark.parametrize("password", ["abcabcabcabc", "qwertyqwerty", "123456123456", "quangngai2025"])
def test_the_passwords_an_attacker_tried_are_refused(client, users, tree, session, password) -> None:
    add_unit(session, "51", UnitLevel.PROVINCE, "Tỉnh Quảng Ngãi", None)
    response = client.post("/api/v1/users", headers=users["admin_a"].headers, json={
        "username": "thu-ky-xa", "password": password, "role": "editor", "unit_id": tree.commune_a,
    })
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "user.weak_password" and body["params"]["score"] < body["params"]["min_score"] == 3
    assert body["detail"].startswith("password: too easy to guess.")
    assert body["params"]["feedback_vi"].startswith("mật khẩu: quá dễ đoán.")


@pytest.mark.parametrize(("password", "full_name"), [
    ("nguyenvanan1990", "Nguyễn Văn An"),  # the user's own name and a year
    ("xatinhkhe2025", ""),  # the unit's name (commune A is "Xã Tịnh Khê" here)
])
def test_the_users_and_units_names_count_as_easy_words(client, users, tree, session, password,
                                                       full_name) -> None:
    from signage_server.models import AdminUnit

    commune = session.get(AdminUnit, tree.commune_a)
    commune.name = "Xã Tịnh Khê"
    session.add(commune)
    session.commit()
    response = client.post("/api/v1/users", headers=users["admin_a"].headers, json={
        "username": "thu-ky-xa", "password": password, "full_name": full_name, "role": "editor",
        "unit_id": tree.commune_a,
    })
    assert response.status_code == 422 and "a name or a common word" in response.json()["detail"]


def test_creating_a_user_with_a_common_password_says_why(client, users, tree) -> None:
    response = client.post("/api/v1/users", headers=users["admin_a"].headers, json={
        "username": "new-editor", "password": "password1234", "role": "editor", "unit_id": tree.commune_a,
    })
    assert response.status_code == 422
    assert response.json()["detail"].startswith("password: too easy to guess. This is a very common")


def test_changing_ones_own_password_to_a_weak_one_is_refused(client, users) -> None:
    answer = client.post("/api/v1/auth/password", headers=users["editor_a"].headers,
                         json={"current_password": TEST_PASSWORD, "new_password": "qwertyqwerty"})
    assert answer.status_code == 422 and answer.json()["code"] == "user.weak_password"


def test_refreshing_a_token_revokes_the_old_one(client, users) -> None:
    old = users["editor_a"].headers
    refreshed = client.post("/api/v1/auth/token/refresh", headers=old)
    assert refreshed.status_code == 200
    new = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=new).json()["username"] == "editor-a"
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401


def test_changing_ones_password_logs_out_everywhere_and_is_audited(client, users) -> None:
    editor = users["editor_a"]
    wrong = client.post("/api/v1/auth/password", headers=editor.headers,
                        json={"current_password": "not it at all", "new_password": "ba con bò vàng trên đồi"})
    assert wrong.status_code == 422
    done = client.post("/api/v1/auth/password", headers=editor.headers,
                       json={"current_password": TEST_PASSWORD, "new_password": "ba con bò vàng trên đồi"})
    assert done.status_code == 204
    assert client.get("/api/v1/auth/me", headers=editor.headers).status_code == 401
    events = client.get("/api/v1/audit", params={"object_type": "user"},
                        headers=users["admin_a"].headers).json()
    assert [(e["action"], e["actor"]) for e in events] == [("change_password", "editor-a")]


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/nothing-here", "/api/v1/auth/me"])
def test_every_response_carries_the_security_headers(client, path) -> None:
    headers = client.get(path).headers
    assert (headers["x-content-type-options"], headers["x-frame-options"], headers["referrer-policy"]) == (
        "nosniff", "DENY", "no-referrer")
    assert headers["content-security-policy"].startswith("default-src 'none'")


def test_a_response_keeps_its_own_content_security_policy(app, client) -> None:
    own = "default-src 'self'"
    app.add_api_route("/page-with-csp",
                      lambda: Response("<p>x</p>", headers={"Content-Security-Policy": own}))
    assert client.get("/page-with-csp").headers["content-security-policy"] == own


REDIS_URL = os.environ.get("SIGNAGE_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="SIGNAGE_TEST_REDIS_URL not set: no Redis to test against")
def test_instances_sharing_redis_share_the_failure_count() -> None:
    from signage_server.core.login_guard import RedisLoginGuard

    assert REDIS_URL is not None
    prefix = f"signage-test:{uuid.uuid4().hex}:"
    one, two = (RedisLoginGuard(REDIS_URL, max_failures=2, window_s=60, prefix=prefix) for _ in range(2))
    one.failed("user:x")
    two.failed("user:x")
    assert 59 <= (one.retry_after("user:x") or 0) <= 60
    two.succeeded("user:x")
    assert one.retry_after("user:x") is None


@pytest.mark.skipif(not REDIS_URL, reason="SIGNAGE_TEST_REDIS_URL not set: no Redis to test against")
def test_instances_sharing_redis_note_a_blocks_first_refusal_once() -> None:
    from signage_server.core.login_guard import RedisLoginGuard

    assert REDIS_URL is not None
    prefix = f"signage-test:{uuid.uuid4().hex}:"
    one, two = (RedisLoginGuard(REDIS_URL, max_failures=2, window_s=60, prefix=prefix) for _ in range(2))
    assert not one.first_refusal("ip:1")
    one.failed("ip:1")
    two.failed("ip:1")
    assert [one.first_refusal("ip:1"), two.first_refusal("ip:1"), one.first_refusal("ip:1")] == [
        True, False, False]


@pytest.mark.skipif(not REDIS_URL, reason="SIGNAGE_TEST_REDIS_URL not set: no Redis to test against")
def test_a_rate_limit_in_redis_is_shared_by_instances() -> None:
    from signage_server.core.login_guard import make_rate_limit

    assert REDIS_URL is not None
    prefix = f"signage-test:{uuid.uuid4().hex}:"
    one, two = (make_rate_limit(REDIS_URL, max_events=2, window_s=60, prefix=prefix) for _ in range(2))
    one.failed("ip:1")
    two.failed("ip:1")
    assert 59 <= (one.retry_after("ip:1") or 0) <= 60 and two.retry_after("ip:2") is None
