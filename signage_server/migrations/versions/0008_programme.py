"""The programme: a schedule's share of airtime (``weight``), ``exclusive`` (takes the board alone)
and how often its priority items recur (``priority_every_min``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('exclusive', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('priority_every_min', sa.Integer(), nullable=False, server_default='10'))


def downgrade() -> None:
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_column('priority_every_min')
        batch_op.drop_column('exclusive')
        batch_op.drop_column('weight')
