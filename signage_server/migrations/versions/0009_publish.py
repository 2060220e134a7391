"""Submissions: what an approver decides on in one action (a publication made in one step, or an
edit of approved content kept aside, in ``pending``, until approved).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PUBLISHED')
KINDS = ('PUBLICATION', 'EDIT')


def _state() -> sa.types.TypeEngine[str]:
    """The content state type the content tables already use (PostgreSQL: the existing enum)."""
    if op.get_bind().dialect.name == 'postgresql':
        return postgresql.ENUM(*STATES, name='contentstate', create_type=False)
    return sa.Enum(*STATES, name='contentstate')


def upgrade() -> None:
    op.create_table('submission',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', _state(), nullable=False),
    sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='submissionkind'), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=True),
    sa.Column('media_ids', sa.JSON(), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=True),
    sa.Column('schedule_ids', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('window', sa.JSON(), nullable=False),
    sa.Column('pending', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletin.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlist.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['submitted_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_bulletin_id'), ['bulletin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_playlist_id'), ['playlist_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_unit_id'))
        batch_op.drop_index(batch_op.f('ix_submission_state'))
        batch_op.drop_index(batch_op.f('ix_submission_playlist_id'))
        batch_op.drop_index(batch_op.f('ix_submission_bulletin_id'))
    op.drop_table('submission')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TYPE IF EXISTS submissionkind')
