"""Board health (status, seen intervals, link events), screenshots, proof of play.

Revision ID: 0002_health
Revises: 0001
Create Date: 2026-11-22 11:42:53.887509
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002_health'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('board_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('flaps', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('board_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_event_board_id'), ['board_id'], unique=False)

    op.create_table('board_seen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('seen_from', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('seen_to', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('board_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_seen_board_id'), ['board_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_seen_seen_from'), ['seen_from'], unique=False)

    op.create_table('board_status',
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('seen_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reported_online', sa.Boolean(), nullable=False),
    sa.Column('reported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('held_flaps', sa.Integer(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('clock_offset_s', sa.Float(), nullable=False),
    sa.Column('software_version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('uptime_s', sa.Float(), nullable=False),
    sa.Column('manifest_version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('free_disk_bytes', sa.BigInteger(), nullable=True),
    sa.Column('cache_bytes', sa.BigInteger(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('screen_state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.PrimaryKeyConstraint('board_id')
    )
    op.create_table('play_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('item_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('schedule_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('override_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('board_id', 'record_id', name='uq_play_log_board_record')
    )
    with op.batch_alter_table('play_log', schema=None) as batch_op:
        batch_op.create_index('ix_play_log_unit_started', ['unit_id', 'started_at'], unique=False)

    op.create_table('screenshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('screenshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screenshot_board_id'), ['board_id'], unique=False)

    op.create_table('screenshot_request',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('fulfilled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('screenshot_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.ForeignKeyConstraint(['requested_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['screenshot_id'], ['screenshot.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('screenshot_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screenshot_request_board_id'), ['board_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('screenshot_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screenshot_request_board_id'))

    op.drop_table('screenshot_request')
    with op.batch_alter_table('screenshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screenshot_board_id'))

    op.drop_table('screenshot')
    with op.batch_alter_table('play_log', schema=None) as batch_op:
        batch_op.drop_index('ix_play_log_unit_started')

    op.drop_table('play_log')
    op.drop_table('board_status')
    with op.batch_alter_table('board_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_seen_seen_from'))
        batch_op.drop_index(batch_op.f('ix_board_seen_board_id'))

    op.drop_table('board_seen')
    with op.batch_alter_table('board_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_event_board_id'))
        batch_op.drop_index(batch_op.f('ix_board_event_at'))

    op.drop_table('board_event')
