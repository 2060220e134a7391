import io
import json

import pytest
from sqlmodel import Session, select

from signage_server.cli import main
from signage_server.db import make_engine
from signage_server.models import AdminUnit, Role, UnitLevel, User
from signage_server.settings import Settings
from tests.support.factories import add_unit


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("SIGNAGE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SIGNAGE_SEED_UNITS", "false")  # a small tree of our own
    assert main(["--data-dir", str(tmp_path), "migrate"]) == 0
    engine = make_engine(Settings(data_dir=tmp_path).resolved_database_url)
    with Session(engine) as session:
        p = add_unit(session, "91", UnitLevel.PROVINCE, "Tỉnh P", None)
        add_unit(session, "91001", UnitLevel.COMMUNE, "Xã A", p)
        add_unit(session, "91002", UnitLevel.COMMUNE, "Xã B", p)
    engine.dispose()
    return tmp_path


def _rows(data_dir, model):
    engine = make_engine(Settings(data_dir=data_dir).resolved_database_url)
    with Session(engine) as session:
        rows = session.exec(select(model)).all()
    engine.dispose()
    return rows


def test_create_admin_reads_the_password_from_stdin(data_dir, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code = main(["--data-dir", str(data_dir), "create-admin", "--username", "root", "--unit", "91",
                 "--password-stdin"])
    assert code == 0
    (user,) = _rows(data_dir, User)
    assert (user.username, user.role) == ("root", Role.ADMIN)


def test_create_admin_refuses_a_short_password(data_dir, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code = main(["--data-dir", str(data_dir), "create-admin", "--username", "root", "--unit", "91",
                 "--password-stdin"])
    assert code == 2 and _rows(data_dir, User) == []


def test_create_admin_refuses_a_guessable_password_in_both_languages(data_dir, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("123456123456\n"))
    code = main(["--data-dir", str(data_dir), "create-admin", "--username", "root", "--unit", "91",
                 "--password-stdin"])
    said = capsys.readouterr().err
    assert code == 2 and _rows(data_dir, User) == []
    assert "password: too easy to guess" in said and "mật khẩu: quá dễ đoán" in said


def test_reorganise_command_creates_the_new_unit(data_dir) -> None:
    code = main(["--data-dir", str(data_dir), "reorganise", "--into", "91003", "--from", "2,3",
                 "--date", "2026-01-01", "--name", "Xã Hợp Nhất"])
    assert code == 0
    new = [u for u in _rows(data_dir, AdminUnit) if u.code == "91003"]
    assert [u.name for u in new] == ["Xã Hợp Nhất"]


def test_first_admin_on_a_fresh_data_dir_finds_the_seeded_province(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SIGNAGE_DATABASE_URL", raising=False)
    monkeypatch.delenv("SIGNAGE_SEED_UNITS", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code = main(["--data-dir", str(tmp_path), "create-admin", "--username", "root", "--unit", "01",
                 "--password-stdin"])
    assert code == 0
    (user,) = _rows(tmp_path, User)
    hanoi = next(u for u in _rows(tmp_path, AdminUnit) if u.id == user.unit_id)
    assert hanoi.name == "Thành phố Hà Nội"


def test_cap_senders_shows_each_sender_without_its_token(tmp_path, monkeypatch, capsys) -> None:
    from tests.support.cap_signing import make_identity

    pem = tmp_path / "nchmf.pem"
    pem.write_bytes(make_identity("canhbao.nchmf.gov.vn").cert_pem)
    senders = {"a@nchmf.gov.vn": {"token": "secret-token-0123456789", "unit": "51", "certificate": str(pem),
                                  "geocode_names": ["MA_XA"]},
               "b@example.vn": {"token": "other-token-0123456789"}}
    monkeypatch.setenv("SIGNAGE_CAP_SENDERS", json.dumps(senders))
    assert main(["--data-dir", str(tmp_path), "cap-senders"]) == 0
    out = capsys.readouterr().out
    assert "a@nchmf.gov.vn: unit 51; geocodes MA_XA; must sign with CN=canhbao.nchmf.gov.vn" in out
    assert "b@example.vn: unit nationwide; geocodes UNIT_CODE, MA_DVHC; unsigned messages accepted" in out
    assert "token-0123456789" not in out


def test_cap_senders_fails_on_an_unreadable_certificate(tmp_path, monkeypatch, capsys) -> None:
    missing = str(tmp_path / "no.pem")
    senders = {"a@nchmf.gov.vn": {"token": "secret-token-0123456789", "certificate": missing}}
    monkeypatch.setenv("SIGNAGE_CAP_SENDERS", json.dumps(senders))
    assert main(["--data-dir", str(tmp_path), "cap-senders"]) == 2
    assert "cannot be read" in capsys.readouterr().out


def test_serve_pings_board_sockets_at_the_set_interval_without_compression(tmp_path, monkeypatch) -> None:
    import uvicorn

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setenv("SIGNAGE_SEED_UNITS", "false")
    monkeypatch.delenv("SIGNAGE_DATABASE_URL", raising=False)
    assert main(["--data-dir", str(tmp_path), "serve"]) == 0
    assert seen["ws_ping_interval"] == 60.0 and seen["ws_ping_timeout"] == 20.0
    assert seen["ws_per_message_deflate"] is False
    monkeypatch.setenv("SIGNAGE_SOCKET_PING_INTERVAL_S", "90")
    assert main(["--data-dir", str(tmp_path), "serve"]) == 0
    assert seen["ws_ping_interval"] == 90.0
