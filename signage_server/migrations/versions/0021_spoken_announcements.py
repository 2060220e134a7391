"""Spoken announcements: bulletins and emergencies marked to be read aloud, the recordings of the
texts they say (speech_clip) and each board's audio settings (board_audio).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (with a constant default), also on SQLite: a batch copy of ``bulletin`` would
    # drop a table that playlist items and submissions reference.
    op.add_column('bulletin', sa.Column('speak', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('bulletin', sa.Column('speak_times', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('override', sa.Column('speak', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('speech_clip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('engine', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('text_sha256')
    )
    op.create_table('board_audio',
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('volume', sa.Integer(), nullable=False),
    sa.Column('quiet_start', sa.Time(), nullable=True),
    sa.Column('quiet_end', sa.Time(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.PrimaryKeyConstraint('board_id')
    )


def downgrade() -> None:
    op.drop_table('board_audio')
    op.drop_table('speech_clip')
    with op.batch_alter_table('override', schema=None) as batch_op:
        batch_op.drop_column('speak')
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.drop_column('speak_times')
        batch_op.drop_column('speak')
