"""RSS and Atom feeds polled into ticker or bulletin items of a playlist, and the entries taken
from them (deduplicated by the hash of their guid).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DT = sqlmodel.sql.sqltypes.UTCDateTime
_STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', _STR(length=200), nullable=False),
    sa.Column('url', _STR(length=2000), nullable=False),
    sa.Column('target', sa.Enum('TICKER', 'BULLETIN', name='feedtarget'), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.Column('validity_min', sa.Integer(), nullable=False),
    sa.Column('poll_interval_min', sa.Integer(), nullable=False),
    sa.Column('trusted', sa.Boolean(), nullable=False),
    sa.Column('trusted_by', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', _DT(), nullable=False),
    sa.Column('updated_at', _DT(), nullable=False),
    sa.Column('next_poll_at', _DT(), nullable=False),
    sa.Column('last_polled_at', _DT(), nullable=True),
    sa.Column('last_ok_at', _DT(), nullable=True),
    sa.Column('error_code', _STR(length=64), nullable=False),
    sa.Column('error_detail', _STR(length=500), nullable=False),
    sa.Column('failing_since', _DT(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['trusted_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_feed_unit_id'), 'feed', ['unit_id'], unique=False)
    op.create_index(op.f('ix_feed_playlist_id'), 'feed', ['playlist_id'], unique=False)
    op.create_index(op.f('ix_feed_next_poll_at'), 'feed', ['next_poll_at'], unique=False)
    op.create_table('feed_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('key', _STR(length=64), nullable=False),
    sa.Column('title', _STR(length=300), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('created_at', _DT(), nullable=False),
    sa.Column('valid_until', _DT(), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['feed.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('feed_id', 'key'),
    )
    op.create_index(op.f('ix_feed_entry_feed_id'), 'feed_entry', ['feed_id'], unique=False)
    op.create_index(op.f('ix_feed_entry_bulletin_id'), 'feed_entry', ['bulletin_id'], unique=False)
    op.create_index(op.f('ix_feed_entry_item_id'), 'feed_entry', ['item_id'], unique=False)
    op.create_index(op.f('ix_feed_entry_valid_until'), 'feed_entry', ['valid_until'], unique=False)


def downgrade() -> None:
    op.drop_table('feed_entry')
    op.drop_table('feed')
    sa.Enum(name='feedtarget').drop(op.get_bind(), checkfirst=True)
