"""Alembic environment: configured from ``signage_server.migrate`` (no alembic.ini needed).

The caller passes an open connection in ``config.attributes["connection"]``; the target metadata
is SQLModel's, filled by importing ``signage_server.models``.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import signage_server.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through signage_server.migrate.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place: batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) mode is not supported; use signage-server migrate")
run_migrations_online()
