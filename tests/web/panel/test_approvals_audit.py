"""Panel approval queue and audit trail: role, scope, decisions through the API, escaping, CSV."""

from __future__ import annotations

import pytest

from signage_server.models import Bulletin
from tests.support.panel_client import login


def submitted_bulletin(client, author, title: str = "Lịch tiêm chủng tháng 12") -> int:
    made = client.post("/api/v1/bulletins", json={"title": title}, headers=author.headers)
    assert made.status_code == 201, made.text
    bid = made.json()["id"]
    sent = client.post(f"/api/v1/bulletins/{bid}/state", json={"state": "submitted"}, headers=author.headers)
    assert sent.status_code == 200, sent.text
    return bid


def decide(client, csrf: str, bid: int, state: str, reason: str = ""):
    return client.post(f"/panel/approvals/bulletin/{bid}/state",
                       data={"state": state, "reason": reason, "csrf_token": csrf})


def test_the_queue_shows_a_submitted_bulletin_to_an_approver(client, users) -> None:
    submitted_bulletin(client, users["editor_a"])
    login(client, "approver-a")
    page = client.get("/panel/approvals")
    assert page.status_code == 200 and "Lịch tiêm chủng tháng 12" in page.text
    assert "editor-a" in page.text and "Xã An Bình" in page.text


def test_an_editor_has_neither_the_menu_entry_nor_the_queue(client, users) -> None:
    submitted_bulletin(client, users["editor_a"])
    login(client, "editor-a")
    assert 'href="/panel/approvals"' not in client.get("/panel/bulletins").text
    assert client.get("/panel/approvals").status_code == 403


def test_approving_from_the_queue_moves_the_bulletin_to_approved(client, users, session) -> None:
    bid = submitted_bulletin(client, users["editor_a"])
    csrf = login(client, "approver-a")
    answer = decide(client, csrf, bid, "approved")
    assert answer.status_code == 200 and "Lịch tiêm chủng tháng 12" not in answer.text
    session.expire_all()
    assert session.get(Bulletin, bid).state == "approved"


def test_rejecting_without_a_reason_says_so_in_vietnamese(client, users, session) -> None:
    bid = submitted_bulletin(client, users["editor_a"])
    csrf = login(client, "approver-a")
    answer = decide(client, csrf, bid, "rejected")
    assert answer.status_code == 422 and "Từ chối phải có lý do." in answer.text
    assert "a rejection needs a reason" not in answer.text
    session.expire_all()
    assert session.get(Bulletin, bid).state == "submitted"


def test_rejecting_with_a_reason_keeps_it(client, users, session) -> None:
    bid = submitted_bulletin(client, users["editor_a"])
    csrf = login(client, "approver-a")
    assert decide(client, csrf, bid, "rejected", "Sai ngày").status_code == 200
    session.expire_all()
    row = session.get(Bulletin, bid)
    assert row.state == "rejected" and row.rejection_reason == "Sai ngày"


def test_the_four_eyes_refusal_is_shown(client, users) -> None:
    bid = submitted_bulletin(client, users["admin_a"])
    csrf = login(client, "admin-a")
    answer = decide(client, csrf, bid, "approved")
    assert answer.status_code == 422 and "Nguyên tắc bốn mắt" in answer.text


def test_the_queue_posts_need_the_csrf_token(client, users) -> None:
    bid = submitted_bulletin(client, users["editor_a"])
    login(client, "approver-a")
    answer = client.post(f"/panel/approvals/bulletin/{bid}/state", data={"state": "approved"})
    assert answer.status_code == 403


def test_the_audit_page_lists_the_approval_in_words(client, users) -> None:
    bid = submitted_bulletin(client, users["editor_a"])
    csrf = login(client, "approver-a")
    decide(client, csrf, bid, "approved")
    page = client.get("/panel/audit?object_type=bulletin")
    assert page.status_code == 200
    assert "<td>đã duyệt</td>" in page.text and "Bản tin “Lịch tiêm chủng tháng 12”" in page.text
    assert "Trạng thái: chờ duyệt → đã duyệt" in page.text
    assert f"bulletin {bid}" not in page.text and "GMT+7" in page.text


def test_the_audit_page_filters_by_kind_from_a_list(client, users) -> None:
    login(client, "approver-a")
    page = client.get("/panel/audit")
    assert '<select id="a-type" name="object_type">' in page.text
    assert '<option value="bulletin">Bản tin</option>' in page.text


def test_the_audit_csv_uses_the_same_filters(client, users) -> None:
    bid = submitted_bulletin(client, users["editor_a"])
    csrf = login(client, "approver-a")
    decide(client, csrf, bid, "approved")
    page = client.get("/panel/audit?object_type=bulletin&from=2020-01-01")
    link = page.text.split('href="/panel/audit/export.csv?')[1].split('"')[0].replace("&amp;", "&")
    assert "object_type=bulletin" in link
    csv = client.get(f"/panel/audit/export.csv?{link}")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert ",approve,bulletin," in csv.text and ",create,bulletin," in csv.text


@pytest.mark.parametrize("path", ["/panel/approvals", "/panel/audit"])
def test_bulletin_markup_renders_as_text(client, users, path) -> None:
    submitted_bulletin(client, users["editor_a"], '<script>alert("x")</script><b>Đậm</b>')
    login(client, "approver-a")
    page = client.get(path).text
    assert "<script>alert" not in page and "<b>Đậm</b>" not in page
    assert "&lt;script&gt;alert(" in page


def test_an_approver_of_commune_a_does_not_see_commune_b(client, users, tree) -> None:
    submitted_bulletin(client, users["editor_b"], "Thông báo của xã B")
    login(client, "approver-a")
    assert "Thông báo của xã B" not in client.get("/panel/approvals").text
    assert "Thông báo của xã B" not in client.get("/panel/audit").text
    assert client.get(f"/panel/audit?unit_id={tree.commune_b}").status_code == 422
