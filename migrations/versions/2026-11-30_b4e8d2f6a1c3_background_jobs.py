"""background jobs: the `job` table run by `award worker` (text extraction, suggestions, re-tagging)

Revision ID: b4e8d2f6a1c3
Revises: e5b1c7d3a9f2
Create Date: 2026-11-30 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = 'b4e8d2f6a1c3'
down_revision: str | None = 'e5b1c7d3a9f2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('pending', 'running', 'done', 'failed', name='job_status', native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('max_attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('locked_by', sa.String(length=100), nullable=True),
        sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('progress_done', sa.Integer(), nullable=False),
        sa.Column('progress_total', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_job_due', 'job', ['status', 'next_attempt_at'])
    op.create_index(op.f('ix_job_entry_id'), 'job', ['entry_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_job_entry_id'), table_name='job')
    op.drop_index('ix_job_due', table_name='job')
    op.drop_table('job')
