"""theme suggestions keep why they were made (`theme_suggestion.why`): the entry page shows it

Revision ID: d7a3c9e1b5f2
Revises: b4e8d2f6a1c3
Create Date: 2026-11-30 15:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd7a3c9e1b5f2'
down_revision: str | None = 'b4e8d2f6a1c3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('theme_suggestion') as batch:
        batch.add_column(sa.Column('why', sa.String(length=500), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('theme_suggestion') as batch:
        batch.drop_column('why')
