"""judges, conflicts, assignment plans, assignments with score sheets

Revision ID: 4110fb3ff12f
Revises: d35572a9276a
Create Date: 2026-11-22 03:34:50.694966
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '4110fb3ff12f'
down_revision: str | None = 'd35572a9276a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assignment_plan',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('local', 'preliminary', 'final', name='plan_stage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('judges_per_entry', sa.Integer(), nullable=False),
    sa.Column('assignments', sa.JSON(), nullable=False),
    sa.Column('unassignable', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('applied_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_assignment_plan_created_by_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_assignment_plan_round_id_round')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_assignment_plan_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_plan'))
    )
    with op.batch_alter_table('assignment_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_plan_round_id'), ['round_id'], unique=False)

    op.create_table('judge_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('local', 'preliminary', 'final', name='membership_stage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('panel_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_judge_membership_round_id_round')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_judge_membership_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_judge_membership_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judge_membership')),
    sa.UniqueConstraint('round_id', 'user_id', 'stage', name='uq_judge_membership_round_user_stage')
    )
    with op.batch_alter_table('judge_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judge_membership_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judge_membership_user_id'), ['user_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('local', 'preliminary', 'final', name='assignment_stage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_assignment_entry_id_entry')),
    sa.ForeignKeyConstraint(['judge_id'], ['user_account.id'], name=op.f('fk_assignment_judge_id_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_assignment_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sa.UniqueConstraint('stage', 'entry_id', 'judge_id', name='uq_assignment_stage_entry_judge')
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_judge_id'), ['judge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_stage'), ['stage'], unique=False)

    op.create_table('declared_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('declared_by', sa.Integer(), nullable=False),
    sa.Column('declared_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declared_by'], ['user_account.id'], name=op.f('fk_declared_conflict_declared_by_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_declared_conflict_entry_id_entry')),
    sa.ForeignKeyConstraint(['judge_id'], ['user_account.id'], name=op.f('fk_declared_conflict_judge_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declared_conflict')),
    sa.UniqueConstraint('judge_id', 'entry_id', name='uq_declared_conflict_judge_entry')
    )
    with op.batch_alter_table('declared_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declared_conflict_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declared_conflict_judge_id'), ['judge_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('declared_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declared_conflict_judge_id'))
        batch_op.drop_index(batch_op.f('ix_declared_conflict_entry_id'))

    op.drop_table('declared_conflict')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_stage'))
        batch_op.drop_index(batch_op.f('ix_assignment_round_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_judge_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_entry_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('judge_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judge_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_judge_membership_round_id'))

    op.drop_table('judge_membership')
    with op.batch_alter_table('assignment_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_plan_round_id'))

    op.drop_table('assignment_plan')
