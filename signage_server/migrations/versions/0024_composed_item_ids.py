"""The wire ids of the items a stored manifest names (``composed_manifest.item_ids``), written when
it is composed: a board's full fetch records its bulletin receipts from them instead of parsing the
whole manifest again (two JSON parses of ~100 KiB per fetch, holding the interpreter lock, 20,000
times per emergency at 10,000 boards). NULL for rows stored before: those are parsed as before.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('composed_manifest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_ids', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('composed_manifest', schema=None) as batch_op:
        batch_op.drop_column('item_ids')
