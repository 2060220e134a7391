"""The data directory and the secret-bearing files in it, private to the server's user.

The database holds password hashes, token hashes and the audit trail; the signing key signs every
manifest. The directory is made 0700 and such files are created 0600 from the start (never written
first and narrowed after, which leaves a window). SQLite gives its ``-wal`` and ``-shm`` files the
mode of the database file, so creating ``signage.db`` 0600 before SQLite opens it covers them too.
An older install whose files are wider is narrowed at start, with a warning.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _narrow(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        log.warning("%s was readable by others (mode %o); narrowed to %o", path, current, mode)
        path.chmod(mode)


def make_private_dir(path: Path) -> Path:
    """``path`` and its missing parents, the last one 0700 (an existing one is narrowed to it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        _narrow(path, DIR_MODE)
    return path


def create_private_file(path: Path) -> None:
    """An empty 0600 file at ``path`` unless one exists (an existing one is narrowed to 0600)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _narrow(path, FILE_MODE)
        for suffix in SQLITE_COMPANIONS:
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                _narrow(companion, FILE_MODE)
        return
    os.close(fd)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def prepare_sqlite_file(url: str) -> None:
    """Create a SQLite database file 0600 before SQLite does (it would use 0644 less the umask)."""
    path = sqlite_file(url)
    if path is not None and path.parent.is_dir():
        create_private_file(path)
