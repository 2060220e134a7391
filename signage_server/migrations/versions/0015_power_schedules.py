"""Power and brightness schedules per board or unit; the brightness a board's heartbeat reports.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('power_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('board_id'),
    sa.UniqueConstraint('unit_id'),
    )
    with op.batch_alter_table('board_status') as batch:
        batch.add_column(sa.Column('brightness', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('board_status') as batch:
        batch.drop_column('brightness')
    op.drop_table('power_schedule')
