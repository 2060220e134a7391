"""Files that every server instance must be able to serve, whichever instance received them.

Uploaded media, their thumbnails and screenshots are written to the receiving instance's data
directory. With several instances on several machines, another instance asked for such a file would
not find it. ``SIGNAGE_SHARED_STORE`` chooses how they are shared:

- ``local`` (the default): nothing more is done. Right for one instance, and for several instances
  whose data directories are one shared directory (same machine, or a network mount).
- ``database``: each file is also written, in 1 MiB chunks, to the ``stored_blob`` table of the
  database every instance already shares (PostgreSQL); an instance that lacks a file fetches it
  from there into its own data directory the first time it is asked for it, atomically, and serves
  it from disk after that.

Keys are the files' paths under the data directory (``media/ab/<sha256>``), so a key names one file
on every instance.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete, select

from signage_server.models import StoredBlob

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20


class LocalFiles:
    """The data directory alone (``SIGNAGE_SHARED_STORE=local``)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def key(self, path: Path) -> str:
        return path.resolve().relative_to(self.data_dir.resolve()).as_posix()

    def saved(self, path: Path) -> None:
        """``path`` was just written under the data directory."""

    def ensure(self, path: Path) -> bool:
        """Whether ``path`` is there to serve (fetched first where the store shares files)."""
        return path.is_file()

    def removed(self, path: Path) -> None:
        """``path`` was deleted under the data directory."""


class DatabaseFiles(LocalFiles):
    """The data directory, mirrored to the shared database (``SIGNAGE_SHARED_STORE=database``)."""

    def __init__(self, data_dir: Path, engine: Engine) -> None:
        super().__init__(data_dir)
        self.engine = engine

    def saved(self, path: Path) -> None:
        key = self.key(path)
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with Session(self.engine) as session:
            first = select(StoredBlob.seq).where(StoredBlob.key == key, StoredBlob.seq == 0)
            if session.exec(first).first() is not None:
                return  # content-addressed or uniquely named: the same key is the same bytes
            with path.open("rb") as source:
                seq = 0
                while True:
                    chunk = source.read(CHUNK_BYTES)
                    if not chunk and seq > 0:
                        break
                    statement = insert(StoredBlob).values(key=key, seq=seq, data=chunk)
                    session.execute(statement.on_conflict_do_nothing())  # another instance, same file
                    seq += 1
                    if len(chunk) < CHUNK_BYTES:
                        break
            session.commit()

    def ensure(self, path: Path) -> bool:
        if path.is_file():
            return True
        key = self.key(path)
        with Session(self.engine) as session:
            seqs = list(session.exec(select(StoredBlob.seq).where(StoredBlob.key == key)
                                     .order_by(col(StoredBlob.seq))).all())
            if not seqs:
                return False
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as out:
                    for seq in seqs:  # one chunk in memory at a time
                        out.write(session.exec(select(StoredBlob.data).where(
                            StoredBlob.key == key, StoredBlob.seq == seq)).one())
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        log.info("fetched %s from the shared store", key)
        return True

    def removed(self, path: Path) -> None:
        with Session(self.engine) as session:
            session.exec(delete(StoredBlob).where(col(StoredBlob.key) == self.key(path)))
            session.commit()


def shared_files(kind: str, data_dir: Path, engine: Engine) -> LocalFiles:
    if kind == "database":
        return DatabaseFiles(data_dir, engine)
    return LocalFiles(data_dir)
