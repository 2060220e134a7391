"""Backups of a deployment and their restore (``signage-server backup`` / ``restore``).

One archive (an uncompressed tar: media are compressed already) holds everything a province needs
to bring the service back on a new machine:

- the database: ``pg_dump --format=custom`` for PostgreSQL, an online copy through SQLite's backup
  API for SQLite (consistent while the server runs);
- the data directory: uploaded media, screenshots, the signing key (so boards keep trusting the
  manifests), everything but caches (``previews``), the SQLite files themselves (copied above) and a
  demo player's state;
- ``backup.json`` last: the format, the server version, the schema revision, when, and the size and
  SHA-256 of every other member.

A restore checks the whole archive first (every member listed, every digest right, no path outside
the data directory, regular files only) and writes nothing when anything is wrong. It refuses a
database that already holds users or boards unless ``force`` is given, restores the database
(``pg_restore --clean --single-transaction``, or the SQLite file replaced atomically), puts the data
files back 0600 in 0700 directories, then migrates: an archive from an older release comes up at
today's schema.

The archive holds the signing key and password hashes: it is written 0600 and must be kept as
privately as the data directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from signage_server import __version__
from signage_server.core.private_files import make_private_dir, sqlite_file
from signage_server.models import Board, User
from signage_server.settings import Settings

FORMAT = 1
MANIFEST = "backup.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
DATA_PREFIX = "data/"
# caches and state that are not the province's: rebuilt on demand or belonging to a local player
SKIPPED_DIRS = frozenset({"previews", "player"})
CHUNK = 1 << 20
# tables whose rows mean the database is in use (units and layouts are seeded on every start)
IN_USE_TABLES = (str(User.__tablename__), str(Board.__tablename__))


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, and nothing was written."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database: str
    files: int
    bytes: int
    revision: str | None


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore, the password in the environment (never on a command line)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is needed to {what} (Debian: apt install postgresql-client)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed to {what}: {done.stderr.strip()[-2000:]}")


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return None if value is None else str(value)
    finally:
        engine.dispose()


def _data_files(settings: Settings) -> Iterator[tuple[str, Path]]:
    """(name in the archive, file) for every file of the data directory worth keeping."""
    root = settings.data_dir.resolve()
    database = sqlite_file(settings.resolved_database_url)
    skip = set()
    if database is not None:
        skip = {database.resolve(), Path(f"{database.resolve()}-wal"), Path(f"{database.resolve()}-shm"),
                Path(f"{database.resolve()}-journal")}
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        if here == root:
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        dirs.sort()
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file() or path.resolve() in skip:
                continue
            yield DATA_PREFIX + path.relative_to(root).as_posix(), path
    key = settings.key_path.resolve()
    if key.is_file() and root not in key.parents:  # a signing key kept outside the data directory
        yield DATA_PREFIX + "signing.key", key


def _add(archive: tarfile.TarFile, name: str, path: Path, listing: dict[str, dict[str, Any]]) -> int:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        source.seek(0)
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        info.mtime = int(path.stat().st_mtime)
        archive.addfile(info, source)
    listing[name] = {"size": size, "sha256": digest.hexdigest()}
    return size


def backup(settings: Settings, output: Path) -> BackupSummary:
    """Write the archive to ``output`` (0600, replaced atomically: a failed backup leaves no file)."""
    url = settings.resolved_database_url
    output = output.resolve()
    if output.is_relative_to(settings.data_dir.resolve()):
        raise BackupError("write the backup outside the data directory")
    output.parent.mkdir(parents=True, exist_ok=True)
    listing: dict[str, dict[str, Any]] = {}
    total = 0
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        work_dir = Path(work)
        os.chmod(work_dir, 0o700)
        if _is_postgres(url):
            database, kind = work_dir / PG_DUMP, "postgresql"
            libpq, env = _libpq(url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={database}",
                  f"--dbname={libpq}"], env, "copy the database")
        else:
            source = sqlite_file(url)
            if source is None or not source.is_file():
                raise BackupError(f"no SQLite database at {source}")
            database, kind = work_dir / SQLITE_COPY, "sqlite"
            with sqlite3.connect(source) as live, sqlite3.connect(database) as copy:
                live.backup(copy)
        partial = work_dir / "archive.tar"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
            total += _add(archive, database.name, database, listing)
            for name, path in _data_files(settings):
                total += _add(archive, name, path, listing)
            manifest: dict[str, Any] = {
                "format": FORMAT, "server_version": __version__, "database": kind,
                "schema_revision": _revision(url), "created_at": datetime.now(UTC).isoformat(),
                "files": listing,
            }
            blob = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(blob), 0o600, int(datetime.now(UTC).timestamp())
            archive.addfile(info, _BytesReader(blob))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    return BackupSummary(output, kind, len(listing) - 1, total, _revision(url))


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk, self._at = self._data[self._at:end], min(end, len(self._data))
        return chunk


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BackupError(f"the archive names a path outside the data directory: {name!r}")
    return path


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError:
        raise BackupError("not a backup of this server: backup.json is missing") from None
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError("backup.json is not a file")
    try:
        manifest: dict[str, Any] = json.loads(handle.read(1 << 24))
    except ValueError as exc:
        raise BackupError(f"backup.json cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def verify(archive_path: Path) -> dict[str, Any]:
    """The archive's manifest, once every member is checked against it; raises BackupError otherwise."""
    try:
        archive = tarfile.open(archive_path, mode="r:")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive_path}: {exc}") from None
    with archive:
        manifest = _read_manifest(archive)
        listing: dict[str, dict[str, Any]] = manifest["files"]
        seen: set[str] = set()
        for member in archive.getmembers():
            if member.name == MANIFEST:
                continue
            _safe_name(member.name)
            if not member.isfile():
                raise BackupError(f"{member.name!r} is not a regular file")
            expected = listing.get(member.name)
            if expected is None:
                raise BackupError(f"{member.name!r} is in the archive but not in its list")
            if member.name in seen:
                raise BackupError(f"{member.name!r} appears twice")
            seen.add(member.name)
            if _digest(archive.extractfile(member)) != (expected["size"], expected["sha256"]):
                raise BackupError(f"{member.name!r} does not match its checksum: "
                                  "the archive is damaged or altered")
        missing = sorted(set(listing) - seen)
        if missing:
            raise BackupError(f"the archive lacks {len(missing)} listed file(s), e.g. {missing[0]!r}")
        database = manifest.get("database")
        copy = PG_DUMP if database == "postgresql" else SQLITE_COPY
        if database not in ("postgresql", "sqlite") or copy not in seen:
            raise BackupError("the archive holds no database copy")
    return manifest


def _digest(handle: IO[bytes] | None) -> tuple[int, str]:
    if handle is None:
        return -1, ""
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _private_parents(root: Path, directory: Path) -> None:
    """``directory`` and each missing level below ``root`` made 0700 (outside ``root``: its parents)."""
    if not directory.is_relative_to(root):
        make_private_dir(directory)
        return
    level = root
    for part in directory.relative_to(root).parts:
        level = make_private_dir(level / part)


def _in_use(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return [t for t in IN_USE_TABLES
                    if t in names and conn.execute(text(f'SELECT 1 FROM "{t}" LIMIT 1')).first() is not None]
    finally:
        engine.dispose()


def restore(settings: Settings, archive_path: Path, *, force: bool = False) -> dict[str, Any]:
    """Bring the archive back into the configured database and data directory; returns its manifest."""
    manifest = verify(archive_path)
    url = settings.resolved_database_url
    kind = "postgresql" if _is_postgres(url) else "sqlite"
    if manifest["database"] != kind:
        raise BackupError(f"the archive holds a {manifest['database']} database; this server is configured "
                          f"for {kind} (set SIGNAGE_DATABASE_URL)")
    target = sqlite_file(url)
    if kind == "postgresql" or (target is not None and target.exists()):
        used = _in_use(url)
        if used and not force:
            raise BackupError(f"the target database already holds rows in {' and '.join(used)}: "
                              "restore into an empty one, or pass --force to replace it")
    root = make_private_dir(settings.data_dir)
    with tempfile.TemporaryDirectory(dir=root, prefix=".restore-") as work, \
            tarfile.open(archive_path, mode="r:") as archive:
        work_dir = Path(work)
        staged: list[tuple[Path, Path]] = []
        database_copy: Path | None = None
        for index, member in enumerate(archive.getmembers()):
            if member.name == MANIFEST:
                continue
            name = _safe_name(member.name)
            handle = archive.extractfile(member)
            assert handle is not None  # verified above
            staging = work_dir / str(index)
            fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(handle, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            if member.name in (PG_DUMP, SQLITE_COPY):
                database_copy = staging
            elif name.parts[1:] == ("signing.key",):
                staged.append((staging, settings.key_path))
            else:
                staged.append((staging, root.joinpath(*name.parts[1:])))
        assert database_copy is not None  # verified above
        if kind == "postgresql":
            libpq, env = _libpq(url)
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                  "--single-transaction", "--exit-on-error", f"--dbname={libpq}", str(database_copy)],
                 env, "restore the database")
        else:
            assert target is not None
            make_private_dir(target.parent)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.move(database_copy, target)
        for staging, final in staged:
            _private_parents(root, final.parent)
            shutil.move(staging, final)  # a rename within the data directory
    from signage_server.app import prepare_database  # migrate an older archive up to today's schema

    prepare_database(settings).dispose()
    return manifest
