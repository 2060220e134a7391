from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import signage_server.models  # noqa: F401
from signage_server.db import make_engine
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
