"""theme suggestions record whether the work hardly touches the round's outline at all
(`theme_suggestion.off_outline`, award.tagging_units.SuggestionResult.off_outline): the entry page then calls no
theme "rất phù hợp" and says so

Revision ID: b8e4d1c7a3f5
Revises: f7088be74b1f
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b8e4d1c7a3f5'
down_revision: str | None = 'f7088be74b1f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # rows stored before this revision were made by tagger version 1: not current for TAGGER_VERSION 2, so they are
    # ranked again (`award migrate` queues the passes); false until then
    with op.batch_alter_table('theme_suggestion') as batch:
        batch.add_column(sa.Column('off_outline', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('theme_suggestion') as batch:
        batch.drop_column('off_outline')
