from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import signage_server.models  # noqa: F401
from signage_server.db import make_engine
from signage_server.migrate import upgrade


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
