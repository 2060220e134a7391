"""Panel intake sources: an admin registers an upstream system with its account and the units that
trust it, changes the trust and disables it, each audited and refused in Vietnamese; a bulletin the
source sent shows where it came from."""

from __future__ import annotations

import pytest
from sqlmodel import select

from signage_server.models import AuditEvent, Bulletin, IntakeSource
from tests.support.panel_client import login

# One database is enough: the service and its constraints are tested on both in tests/web/api.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_an_admin_registers_a_source_and_sets_its_trust(client, users, tree, session) -> None:
    csrf = login(client, "admin")
    made = client.post("/panel/intake-sources", data={
        "name": "httn-tinh", "user_id": str(users["editor_a"].id), "trusted_unit_ids": [str(tree.commune_a)],
        "csrf_token": csrf})
    assert made.status_code == 200 and "Đã đăng ký nguồn." in made.text
    row = session.exec(select(IntakeSource)).one()
    held = (row.name, row.user_id, row.trusted_unit_ids)
    assert held == ("httn-tinh", users["editor_a"].id, [tree.commune_a])
    again = client.post("/panel/intake-sources", data={
        "name": "httn-tinh", "user_id": str(users["editor_b"].id), "csrf_token": csrf})
    assert again.status_code == 422 and "Đã có nguồn tiếp nhận tên httn-tinh." in again.text
    trust = client.post(f"/panel/intake-sources/{row.id}/trust",
                        data={"trusted_unit_ids": [str(tree.commune_a), str(tree.village_a)],
                              "csrf_token": csrf})
    assert trust.status_code == 200 and "Đã lưu các đơn vị tin cậy." in trust.text
    off = client.post(f"/panel/intake-sources/{row.id}/active", data={"active": "no", "csrf_token": csrf})
    assert off.status_code == 200 and "Đã tắt nguồn" in off.text
    session.expire_all()
    row = session.get(IntakeSource, row.id)
    assert (row.trusted_unit_ids, row.active) == (sorted([tree.commune_a, tree.village_a]), False)
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == "intake_source")).all()
    assert actions == ["create", "update", "update"]


def test_a_trusted_unit_outside_the_account_is_refused_and_editors_see_no_page(client, users, tree) -> None:
    csrf = login(client, "admin")
    refused = client.post("/panel/intake-sources", data={
        "name": "httn", "user_id": str(users["editor_a"].id), "trusted_unit_ids": [str(tree.commune_b)],
        "csrf_token": csrf})
    assert refused.status_code == 422 and "nằm ngoài phạm vi của tài khoản nguồn" in refused.text
    login(client, "editor-a")
    assert client.get("/panel/intake-sources").status_code == 403


def test_a_bulletin_sent_by_a_source_says_so(client, users, tree, session) -> None:
    session.add(Bulletin(title="Thông báo", unit_id=tree.commune_a, source="httn-tinh", external_id="VB-7"))
    session.commit()
    login(client, "editor-a")
    listed = client.get("/panel/bulletins").text
    assert "Từ httn-tinh, số VB-7" in listed
    bulletin_id = session.exec(select(Bulletin.id)).one()
    page = client.get(f"/panel/bulletins/{bulletin_id}").text
    assert "Do hệ thống nguồn httn-tinh gửi, số hiệu VB-7." in page
