"""theme tags, suggestions, embedding cache, retag jobs

Revision ID: 4ae7b9ded02c
Revises: b28fb5b053ae
Create Date: 2026-11-22 02:37:55.478639
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '4ae7b9ded02c'
down_revision: str | None = 'b28fb5b053ae'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('embedding_cache',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_embedding_cache'))
    )
    op.create_table('retag_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_retag_job_round_id_round')),
    sa.ForeignKeyConstraint(['started_by'], ['user_account.id'], name=op.f('fk_retag_job_started_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retag_job'))
    )
    with op.batch_alter_table('retag_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retag_job_round_id'), ['round_id'], unique=False)

    op.create_table('entry_theme',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('outline_node_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('author', 'secretariat', name='tag_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('confirmed_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by'], ['user_account.id'], name=op.f('fk_entry_theme_confirmed_by_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_entry_theme_entry_id_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outline_node_id'], ['outline_node.id'], name=op.f('fk_entry_theme_outline_node_id_outline_node'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('entry_id', 'outline_node_id', name=op.f('pk_entry_theme'))
    )
    with op.batch_alter_table('entry_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_theme_outline_node_id'), ['outline_node_id'], unique=False)

    op.create_table('theme_suggestion',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('outline_node_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('weak', sa.Boolean(), nullable=False),
    sa.Column('computed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_theme_suggestion_entry_id_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outline_node_id'], ['outline_node.id'], name=op.f('fk_theme_suggestion_outline_node_id_outline_node'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'outline_node_id', name=op.f('pk_theme_suggestion'))
    )


def downgrade() -> None:
    op.drop_table('theme_suggestion')
    with op.batch_alter_table('entry_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_theme_outline_node_id'))

    op.drop_table('entry_theme')
    with op.batch_alter_table('retag_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retag_job_round_id'))

    op.drop_table('retag_job')
    op.drop_table('embedding_cache')
