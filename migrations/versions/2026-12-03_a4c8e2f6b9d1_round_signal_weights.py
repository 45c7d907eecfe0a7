"""a round's weights of the tagger's three signals, learnt from its confirmed works (`round_signal_weights`)

Revision ID: a4c8e2f6b9d1
Revises: b8e4d1c7a3f5
Create Date: 2026-12-03 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'a4c8e2f6b9d1'
down_revision: str | None = 'b8e4d1c7a3f5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'round_signal_weights',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('outline', sa.Float(), nullable=False),
        sa.Column('press', sa.Float(), nullable=False),
        sa.Column('meaning', sa.Float(), nullable=False),
        sa.Column('examples', sa.Integer(), nullable=False),
        sa.Column('fitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id'),
    )


def downgrade() -> None:
    op.drop_table('round_signal_weights')
