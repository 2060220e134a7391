"""Panel pages: login and sessions, CSRF, escaping, scope, language, security headers."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from signage_server.models import ApiToken, AuditEvent, Bulletin, TokenKind
from signage_server.web.panel.session import SESSION_COOKIE
from tests.support.panel_client import csrf_of, login


def test_login_page_is_vietnamese_by_default(client) -> None:
    page = client.get("/panel/login")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text and "Đăng nhập" in page.text


def test_english_is_selectable(client) -> None:
    client.get("/panel/language/en?next=/panel/login")
    page = client.get("/panel/login")
    assert '<html lang="en">' in page.text and ">Log in<" in page.text


def test_session_cookie_is_httponly_and_samesite(client, users) -> None:
    page = client.get("/panel/login")
    nonce = page.text.split('name="login_nonce" value="')[1].split('"')[0]
    answer = client.post("/panel/login", follow_redirects=False, data={
        "username": "editor-a", "password": "correct horse battery", "login_nonce": nonce})
    assert answer.status_code == 303
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/panel" in cookie


def test_session_is_a_server_side_token(client, users, session) -> None:
    login(client, "editor-a")
    rows = session.exec(
        ApiToken.__table__.select().where(ApiToken.user_id == users["editor_a"].id,
                                          ApiToken.name == "panel")
    ).all()
    assert len(rows) == 1 and rows[0].kind == TokenKind.SESSION and rows[0].expires_at is not None


def test_wrong_password_is_refused_with_a_message(client, users) -> None:
    page = client.get("/panel/login")
    nonce = page.text.split('name="login_nonce" value="')[1].split('"')[0]
    answer = client.post("/panel/login", data={"username": "editor-a", "password": "nope",
                                               "login_nonce": nonce})
    assert answer.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in answer.text
    assert SESSION_COOKIE not in client.cookies
    assert _alerts(answer.text) == ["Sai tên đăng nhập hoặc mật khẩu."]  # once, never the raw code


def _alerts(page: str) -> list[str]:
    return [part.split("</div>")[0] for part in page.split('role="alert">')[1:]]


def _panel_login(client, username: str, password: str):
    page = client.get("/panel/login")
    nonce = page.text.split('name="login_nonce" value="')[1].split('"')[0]
    return client.post("/panel/login",
                       data={"username": username, "password": password, "login_nonce": nonce})


def test_too_many_failed_logins_are_held_back_with_the_panels_message(client, users) -> None:
    for _ in range(5):
        assert _panel_login(client, "editor-a", "wrong password!").status_code == 401
    held = _panel_login(client, "editor-a", "correct horse battery")
    assert held.status_code == 429 and 1 <= int(held.headers["Retry-After"]) <= 300
    assert "Đăng nhập sai quá nhiều lần" in held.text and SESSION_COOKIE not in client.cookies
    wait_s = held.headers["Retry-After"]
    assert _alerts(held.text) == [f"Đăng nhập sai quá nhiều lần; vui lòng thử lại sau {wait_s} giây."]
    client.get("/panel/language/en?next=/panel/login")
    assert "Too many failed logins" in _panel_login(client, "editor-a", "correct horse battery").text


def test_thirty_wrong_panel_passwords_meet_429_after_the_limit(client, users) -> None:
    answers = [_panel_login(client, "editor-a", f"wrong password {n}!") for n in range(30)]
    statuses = [a.status_code for a in answers]
    assert statuses == [401] * 5 + [429] * 25
    assert all(1 <= int(a.headers["Retry-After"]) <= 300 for a in answers[5:])


def test_failed_panel_logins_are_audited_once_per_block(client, users, session) -> None:
    for n in range(30):
        _panel_login(client, "  Editor-A ", f"mật khẩu sai {n}")
    rows = session.exec(select(AuditEvent).where(AuditEvent.action == "login_failed")
                        .order_by(col(AuditEvent.id))).all()
    assert [r.after["reason"] for r in rows if r.after] == ["login.wrong_credentials"] * 5 + [
        "login.too_many_failures"]
    assert {(r.object_id, r.actor, r.ip, r.unit_id) for r in rows} == {
        ("editor-a", "anonymous", "testclient", users["editor_a"].unit_id)}
    assert not any("mật khẩu" in str(r.model_dump()) for r in rows)


def test_failed_api_logins_count_for_the_panel_too(client, users) -> None:
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": "viewer-a", "password": "wrong password!"})
    assert _panel_login(client, "viewer-a", "correct horse battery").status_code == 429


def test_login_without_the_form_nonce_is_refused(client, users) -> None:
    answer = client.post("/panel/login", data={"username": "editor-a", "password": "correct horse battery",
                                               "login_nonce": "forged"})
    assert answer.status_code == 401 and SESSION_COOKIE not in client.cookies


@pytest.mark.parametrize("path", ["/panel/dashboard", "/panel/boards", "/panel/media", "/panel/bulletins",
                                  "/panel/reports", "/panel/approvals", "/panel/audit",
                                  "/panel/playlists",
                                  "/panel/schedules"])
def test_pages_need_a_session(client, path) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/panel/login?next=")


def test_login_returns_to_a_panel_path_only(client, users) -> None:
    page = client.get("/panel/login?next=https://evil.example/")
    assert 'name="next" value="/panel/dashboard"' in page.text


def test_post_without_csrf_token_is_refused(client, users) -> None:
    login(client, "editor-a")
    answer = client.post("/panel/bulletins", data={"title": "Không có mã"})
    assert answer.status_code == 403 and "Phiên làm việc của biểu mẫu đã hết hạn" in answer.text


def test_post_with_wrong_csrf_header_is_refused(client, users) -> None:
    login(client, "editor-a")
    answer = client.post("/panel/bulletins", data={"title": "x"}, headers={"X-CSRF-Token": "0" * 64})
    assert answer.status_code == 403


def test_post_with_csrf_token_is_accepted(client, users, session) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/bulletins", data={"title": "Thông báo lịch tiêm chủng", "csrf_token": csrf})
    assert answer.status_code == 200 and "Thông báo lịch tiêm chủng" in answer.text


def test_bulletin_markup_renders_as_text(client, users, session) -> None:
    csrf = login(client, "editor-a")
    title = '<script>alert("x")</script><b>Đậm</b>'
    made = client.post("/panel/bulletins", data={"title": title, "body": "<img src=x onerror=alert(1)>",
                                                 "csrf_token": csrf})
    listing = client.get("/panel/bulletins").text
    for html in (made.text, listing):
        assert "<script>alert" not in html and "<b>Đậm</b>" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Đậm&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in made.text


def test_editor_of_commune_a_does_not_see_commune_b_boards(client, users, make_board, tree) -> None:
    mine = make_board()
    theirs = make_board(unit_id=tree.commune_b)
    login(client, "editor-a")
    listing = client.get("/panel/boards").text
    assert f"/panel/boards/{mine.id}\"" in listing and f"/panel/boards/{theirs.id}\"" not in listing
    assert client.get(f"/panel/boards/{theirs.id}").status_code == 404


def test_board_list_shows_size_kind_and_tags(client, users, make_board) -> None:
    make_board(width=384, height=192, tags=["chợ", "led"])
    login(client, "viewer-a")
    listing = client.get("/panel/boards").text
    assert "384×192" in listing and "chợ" in listing and "bảng công cộng" in listing


def test_logout_revokes_the_session(client, users) -> None:
    csrf = login(client, "editor-a")
    token = client.cookies.get(SESSION_COOKIE)
    client.post("/panel/logout", data={"csrf_token": csrf})
    client.cookies.set(SESSION_COOKIE, token, path="/panel")
    assert client.get("/panel/boards", follow_redirects=False).status_code == 303


def test_panel_pages_carry_security_headers(client) -> None:
    headers = client.get("/panel/login").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "same-origin"


def test_api_responses_do_not_get_panel_headers(client) -> None:
    from signage_server.web.security_headers import API_CSP

    assert client.get("/healthz").headers["content-security-policy"] == API_CSP


def test_panel_serves_htmx_and_font_locally(client) -> None:
    assert client.get("/panel/static/htmx.min.js").status_code == 200
    font = client.get("/panel/font/NotoSans.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"


def test_state_buttons_follow_the_role(client, users, session, tree) -> None:
    session.add(Bulletin(title="Chờ duyệt", unit_id=tree.commune_a, state="submitted"))
    session.commit()
    login(client, "approver-a")
    page = client.get("/panel/bulletins").text
    assert 'name="state" value="approved"' in page and 'name="state" value="rejected"' in page
    assert csrf_of(page)


def test_dashboard_counts_boards_and_lists_those_never_seen(client, users, make_board, tree) -> None:
    mine = make_board()
    theirs = make_board(unit_id=tree.commune_b)
    login(client, "viewer-a")
    page = client.get("/panel/dashboard")
    assert page.status_code == 200
    assert "chưa kết nối lần nào" in page.text and "Chưa có ảnh chụp" in page.text
    assert f"/panel/boards/{mine.id}\"" in page.text and f"/panel/boards/{theirs.id}\"" not in page.text


def test_reports_page_shows_the_summary_and_offers_csv(client, users, make_board, tree) -> None:
    make_board()
    login(client, "viewer-a")
    page = client.get(f"/panel/reports?unit_id={tree.commune_a}")
    assert page.status_code == 200 and "Xã An Bình" in page.text and "Theo chuyên mục" in page.text
    link = page.text.split('href="/panel/reports/summary.csv?')[1].split('"')[0].replace("&amp;", "&")
    csv = client.get(f"/panel/reports/summary.csv?{link}")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")


def test_reports_page_says_how_many_records_a_board_clock_moved(client, users, session, make_board,
                                                                tree) -> None:
    from datetime import UTC, datetime, timedelta

    from signage_contract import device as wire
    from signage_contract.timezone import LOCAL_ZONE
    from signage_server.devices.auth import issue_credential

    _credential, token = issue_credential(session, make_board().id, "mini-pc")
    device = {"Authorization": f"Bearer {token}"}
    board_now = datetime.now(UTC) + timedelta(hours=2)  # the board's clock runs two hours fast
    client.post(wire.DEVICE_HEARTBEAT, json={"sent_at": board_now.isoformat()}, headers=device)
    started = board_now - timedelta(minutes=10)
    record = {"id": "rec-fast-clock", "region_id": "main", "item_id": "x", "reason": "scheduled",
              "started_at": started.isoformat(), "ended_at": (started + timedelta(minutes=1)).isoformat()}
    assert client.post(wire.DEVICE_PLAYS, json={"records": [record]}, headers=device).json()["corrected"] == 1
    today = datetime.now(LOCAL_ZONE).date()
    login(client, "viewer-a")
    page = client.get(f"/panel/reports?unit_id={tree.commune_a}&from={today - timedelta(days=1)}&to={today}")
    assert "Đồng hồ bảng tin" in page.text
    assert "1 bản ghi đã chỉnh giờ theo độ lệch đồng hồ của bảng, 0 bản ghi chưa xác minh" in page.text


def test_reports_of_another_commune_are_not_found(client, users, tree) -> None:
    login(client, "viewer-a")
    page = client.get(f"/panel/reports?unit_id={tree.commune_b}")
    assert page.status_code == 422 and "không tồn tại" in page.text
