"""file sizes as 64-bit integers (a video of 2 GiB or more overflowed INTEGER on PostgreSQL)

Revision ID: 5e0f3c1a9b72
Revises: af07dd3721f2
Create Date: 2026-11-22 04:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '5e0f3c1a9b72'
down_revision: str | None = 'af07dd3721f2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('entry_file', 'upload')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('size', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    # Refused by PostgreSQL if a stored file is 2 GiB or larger: such rows must go before downgrading.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('size', existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
