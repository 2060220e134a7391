"""Trusted CAP senders as database rows managed by admins (``SIGNAGE_CAP_SENDERS`` seeds them):
name, token hash, unit, geocode names, pinned certificate and its expiry.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cap_sender',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('geocode_names', sa.JSON(), nullable=False),
    sa.Column('certificate_pem', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('certificate_subject', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('certificate_not_after', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('source', sa.Enum('SETTING', 'PANEL', name='capsendersource'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('token_hash'),
    )


def downgrade() -> None:
    op.drop_table('cap_sender')
    sa.Enum(name='capsendersource').drop(op.get_bind(), checkfirst=True)
