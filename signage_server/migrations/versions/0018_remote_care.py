"""Remote care: what a board's PC says of itself in its heartbeat (OS, temperature, whether its
player allows a remote reboot, its log level) and the log fetches operators ask for.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('board_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('os_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('temperature_c', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('allow_reboot', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('log_level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default=''))
    op.create_table('board_log_fetch',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('fulfilled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.ForeignKeyConstraint(['requested_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('board_log_fetch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_log_fetch_board_id'), ['board_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('board_log_fetch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_log_fetch_board_id'))
    op.drop_table('board_log_fetch')
    with op.batch_alter_table('board_status', schema=None) as batch_op:
        batch_op.drop_column('log_level')
        batch_op.drop_column('allow_reboot')
        batch_op.drop_column('temperature_c')
        batch_op.drop_column('os_name')
