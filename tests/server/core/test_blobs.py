"""SIGNAGE_SHARED_STORE=database: a file written under one instance's data directory is fetched,
whole and atomically, into another's the first time it is asked for; a removal reaches both."""

from __future__ import annotations

import os

from signage_server.core.blobs import CHUNK_BYTES, DatabaseFiles, LocalFiles, shared_files
from signage_server.db import make_engine
from signage_server.migrate import upgrade


def test_a_file_saved_on_one_instance_is_fetched_by_another(database_url, tmp_path) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    one, two = DatabaseFiles(tmp_path / "a", engine), DatabaseFiles(tmp_path / "b", engine)
    data = os.urandom(2 * CHUNK_BYTES + 12345)  # three chunks, the last one short
    written = tmp_path / "a" / "media" / "ab" / "abcdef"
    written.parent.mkdir(parents=True)
    written.write_bytes(data)
    one.saved(written)
    one.saved(written)  # saved twice (or by two instances at once): still one copy

    wanted = tmp_path / "b" / "media" / "ab" / "abcdef"
    assert two.ensure(wanted)
    assert wanted.read_bytes() == data
    assert not list(wanted.parent.glob("*.part"))
    assert two.ensure(tmp_path / "b" / "media" / "cd" / "unknown") is False

    one.removed(written)
    wanted.unlink()
    assert two.ensure(wanted) is False
    engine.dispose()


def test_local_files_share_nothing(tmp_path) -> None:
    files = shared_files("local", tmp_path, make_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    assert type(files) is LocalFiles
    (tmp_path / "f").write_bytes(b"x")
    files.saved(tmp_path / "f")
    assert files.ensure(tmp_path / "f") and not files.ensure(tmp_path / "g")
