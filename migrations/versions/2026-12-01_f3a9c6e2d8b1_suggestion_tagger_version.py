"""theme suggestions record the tagger version that made them (`theme_suggestion.tagger_version`): a ranking made
by an earlier release is ranked again instead of being shown as current

Revision ID: f3a9c6e2d8b1
Revises: d7a3c9e1b5f2
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f3a9c6e2d8b1'
down_revision: str | None = 'd7a3c9e1b5f2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # rows stored before this revision were made by an earlier tagger: version 0
    with op.batch_alter_table('theme_suggestion') as batch:
        batch.add_column(sa.Column('tagger_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('theme_suggestion') as batch:
        batch.drop_column('tagger_version')
