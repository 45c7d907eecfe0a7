"""central judging and results: subpanel placements, council ballots, the prize list and its corrections

Revision ID: af07dd3721f2
Revises: 006317734be2
Create Date: 2026-11-22 04:28:29.447105
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = 'af07dd3721f2'
down_revision: str | None = '006317734be2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('result_list',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'returned', 'approved', 'published', name='result_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('proposal_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('tally', sa.JSON(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('return_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('publish_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('checksum', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], name=op.f('fk_result_list_decided_by_user_account')),
    sa.ForeignKeyConstraint(['proposed_by'], ['user_account.id'], name=op.f('fk_result_list_proposed_by_user_account')),
    sa.ForeignKeyConstraint(['published_by'], ['user_account.id'], name=op.f('fk_result_list_published_by_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_result_list_round_id_round')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_result_list'))
    )
    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('thematic', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('cast_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("level IN ('special', 'A', 'B', 'C', 'KK', 'none')", name=op.f('ck_ballot_level_known')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_ballot_entry_id_entry')),
    sa.ForeignKeyConstraint(['judge_id'], ['user_account.id'], name=op.f('fk_ballot_judge_id_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_ballot_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('entry_id', 'judge_id', name='uq_ballot_entry_judge')
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballot_judge_id'), ['judge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballot_round_id'), ['round_id'], unique=False)

    op.create_table('panel_placement',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('panel_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('placed_by', sa.Integer(), nullable=True),
    sa.Column('placed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_panel_placement_entry_id_entry')),
    sa.ForeignKeyConstraint(['placed_by'], ['user_account.id'], name=op.f('fk_panel_placement_placed_by_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_panel_placement_round_id_round')),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_panel_placement'))
    )
    with op.batch_alter_table('panel_placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_placement_panel_code'), ['panel_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_placement_round_id'), ['round_id'], unique=False)

    op.create_table('result_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('old_level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('new_level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('old_thematic', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('new_thematic', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('corrected_by', sa.Integer(), nullable=False),
    sa.Column('corrected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['corrected_by'], ['user_account.id'], name=op.f('fk_result_correction_corrected_by_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_result_correction_entry_id_entry')),
    sa.ForeignKeyConstraint(['round_id'], ['result_list.round_id'], name=op.f('fk_result_correction_round_id_result_list')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_correction'))
    )
    with op.batch_alter_table('result_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_correction_round_id'), ['round_id'], unique=False)

    op.create_table('result_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('thematic', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('checksum', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.CheckConstraint("level IS NULL OR level IN ('special', 'A', 'B', 'C', 'KK')", name=op.f('ck_result_item_level_known')),
    sa.CheckConstraint('level IS NOT NULL OR thematic IS NOT NULL', name=op.f('ck_result_item_has_prize')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_result_item_entry_id_entry')),
    sa.ForeignKeyConstraint(['round_id'], ['result_list.round_id'], name=op.f('fk_result_item_round_id_result_list')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_item')),
    sa.UniqueConstraint('round_id', 'entry_id', name='uq_result_item_round_entry')
    )
    with op.batch_alter_table('result_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_item_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_item_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('result_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_item_round_id'))
        batch_op.drop_index(batch_op.f('ix_result_item_entry_id'))

    op.drop_table('result_item')
    with op.batch_alter_table('result_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_correction_round_id'))

    op.drop_table('result_correction')
    with op.batch_alter_table('panel_placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_placement_round_id'))
        batch_op.drop_index(batch_op.f('ix_panel_placement_panel_code'))

    op.drop_table('panel_placement')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_round_id'))
        batch_op.drop_index(batch_op.f('ix_ballot_judge_id'))
        batch_op.drop_index(batch_op.f('ix_ballot_entry_id'))

    op.drop_table('ballot')
    op.drop_table('result_list')
