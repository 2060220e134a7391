from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import signage_server.models  # noqa: F401
from signage_server.db import make_engine
from signage_server.manifest.shared_inputs import WATCHED_TABLES
from signage_server.migrate import MIGRATIONS_DIR, alembic_config, upgrade
from tests.conftest import database_url_for


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Here SQLite starts empty: every migration runs (elsewhere tests copy a database at head)."""
    yield from database_url_for(request, tmp_path, None)


def _diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_upgrade_head_gives_exactly_the_model_tables(database_url) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)
    assert _diff(engine) == []
    engine.dispose()


def test_upgrade_twice_is_a_no_op(database_url) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    assert _diff(engine) == []
    engine.dispose()


def test_migration_files_are_numbered_in_chain_order() -> None:
    """Files sort as the revisions chain (ids stay as released, so existing databases upgrade)."""
    script = ScriptDirectory.from_config(alembic_config())
    chain = list(reversed(list(script.walk_revisions())))  # base first
    files = [Path(rev.path).name for rev in chain]
    assert files == sorted(files)
    assert [name[:4] for name in files] == [f"{n:04d}" for n in range(1, len(files) + 1)]
    assert all(Path(rev.path).parent == MIGRATIONS_DIR / "versions" for rev in chain)


def _counted_tables(engine) -> set[str]:
    """The tables whose writes a ``content_generation`` trigger counts, from the catalogue."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(text(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'content_generation_bump'"))
            pairs = [(table, name) for table, name in rows]
            # a deferred row trigger and a truncate trigger on each table
            assert all(sum(1 for t, _ in pairs if t == table) == 2 for table, _ in pairs)
        else:
            rows = conn.execute(text("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"))
            pairs = [(table, sql) for table, sql in rows if "content_generation" in sql]
            # one each for insert, update and delete
            assert all(sum(1 for t, _ in pairs if t == table) == 3 for table, _ in pairs)
    return {table for table, _ in pairs}


def test_every_table_the_shared_composition_inputs_read_counts_its_writes(database_url) -> None:
    """A migration that rebuilds one of these tables (SQLite's batch mode copies it) must create its
    triggers again, or compositions would keep content that has changed."""
    engine = make_engine(database_url)
    upgrade(engine)
    assert _counted_tables(engine) == WATCHED_TABLES
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, value FROM content_generation")).all() == [(1, 0)]
    engine.dispose()
    migration = ScriptDirectory.from_config(alembic_config()).get_revision("0025")
    assert set(migration.module.WATCHED) == WATCHED_TABLES
