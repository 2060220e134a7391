"""The data directory is 0700 and the secret-bearing files in it 0600 from the moment they exist."""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi.testclient import TestClient

from signage_contract import device as wire
from signage_server.app import create_app
from signage_server.core.private_files import create_private_file, prepare_sqlite_file, sqlite_file
from signage_server.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_dir_and_its_secrets_are_private(tmp_path) -> None:
    data = tmp_path / "fresh" / "data"
    with TestClient(create_app(Settings(data_dir=data, seed_units=False))) as client:
        assert client.post(wire.PAIRING_START, json={"hardware_id": "x"}).status_code == 201
        modes = {p.name: _mode(p) for p in (data, *data.iterdir()) if p.name != "media"}
    assert modes == {"data": 0o700, "signage.db": 0o600, "signage.db-wal": 0o600,
                     "signage.db-shm": 0o600, "signing.key": 0o600}


def test_a_screenshot_folder_is_private(tmp_path) -> None:
    from signage_server.health.screenshots import ScreenshotStore

    store = ScreenshotStore(tmp_path / "shots", 1_000_000, 1_000_000, 3)
    name = store.write(7, _jpeg())
    assert _mode(tmp_path / "shots" / "7") == 0o700 and _mode(tmp_path / "shots" / "7" / name) == 0o600


def test_an_older_install_with_wide_files_is_narrowed(tmp_path) -> None:
    db = tmp_path / "signage.db"
    db.write_bytes(b"")
    db.chmod(0o644)
    wal = tmp_path / "signage.db-wal"
    wal.write_bytes(b"")
    wal.chmod(0o644)
    prepare_sqlite_file(f"sqlite:///{db}")
    assert (_mode(db), _mode(wal)) == (0o600, 0o600)


def test_a_private_file_is_never_wider_than_0600(tmp_path) -> None:
    path = tmp_path / "demo-users.txt"
    create_private_file(path)
    assert _mode(path) == 0o600 and path.read_bytes() == b""


def test_only_sqlite_files_are_prepared() -> None:
    assert sqlite_file("postgresql+psycopg://u@h/db") is None
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:////srv/signage/signage.db") == Path("/srv/signage/signage.db")


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()
