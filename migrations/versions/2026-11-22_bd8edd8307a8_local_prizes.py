"""unit rubric and local prizes

Revision ID: bd8edd8307a8
Revises: 4110fb3ff12f
Create Date: 2026-11-22 03:41:09.303769
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = 'bd8edd8307a8'
down_revision: str | None = '4110fb3ff12f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('local_prize',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('awarded_by', sa.Integer(), nullable=False),
    sa.Column('awarded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['awarded_by'], ['user_account.id'], name=op.f('fk_local_prize_awarded_by_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_local_prize_entry_id_entry')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_local_prize_round_id_round')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_local_prize_unit_id_unit')),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_local_prize'))
    )
    with op.batch_alter_table('local_prize', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_prize_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_local_prize_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('local_contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rubric', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('local_contest', schema=None) as batch_op:
        batch_op.drop_column('rubric')

    with op.batch_alter_table('local_prize', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_prize_unit_id'))
        batch_op.drop_index(batch_op.f('ix_local_prize_round_id'))

    op.drop_table('local_prize')
