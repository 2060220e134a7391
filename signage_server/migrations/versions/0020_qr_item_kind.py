"""QR code items: the value 'QR' of the PostgreSQL enum type ``itemkind`` (SQLite stores the kind
as a plain string of up to 8 letters: nothing to do there).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 02:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE itemkind ADD VALUE IF NOT EXISTS 'QR'")


def downgrade() -> None:
    # PostgreSQL cannot drop a value from an enum type; an unused 'QR' is harmless.
    pass
