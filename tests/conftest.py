"""Shared fixtures for server tests.

- ``database_url``: runs each test that uses it twice, on a temporary SQLite file and on
  PostgreSQL. The PostgreSQL run needs ``SIGNAGE_TEST_POSTGRES_URL`` (for example
  ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) and is skipped, with that reason, when
  it is unset. A fresh database is created per test session and emptied after every test.
- ``app`` / ``client``: the real application (migrations run in its lifespan; the full unit seed
  is off), and a ``TestClient`` that has entered the lifespan.
- ``session``: a database session on the app's engine, for arranging and checking rows.
- ``tree``: a small unit tree: province P > communes A and B, and village V under A.
- ``users``: one user per role, most at commune A, with ready ``headers``: ``admin`` (province),
  ``admin_a``, ``editor_a``, ``editor_b``, ``approver_a``, ``operator_a``, ``viewer_a``.
- ``make_board``: a factory inserting a board (and its unit history) with sensible defaults.
- ``layout``: a layout row ``test-main-ticker`` (regions ``main`` and ``ticker``) for schedules.
- ``changes``: the list of ``Change`` objects the app publishes during the test.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from signage_server.app import create_app
from signage_server.core.auth import hash_password
from signage_server.core.changes import Change
from signage_server.migrate import upgrade
from signage_server.models import (
    Board,
    BoardUnitHistory,
    LayoutRecord,
    Role,
    UnitLevel,
)
from signage_server.settings import Settings
from tests.support.factories import (
    TEST_PASSWORD,
    ApiUser,
    BoardFactory,
    UnitTree,
    add_unit,
    make_user,
)

POSTGRES_ENV = "SIGNAGE_TEST_POSTGRES_URL"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Garbage collection tuned for a process that builds thousands of applications: what exists
    after collection (modules, test items) is frozen out of later collections, and collections run
    less often. Measured on 144 panel tests: 127 s -> 109 s, GC time 29.8 s -> 10.9 s, peak memory
    427 MB -> 503 MB."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


_FASTAPI_CACHES = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)


@pytest.fixture(autouse=True)
def _let_apps_go() -> Iterator[None]:
    """After each test, empty FastAPI's module-level caches of endpoint callables (up to 4,096
    entries each): they keep the closures of the tests' applications, and through them the whole
    applications, alive: about 11 MB and 80,000 objects per test, so the process grew to gigabytes
    and its garbage collections slowed every later test."""
    yield
    models = sys.modules.get("fastapi.dependencies.models")
    for name in _FASTAPI_CACHES:
        cache = getattr(models, name, None)
        if cache is not None:
            cache.cache_clear()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session (dropped afterwards)."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/postgres)")
    name = f"signage_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO content_generation (id, value) VALUES (1, 0)"))  # as migration 0025
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_at_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database migrated to head once per session; each test gets a copy (migrating
    from nothing took about 0.4 s a test). ``tests/server/test_migrate.py`` migrates from empty."""
    path = tmp_path_factory.mktemp("template") / "head.db"
    path.touch(mode=0o600)
    upgrade(f"sqlite:///{path}")
    return path


def database_url_for(request: pytest.FixtureRequest, tmp_path: Path, template: Path | None) -> Iterator[str]:
    """The SQLite (a copy of ``template``, or empty) or PostgreSQL URL of ``request.param``."""
    if request.param == "sqlite":
        if template is not None:
            shutil.copy2(template, tmp_path / "test.db")
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    _empty_postgres(url)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    template = request.getfixturevalue("sqlite_at_head") if request.param == "sqlite" else None
    yield from database_url_for(request, tmp_path, template)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seed_units=False)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def session(client: TestClient, app: FastAPI) -> Iterator[Session]:
    with Session(app.state.engine) as db_session:
        yield db_session


@pytest.fixture
def changes(app: FastAPI) -> list[Change]:
    seen: list[Change] = []
    app.state.changes.subscribe(seen.append)
    return seen


@pytest.fixture
def tree(session: Session) -> UnitTree:
    province = add_unit(session, "91", UnitLevel.PROVINCE, "Tỉnh Thử Nghiệm", None)
    commune_a = add_unit(session, "91001", UnitLevel.COMMUNE, "Xã An Bình", province)
    commune_b = add_unit(session, "91002", UnitLevel.COMMUNE, "Phường Bắc Sơn", province)
    village_a = add_unit(session, "91001-01", UnitLevel.VILLAGE, "Thôn Đông", commune_a)
    return UnitTree(province, commune_a, commune_b, village_a)


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(TEST_PASSWORD)  # argon2 is slow on purpose: hash once per session


@pytest.fixture
def users(session: Session, tree: UnitTree, password_hash: str) -> dict[str, ApiUser]:
    specs = {
        "admin": (Role.ADMIN, tree.province),
        "admin_a": (Role.ADMIN, tree.commune_a),
        "editor_a": (Role.EDITOR, tree.commune_a),
        "editor_b": (Role.EDITOR, tree.commune_b),
        "approver_a": (Role.APPROVER, tree.commune_a),
        "operator_a": (Role.OPERATOR, tree.commune_a),
        "viewer_a": (Role.VIEWER, tree.commune_a),
    }
    return {
        key: make_user(session, key.replace("_", "-"), role, unit, password_hash)
        for key, (role, unit) in specs.items()
    }


@pytest.fixture
def make_board(session: Session, tree: UnitTree) -> BoardFactory:
    counter = iter(range(1, 10_000))

    def factory(unit_id: int | None = None, **fields: Any) -> Board:
        board = Board(name=f"Bảng {next(counter)}", unit_id=unit_id or tree.commune_a, **fields)
        session.add(board)
        session.commit()
        assert board.id is not None
        session.add(BoardUnitHistory(board_id=board.id, unit_id=board.unit_id, valid_from=board.created_at))
        session.commit()
        session.refresh(board)
        return board

    return factory


@pytest.fixture
def layout(session: Session) -> LayoutRecord:
    """A built-in-like layout ``test-main-ticker`` with regions ``main`` and ``ticker``."""
    record = LayoutRecord(id="test-main-ticker", name="Chính và chữ chạy", builtin=True, regions=[
        {"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 0.85, "z": 0},
        {"id": "ticker", "role": "ticker", "x": 0, "y": 0.85, "w": 1, "h": 0.15, "z": 1},
    ])
    session.add(record)
    session.commit()
    return record
