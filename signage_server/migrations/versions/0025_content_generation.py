"""A count of the writes to the content every board's composition reads alike
(``content_generation``), kept by triggers in the writing transaction: a composer that finds it
unchanged reuses what it read of that content before (``manifest/shared_inputs.py``).

SQLite: a row trigger per table and statement kind (SQLite writes one transaction at a time).
PostgreSQL: a deferred constraint trigger per table, so the count's row is locked only while the
writing transaction commits (never held while that transaction waits for other rows: no deadlock
between two editors' transactions), and a TRUNCATE trigger.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As ``manifest.shared_inputs.WATCHED_TABLES`` (a test compares them at head).
WATCHED = ("schedule", "schedule_region", "playlist", "playlist_item", "media", "media_page", "bulletin",
           "speech_clip", "layout")
BUMP = "UPDATE content_generation SET value = value + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table('content_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute("INSERT INTO content_generation (id, value) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION content_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {BUMP}; RETURN NULL; END $$")
        for table in WATCHED:
            op.execute(f"CREATE CONSTRAINT TRIGGER content_generation_{table} AFTER INSERT OR UPDATE OR DELETE"
                       f" ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                       " EXECUTE FUNCTION content_generation_bump()")
            op.execute(f"CREATE TRIGGER content_generation_{table}_truncate AFTER TRUNCATE ON {table}"
                       " FOR EACH STATEMENT EXECUTE FUNCTION content_generation_bump()")
        return
    for table in WATCHED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER content_generation_{table}_{event.lower()} AFTER {event} ON {table}"
                       f" BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER content_generation_{table} ON {table}")
            op.execute(f"DROP TRIGGER content_generation_{table}_truncate ON {table}")
        op.execute("DROP FUNCTION content_generation_bump()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER content_generation_{table}_{event}")
    op.drop_table('content_generation')
