"""Schema migrations (Alembic), configured in code so they run from an installed package.

``upgrade(engine_or_url)`` brings a database to the latest revision; the app calls it in its
lifespan and ``signage-server migrate`` from the command line. ``revision()`` is the developer's
helper for writing a new revision from the models (``python -m signage_server.migrate "message"``).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _engine(engine_or_url: Engine | str) -> tuple[Engine, bool]:
    if isinstance(engine_or_url, Engine):
        return engine_or_url, False
    return create_engine(engine_or_url), True


@functools.cache
def _head() -> str | None:
    """The latest revision, read from the scripts once per process (loading them is most of an
    upgrade that has nothing to do: each application start, thousands in the tests)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    engine, owned = _engine(engine_or_url)
    try:
        with engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if revision == "head" and current == _head():
                return  # already at the latest schema
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if owned:
            engine.dispose()


def revision(engine_or_url: Engine | str, message: str) -> None:
    """Autogenerate a revision by comparing the models with a database at head."""
    engine, owned = _engine(engine_or_url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True)
    finally:
        if owned:
            engine.dispose()


if __name__ == "__main__":
    # Developer use: compare the models with a scratch SQLite database brought to head.
    url = "sqlite:///" + str(Path(sys.argv[2]) if len(sys.argv) > 2 else Path("migration-scratch.db"))
    upgrade(url)
    revision(url, sys.argv[1] if len(sys.argv) > 1 else "schema change")
