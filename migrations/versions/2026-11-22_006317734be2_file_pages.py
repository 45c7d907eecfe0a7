"""pages of a PDF file

Revision ID: 006317734be2
Revises: bd8edd8307a8
Create Date: 2026-11-22 03:46:10.858259
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '006317734be2'
down_revision: str | None = 'bd8edd8307a8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('entry_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('entry_file', schema=None) as batch_op:
        batch_op.drop_column('pages')

