"""Manifest order and handover: each board's composed manifest carries a sequence that only grows
(signed into the manifest so players refuse a replayed older one) and the media of the manifest it
replaced (still served to the board until the next change).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('composed_manifest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(
            sa.Column('previous_media_sha256', sa.JSON(), nullable=False, server_default='[]')
        )


def downgrade() -> None:
    with op.batch_alter_table('composed_manifest', schema=None) as batch_op:
        batch_op.drop_column('previous_media_sha256')
        batch_op.drop_column('sequence')
