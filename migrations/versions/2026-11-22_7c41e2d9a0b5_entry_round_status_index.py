"""an index covering the round-wide counts of works (theme coverage, statistics)

Revision ID: 7c41e2d9a0b5
Revises: d3b1f8e63c0a
Create Date: 2026-11-22 07:50:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '7c41e2d9a0b5'
down_revision: str | None = 'd3b1f8e63c0a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.create_index('ix_entry_round_status_media_unit', ['round_id', 'status', 'media_type', 'unit_id', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_round_status_media_unit')
