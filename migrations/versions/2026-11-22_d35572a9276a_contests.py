"""local contests, screening, forwarding batches

Revision ID: d35572a9276a
Revises: 4ae7b9ded02c
Create Date: 2026-11-22 03:10:52.275737
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = 'd35572a9276a'
down_revision: str | None = '4ae7b9ded02c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('local_contest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('forwarded', sa.Integer(), nullable=False),
    sa.CheckConstraint('forwarded >= 0 AND forwarded <= quota', name=op.f('ck_local_contest_within_quota')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_local_contest_round_id_round')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_local_contest_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_contest')),
    sa.UniqueConstraint('round_id', 'unit_id', name='uq_local_contest_round_unit')
    )
    with op.batch_alter_table('local_contest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_contest_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_local_contest_unit_id'), ['unit_id'], unique=False)

    op.create_table('forwarding_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('forwarded_by', sa.Integer(), nullable=False),
    sa.Column('forwarded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('entry_ids', sa.JSON(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('received_by', sa.Integer(), nullable=True),
    sa.Column('postmark_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['forwarded_by'], ['user_account.id'], name=op.f('fk_forwarding_batch_forwarded_by_user_account')),
    sa.ForeignKeyConstraint(['received_by'], ['user_account.id'], name=op.f('fk_forwarding_batch_received_by_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_forwarding_batch_round_id_round')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_forwarding_batch_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forwarding_batch'))
    )
    with op.batch_alter_table('forwarding_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forwarding_batch_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forwarding_batch_unit_id'), ['unit_id'], unique=False)

    op.create_table('forwarded_entry',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['forwarding_batch.id'], name=op.f('fk_forwarded_entry_batch_id_forwarding_batch')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_forwarded_entry_entry_id_entry')),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_forwarded_entry'))
    )
    with op.batch_alter_table('forwarded_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forwarded_entry_batch_id'), ['batch_id'], unique=False)

    op.create_table('screening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('local', 'preliminary', 'final', name='screening_stage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('reason_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], name=op.f('fk_screening_decided_by_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_screening_entry_id_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening')),
    sa.UniqueConstraint('entry_id', 'stage', name='uq_screening_entry_stage')
    )
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_entry_id'), ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_entry_id'))

    op.drop_table('screening')
    with op.batch_alter_table('forwarded_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forwarded_entry_batch_id'))

    op.drop_table('forwarded_entry')
    with op.batch_alter_table('forwarding_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forwarding_batch_unit_id'))
        batch_op.drop_index(batch_op.f('ix_forwarding_batch_round_id'))

    op.drop_table('forwarding_batch')
    with op.batch_alter_table('local_contest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_contest_unit_id'))
        batch_op.drop_index(batch_op.f('ix_local_contest_round_id'))

    op.drop_table('local_contest')
