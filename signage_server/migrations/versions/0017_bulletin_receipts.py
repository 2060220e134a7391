"""Per-bulletin receipts: the bulletin each play showed, when boards first received a bulletin,
the source accounts' bulletin webhooks and the events sent to them (each once).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plays stored before this revision: their bulletin from the item id ``p<playlist>-i<item>``.
BACKFILL = """
UPDATE play_log SET bulletin_id = (
    SELECT playlist_item.bulletin_id FROM playlist_item
    WHERE 'p' || CAST(playlist_item.playlist_id AS VARCHAR) || '-i' || CAST(playlist_item.id AS VARCHAR)
          = play_log.item_id
)
"""


def upgrade() -> None:
    with op.batch_alter_table('play_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bulletin_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_play_log_board_started', ['board_id', 'started_at'], unique=False)
        batch_op.create_index('ix_play_log_bulletin_board', ['bulletin_id', 'board_id', 'started_at'],
                              unique=False)
    op.execute(BACKFILL)
    op.create_table('bulletin_delivery',
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('bulletin_id', 'board_id'),
    )
    op.create_table('bulletin_webhook',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_table('bulletin_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bulletin_id', 'kind', 'board_id'),
    )
    with op.batch_alter_table('bulletin_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_event_bulletin_id'), ['bulletin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletin_event_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('bulletin_event')
    op.drop_table('bulletin_webhook')
    op.drop_table('bulletin_delivery')
    with op.batch_alter_table('play_log', schema=None) as batch_op:
        batch_op.drop_index('ix_play_log_bulletin_board')
        batch_op.drop_index('ix_play_log_board_started')
        batch_op.drop_column('bulletin_id')
