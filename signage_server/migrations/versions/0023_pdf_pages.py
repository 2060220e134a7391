"""PDF documents: the pages of an uploaded PDF rendered to pictures (``media_page``) and the playlist
item kind that shows them in turn (``pdf``).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE itemkind ADD VALUE IF NOT EXISTS 'PDF'")
    op.create_table('media_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('media_id', 'position', name='uq_media_page_position')
    )
    with op.batch_alter_table('media_page', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_page_media_id'), ['media_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_page_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('media_page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_page_sha256'))
        batch_op.drop_index(batch_op.f('ix_media_page_media_id'))
    op.drop_table('media_page')
    # PostgreSQL cannot drop an enum value: 'PDF' stays in itemkind, unused.
