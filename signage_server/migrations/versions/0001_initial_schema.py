"""Initial schema: every table of models.py as first released.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 11:25:09.211791
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('admin_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('level', sa.Enum('PROVINCE', 'COMMUNE', 'VILLAGE', name='unitlevel'), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('division_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('admin_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_unit_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_unit_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_unit_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_unit_valid_to'), ['valid_to'], unique=False)

    op.create_table('board',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('PUBLIC', 'COMMERCIAL', name='boardkind'), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('orientation', sa.Enum('LANDSCAPE', 'PORTRAIT', name='orientation'), nullable=False),
    sa.Column('capture_x', sa.Integer(), nullable=False),
    sa.Column('capture_y', sa.Integer(), nullable=False),
    sa.Column('capture_w', sa.Integer(), nullable=True),
    sa.Column('capture_h', sa.Integer(), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('board', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_unit_id'), ['unit_id'], unique=False)

    op.create_table('layout',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('background', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('layout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_layout_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_lineage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('MERGE', 'SPLIT', 'RENAME', name='lineagekind'), nullable=False),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_unit_id', sa.Integer(), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['from_unit_id'], ['admin_unit.id'], ),
    sa.ForeignKeyConstraint(['to_unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unit_lineage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_lineage_from_unit_id'), ['from_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_lineage_to_unit_id'), ['to_unit_id'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('role', sa.Enum('ADMIN', 'EDITOR', 'APPROVER', 'OPERATOR', 'VIEWER', name='role'), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_username'), ['username'], unique=True)

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('SESSION', 'API', name='tokenkind'), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('board_unit_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('valid_to', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('board_unit_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_unit_history_board_id'), ['board_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_unit_history_unit_id'), ['unit_id'], unique=False)

    op.create_table('bulletin',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PUBLISHED', name='contentstate'), nullable=False),
    sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
    sa.Column('category', sa.Enum('POLICY_LAW', 'SOCIO_ECONOMIC', 'PUBLIC_ORDER', 'INCIDENTS', 'EXEMPLARY_PEOPLE', 'PRODUCTS_SERVICES', 'OTHER', name='category'), nullable=False),
    sa.Column('priority', sa.Enum('NORMAL', 'PRIORITY', 'EMERGENCY', name='priority'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_bulletin_unit_id'), ['unit_id'], unique=False)

    op.create_table('composed_manifest',
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('media_sha256', sa.JSON(), nullable=False),
    sa.Column('horizon_end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('composed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.PrimaryKeyConstraint('board_id')
    )
    op.create_table('device_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hardware_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['board.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('device_credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_credential_board_id'), ['board_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_credential_token_hash'), ['token_hash'], unique=True)

    op.create_table('media',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PUBLISHED', name='contentstate'), nullable=False),
    sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('category', sa.Enum('POLICY_LAW', 'SOCIO_ECONOMIC', 'PUBLIC_ORDER', 'INCIDENTS', 'EXEMPLARY_PEOPLE', 'PRODUCTS_SERVICES', 'OTHER', name='category'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_unit_id'), ['unit_id'], unique=False)

    op.create_table('pairing_ticket',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hardware_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('software_version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('screen_width', sa.Integer(), nullable=True),
    sa.Column('screen_height', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('claimed_board_id', sa.Integer(), nullable=True),
    sa.Column('claimed_by', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['claimed_board_id'], ['board.id'], ),
    sa.ForeignKeyConstraint(['claimed_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pairing_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_ticket_code'), ['code'], unique=False)

    op.create_table('playlist',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PUBLISHED', name='contentstate'), nullable=False),
    sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('playlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playlist_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_playlist_unit_id'), ['unit_id'], unique=False)

    op.create_table('schedule',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PUBLISHED', name='contentstate'), nullable=False),
    sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('layout_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('target_kind', sa.Enum('BOARD', 'UNIT', 'TAG', name='targetkind'), nullable=False),
    sa.Column('target_board_id', sa.Integer(), nullable=True),
    sa.Column('target_unit_id', sa.Integer(), nullable=True),
    sa.Column('target_tag', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('daily_start', sa.Time(), nullable=True),
    sa.Column('daily_end', sa.Time(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['layout_id'], ['layout.id'], ),
    sa.ForeignKeyConstraint(['target_board_id'], ['board.id'], ),
    sa.ForeignKeyConstraint(['target_unit_id'], ['admin_unit.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_target_board_id'), ['target_board_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_target_tag'), ['target_tag'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_target_unit_id'), ['target_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_unit_id'), ['unit_id'], unique=False)

    op.create_table('playlist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('IMAGE', 'BULLETIN', 'TICKER', 'CLOCK', name='itemkind'), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=True),
    sa.Column('bulletin_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('valid_from', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('valid_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletin.id'], ),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], ),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlist.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('playlist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playlist_item_bulletin_id'), ['bulletin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_playlist_item_media_id'), ['media_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_playlist_item_playlist_id'), ['playlist_id'], unique=False)

    op.create_table('schedule_region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlist.id'], ),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schedule_id', 'region_id')
    )
    with op.batch_alter_table('schedule_region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_region_playlist_id'), ['playlist_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_region_schedule_id'), ['schedule_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('schedule_region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_region_schedule_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_region_playlist_id'))

    op.drop_table('schedule_region')
    with op.batch_alter_table('playlist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playlist_item_playlist_id'))
        batch_op.drop_index(batch_op.f('ix_playlist_item_media_id'))
        batch_op.drop_index(batch_op.f('ix_playlist_item_bulletin_id'))

    op.drop_table('playlist_item')
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_unit_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_target_unit_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_target_tag'))
        batch_op.drop_index(batch_op.f('ix_schedule_target_board_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_state'))

    op.drop_table('schedule')
    with op.batch_alter_table('playlist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playlist_unit_id'))
        batch_op.drop_index(batch_op.f('ix_playlist_state'))

    op.drop_table('playlist')
    with op.batch_alter_table('pairing_ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_ticket_code'))

    op.drop_table('pairing_ticket')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_unit_id'))
        batch_op.drop_index(batch_op.f('ix_media_state'))
        batch_op.drop_index(batch_op.f('ix_media_sha256'))

    op.drop_table('media')
    with op.batch_alter_table('device_credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_credential_token_hash'))
        batch_op.drop_index(batch_op.f('ix_device_credential_board_id'))

    op.drop_table('device_credential')
    op.drop_table('composed_manifest')
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletin_unit_id'))
        batch_op.drop_index(batch_op.f('ix_bulletin_state'))

    op.drop_table('bulletin')
    with op.batch_alter_table('board_unit_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_unit_history_unit_id'))
        batch_op.drop_index(batch_op.f('ix_board_unit_history_board_id'))

    op.drop_table('board_unit_history')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_api_token_token_hash'))

    op.drop_table('api_token')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_username'))
        batch_op.drop_index(batch_op.f('ix_user_unit_id'))

    op.drop_table('user')
    with op.batch_alter_table('unit_lineage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_lineage_to_unit_id'))
        batch_op.drop_index(batch_op.f('ix_unit_lineage_from_unit_id'))

    op.drop_table('unit_lineage')
    with op.batch_alter_table('layout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_layout_unit_id'))

    op.drop_table('layout')
    with op.batch_alter_table('board', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_unit_id'))

    op.drop_table('board')
    with op.batch_alter_table('admin_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_unit_valid_to'))
        batch_op.drop_index(batch_op.f('ix_admin_unit_parent_id'))
        batch_op.drop_index(batch_op.f('ix_admin_unit_level'))
        batch_op.drop_index(batch_op.f('ix_admin_unit_code'))

    op.drop_table('admin_unit')
    # PostgreSQL keeps enum types after their tables are gone.
    if op.get_bind().dialect.name == "postgresql":
        for enum_name in ("unitlevel", "lineagekind", "boardkind", "orientation", "role", "tokenkind",
                          "contentstate", "category", "priority", "itemkind", "targetkind"):
            op.execute(f"DROP TYPE IF EXISTS {enum_name}")
