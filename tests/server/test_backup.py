"""A backup restored on a new machine brings back the database, the uploaded media and the signing
key (on SQLite and on PostgreSQL, through the real pg_dump and pg_restore); a damaged, altered or
hostile archive is refused before anything is written."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import stat
import tarfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import create_engine, func, text
from sqlmodel import Session, select

from signage_server.app import create_app
from signage_server.backup import BackupError, backup, restore, verify
from signage_server.cli import main
from signage_server.core.private_files import sqlite_file
from signage_server.models import Board, Media, User
from signage_server.settings import Settings


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def _counts(url: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    with Session(engine) as session:
        found = tuple(session.exec(select(func.count()).select_from(model)).one()
                      for model in (User, Board, Media))
    engine.dispose()
    return found  # type: ignore[return-value]


def _files(directory: Path) -> dict[str, str]:
    return {path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def _wipe(settings: Settings) -> None:
    """The machine is lost: the data directory and the whole database are gone."""
    url = settings.resolved_database_url
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    database = sqlite_file(url)
    if database is not None:
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
    shutil.rmtree(settings.data_dir)


def test_a_restore_brings_back_database_media_and_signing_key(client, users, session, settings, make_board,
                                                             tmp_path) -> None:
    editor = users["editor_a"]
    uploaded = client.post("/api/v1/media", files={"file": ("áp phích.png", _png(), "image/png")},
                           data={"title": "Áp phích"}, headers=editor.headers)
    assert uploaded.status_code == 201
    make_board()
    session.close()
    before = _counts(settings.resolved_database_url)
    media_before = _files(settings.media_dir)
    key_before = settings.key_path.read_bytes()
    (settings.data_dir / "previews").mkdir(exist_ok=True)
    (settings.data_dir / "previews" / "cache.png").write_bytes(b"a cache, rebuilt on demand")

    archive = tmp_path / "backups" / "province.tar"
    summary = backup(settings, archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert summary.files >= len(media_before) + 1  # media and the signing key
    with tarfile.open(archive) as written:
        names = written.getnames()
    assert "data/signing.key" in names and not any(name.startswith("data/previews") for name in names)

    client.close()
    _wipe(settings)
    restore(settings, archive)

    assert _counts(settings.resolved_database_url) == before
    assert _files(settings.media_dir) == media_before
    assert settings.key_path.read_bytes() == key_before
    assert stat.S_IMODE(settings.key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.media_dir.stat().st_mode) == 0o700
    with TestClient(create_app(settings)) as restored:  # the editor's token and the image still work
        served = restored.get(f"/api/v1/media/{uploaded.json()['id']}/content", headers=editor.headers)
        assert served.status_code == 200
        assert hashlib.sha256(served.content).hexdigest() == uploaded.json()["sha256"]


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", seed_units=False)
    with TestClient(create_app(settings)):
        pass
    return settings


def _rewrite(archive: Path, target: Path, change) -> None:
    """A copy of ``archive`` whose members pass through ``change(info, data) -> (info, data) | None``."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for info in source.getmembers():
            handle = source.extractfile(info)
            data = handle.read() if handle else b""
            changed = change(info, data)
            if changed is not None:
                info, data = changed
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))


def test_a_damaged_or_hostile_archive_is_refused_and_nothing_is_written(sqlite_settings, tmp_path) -> None:
    settings = sqlite_settings
    (settings.media_dir / "ab").mkdir(parents=True, exist_ok=True)
    (settings.media_dir / "ab" / "poster.png").write_bytes(_png())
    good = tmp_path / "good.tar"
    backup(settings, good)
    assert verify(good)["database"] == "sqlite"

    altered = tmp_path / "altered.tar"
    _rewrite(good, altered, lambda info, data: (info, data[:-1] + b"X") if info.name.endswith("poster.png")
             else (info, data))
    escaping = tmp_path / "escaping.tar"

    def escape(info: tarfile.TarInfo, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
        if info.name.endswith("poster.png"):
            info.name = "data/../../outside.png"
        if info.name == "backup.json":
            manifest = json.loads(data)
            manifest["files"]["data/../../outside.png"] = manifest["files"].pop("data/media/ab/poster.png")
            data = json.dumps(manifest).encode()
        return info, data

    _rewrite(good, escaping, escape)
    truncated = tmp_path / "truncated.tar"
    _rewrite(good, truncated, lambda info, data: None if info.name.endswith("poster.png") else (info, data))

    fresh = Settings(data_dir=tmp_path / "fresh", seed_units=False)
    for archive, reason in ((altered, "does not match its checksum"),
                            (escaping, "outside the data directory"), (truncated, "lacks 1 listed file"),
                            (tmp_path / "missing.tar", "cannot read")):
        with pytest.raises(BackupError, match=reason):
            restore(fresh, archive)
        assert not fresh.data_dir.exists()
        assert not (tmp_path / "outside.png").exists()


def test_a_database_in_use_is_replaced_only_when_asked(sqlite_settings, tmp_path, capsys) -> None:
    settings = sqlite_settings
    archive = tmp_path / "backup.tar"
    with Session(create_engine(settings.resolved_database_url)) as session:
        session.add(User(username="admin", role="admin", unit_id=1, password_hash="x"))
        session.commit()
    data_dir = ["--data-dir", str(settings.data_dir)]
    assert main([*data_dir, "backup", str(archive)]) == 0
    assert "keep it private" in capsys.readouterr().err
    assert main([*data_dir, "backup", str(settings.data_dir / "inside.tar")]) == 2
    assert "outside the data directory" in capsys.readouterr().err

    assert main([*data_dir, "restore", "--check", str(archive)]) == 0
    assert "complete and intact" in capsys.readouterr().err
    assert main([*data_dir, "restore", str(archive)]) == 2
    assert "already holds rows in user" in capsys.readouterr().err
    assert main([*data_dir, "restore", "--force", str(archive)]) == 0
    assert _counts(settings.resolved_database_url)[0] == 1
