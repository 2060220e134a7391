"""Approval workflow: who submitted and who reviewed content, per-unit workflow settings, and an
append-only audit trail (database triggers refuse UPDATE and DELETE on ``audit_event``).

Revision ID: 0003 (file 0004: files are numbered in chain order; ids never change)
Revises: 0002
Create Date: 2026-11-22 12:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT_TABLES = ('media', 'bulletin', 'playlist', 'schedule')
APPEND_ONLY = "audit_event is append-only"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY}';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table('unit_settings',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('trusted_editors_auto_approve', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('unit_id')
    )
    for table in CONTENT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submitted_by', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column('reviewed_by', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
            batch_op.create_foreign_key(f'fk_{table}_submitted_by_user', 'user', ['submitted_by'], ['id'])
            batch_op.create_foreign_key(f'fk_{table}_reviewed_by_user', 'user', ['reviewed_by'], ['id'])
    _append_only()


def _append_only() -> None:
    """The application never updates or deletes audit rows; the database refuses to as well."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
        return
    for verb in ('UPDATE', 'DELETE'):
        op.execute(f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    for table in CONTENT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_reviewed_by_user', type_='foreignkey')
            batch_op.drop_constraint(f'fk_{table}_submitted_by_user', type_='foreignkey')
            batch_op.drop_column('reviewed_at')
            batch_op.drop_column('reviewed_by')
            batch_op.drop_column('submitted_at')
            batch_op.drop_column('submitted_by')
    op.drop_table('unit_settings')
