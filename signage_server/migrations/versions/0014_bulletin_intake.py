"""Bulletin intake from upstream systems: a bulletin's source and external id (unique together),
and the intake sources with the units that trust them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('bulletin') as batch:
        batch.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200),
                                   nullable=True))
        batch.create_unique_constraint('uq_bulletin_source_external_id', ['source', 'external_id'])
    op.create_table('intake_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('trusted_unit_ids', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('user_id'),
    )


def downgrade() -> None:
    op.drop_table('intake_source')
    with op.batch_alter_table('bulletin') as batch:
        batch.drop_constraint('uq_bulletin_source_external_id', type_='unique')
        batch.drop_column('external_id')
        batch.drop_column('source')
