"""Panel CAP senders: made by admins (token shown once), certificate uploaded with its expiry shown,
an expired certificate refused, senders of the setting read-only, every change audited."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from signage_server.emergency.sources.cap.senders import hash_token
from signage_server.models import AuditEvent, TrustedCapSender
from signage_server.settings import CapSender, Settings
from tests.support.cap_signing import make_identity
from tests.support.panel_client import login

IDENTITY = make_identity("canhbao.kttv.gov.vn")
SEED = "seed@nchmf.gov.vn"
MADE = "canhbao@kttv-91.gov.vn"


def _made(session) -> TrustedCapSender:
    return session.exec(select(TrustedCapSender).where(TrustedCapSender.name == MADE)).one()


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seed_units=False,
                    cap_senders={SEED: CapSender(token="seed-sender-token-0123")})


def _create(client, csrf: str, unit_id: int, *, certificate: bytes | None = None,
            name: str = "canhbao@kttv-91.gov.vn"):
    files = {"certificate": ("kttv.pem", certificate, "application/x-pem-file")} if certificate else None
    return client.post("/panel/cap-senders", data={"name": name, "unit_id": str(unit_id),
                                                  "geocode_names": "MA_XA, UNIT_CODE", "csrf_token": csrf},
                       files=files)


def test_admin_creates_a_sender_with_a_certificate_and_sees_its_expiry(client, users, tree,
                                                                      session) -> None:
    csrf = login(client, "admin")
    answer = _create(client, csrf, tree.province, certificate=IDENTITY.cert_pem)
    assert answer.status_code == 200 and "chỉ hiển thị một lần" in answer.text
    token = re.search(r'<code id="issued-token">([^<]+)</code>', answer.text)
    assert token
    row = _made(session)
    assert row.token_hash == hash_token(token[1]) and row.unit_code == "91"
    assert row.geocode_names == ["MA_XA", "UNIT_CODE"] and "canhbao.kttv.gov.vn" in row.certificate_subject
    listed = client.get("/panel/cap-senders").text
    assert "Còn hiệu lực đến" in listed and "(giờ Việt Nam)" in listed and token[1] not in listed
    assert session.exec(select(AuditEvent).where(AuditEvent.object_type == "cap_sender",
                                                 AuditEvent.action == "create")).one()


def test_an_expired_certificate_is_refused_on_upload(client, users, tree, session) -> None:
    csrf = login(client, "admin")
    expired = make_identity("old.kttv.gov.vn", valid_days=(-400, -3))
    answer = _create(client, csrf, tree.province, certificate=expired.cert_pem)
    assert answer.status_code == 422 and "Chứng thư số đã hết hạn ngày" in answer.text
    assert session.exec(select(TrustedCapSender).where(TrustedCapSender.name != SEED)).all() == []


def test_a_file_that_is_not_a_certificate_is_refused(client, users, tree) -> None:
    csrf = login(client, "admin")
    answer = _create(client, csrf, tree.province, certificate=b"not a certificate")
    assert answer.status_code == 422 and "Tệp không phải chứng thư số dạng PEM." in answer.text


def test_a_new_certificate_and_a_new_token_replace_the_old(client, users, tree, session) -> None:
    csrf = login(client, "admin")
    _create(client, csrf, tree.province)
    row = _made(session)
    old_hash = row.token_hash
    done = client.post(f"/panel/cap-senders/{row.id}/certificate", data={"csrf_token": csrf},
                       files={"certificate": ("new.pem", IDENTITY.cert_pem, "application/x-pem-file")})
    assert done.status_code == 200 and "Đã lưu chứng thư số." in done.text
    rotated = client.post(f"/panel/cap-senders/{row.id}/token", data={"csrf_token": csrf})
    token = re.search(r'<code id="issued-token">([^<]+)</code>', rotated.text)
    session.expire_all()
    row = session.get(TrustedCapSender, row.id)
    assert token and row is not None and row.token_hash == hash_token(token[1]) != old_hash
    assert row.certificate_pem is not None
    events = session.exec(select(AuditEvent).where(AuditEvent.object_type == "cap_sender")).all()
    actions = [e.action for e in events]
    assert actions == ["create", "upload_certificate", "rotate_token"]


def test_a_sender_from_the_setting_is_shown_but_not_changed_in_the_panel(client, users, session) -> None:
    csrf = login(client, "admin")
    page = client.get("/panel/cap-senders").text
    assert "seed@nchmf.gov.vn" in page and "SIGNAGE_CAP_SENDERS" in page and "toàn quốc" in page
    seeded = session.exec(select(TrustedCapSender).where(TrustedCapSender.name == SEED)).one()
    answer = client.post(f"/panel/cap-senders/{seeded.id}/active", data={"active": "no", "csrf_token": csrf})
    assert answer.status_code == 422 and "SIGNAGE_CAP_SENDERS" in answer.text
    session.refresh(seeded)
    assert seeded.active


def test_a_commune_admin_cannot_make_a_sender_for_the_province(client, users, tree, session) -> None:
    csrf = login(client, "admin-a")
    answer = _create(client, csrf, tree.province)
    assert answer.status_code == 422 and "Đơn vị này không tồn tại hoặc nằm ngoài phạm vi" in answer.text


def test_disabling_a_sender_is_audited(client, users, tree, session) -> None:
    csrf = login(client, "admin")
    _create(client, csrf, tree.province)
    row = _made(session)
    answer = client.post(f"/panel/cap-senders/{row.id}/active", data={"active": "no", "csrf_token": csrf})
    assert "cảnh báo của nguồn này bị từ chối" in answer.text
    session.refresh(row)
    assert not row.active
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "disable")).one()


def test_the_cap_senders_page_is_for_admins(client, users) -> None:
    login(client, "operator-a")
    assert client.get("/panel/cap-senders").status_code == 403
