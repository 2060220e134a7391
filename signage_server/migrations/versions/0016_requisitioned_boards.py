"""Requisitioned boards: their owners (role ``owner`` with a board), the owners' content
(``owner_board_id`` on every content table) and the requisition windows agreed with them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONTENT_TABLES = ('media', 'bulletin', 'playlist', 'schedule', 'submission')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TYPE role ADD VALUE IF NOT EXISTS 'OWNER'")
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('board_id', sa.Integer(), nullable=True))
        batch.create_index('ix_user_board_id', ['board_id'])
        batch.create_foreign_key('fk_user_board_id_board', 'board', ['board_id'], ['id'])
    for table in _CONTENT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('owner_board_id', sa.Integer(), nullable=True))
            batch.create_index(f'ix_{table}_owner_board_id', ['owner_board_id'])
            batch.create_foreign_key(f'fk_{table}_owner_board_id_board', 'board', ['owner_board_id'], ['id'])
    op.create_table('requisition_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('daily_start', sa.Time(), nullable=True),
    sa.Column('daily_end', sa.Time(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('every_min', sa.Integer(), nullable=True),
    sa.Column('length_min', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_requisition_window_board_id', 'requisition_window', ['board_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_requisition_window_board_id', table_name='requisition_window')
    op.drop_table('requisition_window')
    for table in _CONTENT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'fk_{table}_owner_board_id_board', type_='foreignkey')
            batch.drop_index(f'ix_{table}_owner_board_id')
            batch.drop_column('owner_board_id')
    with op.batch_alter_table('user') as batch:
        batch.drop_constraint('fk_user_board_id_board', type_='foreignkey')
        batch.drop_index('ix_user_board_id')
        batch.drop_column('board_id')
