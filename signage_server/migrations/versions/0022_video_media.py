"""Video clips: a media row's clip facts (duration, frame rate, bitrate) and its poster frame, and
the ``video`` playlist item kind.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TYPE itemkind ADD VALUE IF NOT EXISTS 'VIDEO'")
    # Plain ADD COLUMN, also on SQLite: a batch copy of ``media`` would drop a referenced table.
    op.add_column('media', sa.Column('duration_s', sa.Float(), nullable=True))
    op.add_column('media', sa.Column('frame_rate', sa.Float(), nullable=True))
    op.add_column('media', sa.Column('bitrate', sa.Integer(), nullable=True))
    op.add_column('media', sa.Column('poster_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column('media', sa.Column('poster_size', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('media') as batch:
        for name in ('poster_size', 'poster_sha256', 'bitrate', 'frame_rate', 'duration_s'):
            batch.drop_column(name)
    # PostgreSQL cannot drop an enum value: 'VIDEO' stays in itemkind, unused.
