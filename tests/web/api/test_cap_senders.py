"""POST /api/v1/cap per sender configuration: geocode valueNames of its own, and XML signatures by
its certificate (a real certificate made here, messages signed with signxml)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from signage_server.emergency.sources.cap import CapArea, geocode_units
from signage_server.models import Override, UnitLevel
from signage_server.settings import CapSender, Settings
from tests.support.cap_signing import make_identity, sign
from tests.support.cap_xml import SENDER, alert_xml, area_xml, info_xml
from tests.support.factories import add_unit

CAP = "/api/v1/cap"
PLAIN_TOKEN = "plain-sender-token-0123"
SIGNING_TOKEN = "signing-sender-token-0123"
SIGNER = "canhbao@nchmf.gov.vn"  # the sender name alert_xml writes
ICT = timedelta(hours=7)
IDENTITY = make_identity()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"  # per-sender configuration, not the database engine


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    path = tmp_path / "nchmf.pem"
    path.write_bytes(IDENTITY.cert_pem)
    return path


@pytest.fixture
def settings(tmp_path, database_url, certificate) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seed_units=False,
                    cap_senders={SIGNER: CapSender(token=SIGNING_TOKEN, certificate=certificate,
                                                   geocode_names=["MA_XA"]),
                                 "other@example.vn": CapSender(token=PLAIN_TOKEN)})


@pytest.fixture
def board(session, make_board) -> int:
    commune = add_unit(session, "21025", UnitLevel.COMMUNE, "Xã Bình Sơn", None)
    return make_board(unit_id=commune).id


def stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta + ICT).replace(microsecond=0, tzinfo=None).isoformat() + "+07:00"


def message(identifier: str = "S-1", geocode: tuple[str, str] = ("MA_XA", "21025"),
            headline: str = "Cảnh báo lũ quét") -> bytes:
    sent = stamp(timedelta(minutes=-5))
    info = info_xml(effective=sent, onset=None, expires=stamp(timedelta(hours=6)), headline=headline,
                    areas=(area_xml(polygons=(), circles=(), geocodes=(geocode,)),))
    return alert_xml(identifier=identifier, sent=sent, infos=(info,))


def post(client, document: bytes, token: str = SIGNING_TOKEN):
    return client.post(CAP, content=document, headers={"Content-Type": "application/cap+xml",
                                                       "X-CAP-Token": token})


def test_a_message_signed_by_the_senders_certificate_is_accepted(client, session, board) -> None:
    answer = post(client, sign(message(), IDENTITY))
    assert answer.status_code == 200, answer.json()
    assert answer.json()["outcome"] == "created" and "active on 1 boards" in answer.json()["detail"]


def test_an_unsigned_message_from_a_sender_with_a_certificate_is_refused(client, session, board) -> None:
    answer = post(client, message())
    assert answer.status_code == 403 and "must sign" in answer.json()["detail"]
    assert session.exec(select(Override)).all() == []


def test_a_message_changed_after_signing_is_refused(client, session, board) -> None:
    signed = sign(message(), IDENTITY)
    tampered = signed.replace("Cảnh báo lũ quét".encode(), "Cảnh báo giả mạo".encode())
    assert tampered != signed
    answer = post(client, tampered)
    assert answer.status_code == 403 and "does not verify" in answer.json()["detail"]
    assert session.exec(select(Override)).all() == []


def test_a_message_signed_by_another_certificate_is_refused(client, session, board) -> None:
    answer = post(client, sign(message(), make_identity("impostor.example.vn")))
    assert answer.status_code == 403 and "does not verify" in answer.json()["detail"]


def test_a_sender_without_a_certificate_keeps_sending_unsigned_messages(client, session, board) -> None:
    document = message().replace(SENDER.encode(), b"other@example.vn")
    answer = post(client, document.replace(b"MA_XA", b"UNIT_CODE"), token=PLAIN_TOKEN)
    assert answer.status_code == 200 and answer.json()["outcome"] == "created"


def test_a_sender_with_its_own_geocode_names_is_read_by_them_only(client, session, board) -> None:
    answer = post(client, sign(message(geocode=("UNIT_CODE", "21025")), IDENTITY))
    assert answer.status_code == 422 and answer.json()["code"] == "cap.no_board"
    assert "MA_XA" in answer.json()["detail"]


def test_geocode_units_reads_the_names_it_is_given_case_insensitively() -> None:
    area = CapArea("x", geocodes=(("unit_code", "1"), ("Ma_Xa", "2"), ("MA_DVHC", "3")))
    assert geocode_units(area) == ["1", "3"]
    assert geocode_units(area, ["MA_XA"]) == ["2"]


def test_a_sender_defaults_to_unit_code_and_ma_dvhc() -> None:
    assert CapSender(token="x" * 16).geocode_names == ["UNIT_CODE", "MA_DVHC"]


def _panel_sender(session, *, name: str, token: str, identity=None, unit_code: str | None = None) -> None:
    from signage_server.emergency.sources.cap.senders import hash_token, read_certificate
    from signage_server.models import TrustedCapSender

    facts = None if identity is None else read_certificate(identity.cert_pem)
    session.add(TrustedCapSender(name=name, token_hash=hash_token(token), unit_code=unit_code,
                                 geocode_names=["MA_XA"], certificate_pem=facts.pem if facts else None,
                                 certificate_subject=facts.subject if facts else "",
                                 certificate_not_after=facts.not_after if facts else None))
    session.commit()


def test_the_setting_seeds_database_senders_storing_only_the_tokens_hash(session) -> None:
    from signage_server.models import CapSenderSource, TrustedCapSender

    rows = {r.name: r for r in session.exec(select(TrustedCapSender)).all()}
    assert set(rows) == {SIGNER, "other@example.vn"}
    assert rows[SIGNER].source == CapSenderSource.SETTING and rows[SIGNER].certificate_not_after is not None
    assert SIGNING_TOKEN not in rows[SIGNER].token_hash and rows[SIGNER].geocode_names == ["MA_XA"]


def test_a_sender_made_in_the_database_is_trusted_by_its_token(client, session, board) -> None:
    _panel_sender(session, name="kttv@example.vn", token="db-sender-token-0123456")
    document = message().replace(SENDER.encode(), b"kttv@example.vn")
    answer = post(client, document, token="db-sender-token-0123456")
    assert answer.status_code == 200 and answer.json()["outcome"] == "created"


def test_an_alert_from_a_sender_whose_certificate_expired_is_refused_with_the_reason(client, session,
                                                                                     board) -> None:
    expired = make_identity("old.nchmf.gov.vn", valid_days=(-400, -2))
    _panel_sender(session, name="old@nchmf.gov.vn", token="expired-sender-token-01", identity=expired)
    document = sign(message().replace(SENDER.encode(), b"old@nchmf.gov.vn"), expired)
    answer = post(client, document, token="expired-sender-token-01")
    assert answer.status_code == 403
    assert "certificate of sender 'old@nchmf.gov.vn' expired on" in answer.json()["detail"]
    assert session.exec(select(Override)).all() == []


def test_a_disabled_sender_is_not_trusted(client, session, board) -> None:
    from signage_server.models import TrustedCapSender

    row = session.exec(select(TrustedCapSender).where(TrustedCapSender.name == "other@example.vn")).one()
    row.active = False
    session.add(row)
    session.commit()
    document = message().replace(SENDER.encode(), b"other@example.vn").replace(b"MA_XA", b"UNIT_CODE")
    assert post(client, document, token=PLAIN_TOKEN).status_code == 403


def test_a_sender_taken_out_of_the_setting_is_disabled_at_the_next_start(session) -> None:
    from signage_server.emergency.sources.cap.senders import seed_from_settings
    from signage_server.models import TrustedCapSender

    seed_from_settings(session, {"other@example.vn": CapSender(token=PLAIN_TOKEN)})
    rows = {r.name: r.active for r in session.exec(select(TrustedCapSender)).all()}
    assert rows == {SIGNER: False, "other@example.vn": True}
