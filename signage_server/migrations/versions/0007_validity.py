"""Bulletins and media carry the dates between which they may be shown (``valid_from``,
``valid_until``; either open); a layout carries its regions for the other orientation (``variants``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('bulletin', 'media')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('valid_from', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column('valid_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('layout', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variants', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('layout', schema=None) as batch_op:
        batch_op.drop_column('variants')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('valid_until')
            batch_op.drop_column('valid_from')
