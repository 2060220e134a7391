"""Proof of play keeps records stamped by a wrong board clock: how their times were placed
(``clock_status``: device, corrected, unverified) and by how much they were moved.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('play_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_status', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=False, server_default='device'))
        batch_op.add_column(sa.Column('clock_correction_s', sa.Float(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('play_log', schema=None) as batch_op:
        batch_op.drop_column('clock_correction_s')
        batch_op.drop_column('clock_status')
