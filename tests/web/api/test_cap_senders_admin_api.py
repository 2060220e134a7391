"""/api/v1/cap-senders: admins make, change, renew and revoke the trusted CAP senders of their
scope; a sender's token is in the answer that made it only; the setting's senders are read-only."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from signage_server.emergency.sources.cap.senders import hash_token
from signage_server.models import AuditEvent, TrustedCapSender
from signage_server.settings import CapSender, Settings
from tests.support.cap_signing import make_identity

SENDERS = "/api/v1/cap-senders"
SEED = "seed@nchmf.gov.vn"
IDENTITY = make_identity("canhbao.kttv.gov.vn")


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seed_units=False,
                    cap_senders={SEED: CapSender(token="seed-sender-token-0123")})


def _make(client, admin, unit_id: int, name: str = "canhbao@kttv-91.gov.vn", **extra):
    return client.post(SENDERS, json={"name": name, "unit_id": unit_id, **extra}, headers=admin.headers)


def test_an_admin_makes_a_sender_whose_token_is_shown_once(client, session, users, tree) -> None:
    made = _make(client, users["admin_a"], tree.commune_a, certificate_pem=IDENTITY.cert_pem.decode())
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    body = made.json()
    assert body["unit_name"] == "Xã An Bình" and body["unit_code"] == "91001"
    assert body["certificate_subject"] and body["certificate_not_after"]
    row = session.exec(select(TrustedCapSender).where(TrustedCapSender.name == body["name"])).one()
    assert row.token_hash == hash_token(body["token"])
    listed = client.get(SENDERS, headers=users["admin_a"].headers)
    assert body["token"] not in listed.text and "token_hash" not in listed.text


def test_the_list_holds_nationwide_senders_and_those_of_the_scope(client, users, tree) -> None:
    _make(client, users["admin"], tree.commune_b, name="b@kttv.gov.vn")
    names = [s["name"] for s in client.get(SENDERS, headers=users["admin_a"].headers).json()]
    assert names == [SEED]


def test_a_unit_outside_the_scope_is_not_found(client, users, tree) -> None:
    assert _make(client, users["admin_a"], tree.commune_b).status_code == 404


def test_only_admins_manage_senders(client, users, tree) -> None:
    assert client.get(SENDERS, headers=users["operator_a"].headers).status_code == 403
    assert _make(client, users["operator_a"], tree.commune_a).status_code == 403


def test_an_expired_or_bogus_certificate_is_refused_with_its_code(client, users, tree) -> None:
    old = make_identity("old.kttv.gov.vn", valid_days=(-400, -2)).cert_pem.decode()
    answer = _make(client, users["admin_a"], tree.commune_a, certificate_pem=old)
    assert answer.status_code == 422 and answer.json()["code"] == "cap_sender.certificate_expired"
    answer = _make(client, users["admin_a"], tree.commune_a, certificate_pem="không phải chứng thư")
    assert answer.status_code == 422 and answer.json()["code"] == "cap_sender.bad_certificate"


def test_patch_pins_a_certificate_and_disables_the_sender(client, session, users, tree) -> None:
    made = _make(client, users["admin_a"], tree.commune_a).json()
    changed = client.patch(f"{SENDERS}/{made['id']}", headers=users["admin_a"].headers,
                           json={"certificate_pem": IDENTITY.cert_pem.decode(), "active": False})
    assert changed.status_code == 200
    assert changed.json()["active"] is False and changed.json()["certificate_subject"]
    events = session.exec(select(AuditEvent).where(AuditEvent.object_type == "cap_sender")).all()
    actions = [e.action for e in events]
    assert actions == ["create", "upload_certificate", "disable"]


def test_renewing_the_token_shows_the_new_one_once_and_retires_the_old(client, session, users, tree) -> None:
    made = _make(client, users["admin_a"], tree.commune_a).json()
    renewed = client.post(f"{SENDERS}/{made['id']}/token", headers=users["admin_a"].headers)
    assert renewed.status_code == 200 and renewed.headers["cache-control"] == "no-store"
    assert renewed.json()["token"] != made["token"]
    row = session.get(TrustedCapSender, made["id"])
    session.refresh(row)
    assert row.token_hash == hash_token(renewed.json()["token"])


def test_revoking_a_sender_disables_it(client, session, users, tree) -> None:
    made = _make(client, users["admin_a"], tree.commune_a).json()
    assert client.delete(f"{SENDERS}/{made['id']}", headers=users["admin_a"].headers).status_code == 204
    row = session.get(TrustedCapSender, made["id"])
    session.refresh(row)
    assert row.active is False


def test_a_sender_of_the_setting_is_read_only(client, session, users) -> None:
    seed = session.exec(select(TrustedCapSender).where(TrustedCapSender.name == SEED)).one()
    answer = client.patch(f"{SENDERS}/{seed.id}", json={"active": False}, headers=users["admin"].headers)
    assert answer.status_code == 403 and answer.json()["code"] == "cap_sender.from_setting"


def test_the_token_is_neither_logged_nor_audited(client, session, users, tree,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = _make(client, users["admin_a"], tree.commune_a).json()["token"]
    assert token not in caplog.text
    assert not any(token in str(e.after) for e in session.exec(select(AuditEvent)).all())
