"""Engine and sessions. Built from settings in ``create_app``; nothing happens at import."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from signage_server.core.private_files import prepare_sqlite_file

POOL_OVERFLOW = 10  # connections opened beyond the pool under a burst, closed when returned


def make_engine(url: str, pool_size: int | None = None) -> Engine:
    """``pool_size``: connections kept open (a server database; SQLAlchemy's default of 5 without)."""
    kwargs: dict[str, Any] = {}
    prepare_sqlite_file(url)  # 0600 (and so its -wal and -shm) from the start
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
        if pool_size is not None:
            kwargs.update(pool_size=pool_size, max_overflow=POOL_OVERFLOW)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
