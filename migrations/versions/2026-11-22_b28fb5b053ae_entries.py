"""entries, authors, parts, files and uploads

Revision ID: b28fb5b053ae
Revises: cf749f8c4c7a
Create Date: 2026-11-22 02:10:14.595252
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = 'b28fb5b053ae'
down_revision: str | None = 'cf749f8c4c7a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('genre', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('hardship', sa.Boolean(), nullable=False),
    sa.Column('hardship_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('prior_awards', sa.JSON(), nullable=False),
    sa.Column('transcript', sqlmodel.sql.sqltypes.AutoString(length=200000), nullable=False),
    sa.Column('extracted_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'withdrawn', 'ineligible_local', 'forwarded', 'received', 'eligible', 'ineligible', 'finalist', 'awarded', name='entry_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('client_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_entry_owner_id_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_entry_round_id_round')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_entry_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry')),
    sa.UniqueConstraint('owner_id', 'client_token', name='uq_entry_owner_client_token')
    )
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_round_id'), ['round_id'], unique=False)
        batch_op.create_index('ix_entry_round_unit_status', ['round_id', 'unit_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_unit_id'), ['unit_id'], unique=False)

    op.create_table('entry_author',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('pen_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('outlet', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_entry_author_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_author')),
    sa.UniqueConstraint('entry_id', 'position', name='uq_entry_author_entry_position')
    )
    with op.batch_alter_table('entry_author', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_author_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_author_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_author_name_key'), ['name_key'], unique=False)

    op.create_table('entry_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_entry_file_entry_id_entry')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_entry_file_round_id_round')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['user_account.id'], name=op.f('fk_entry_file_uploaded_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_file')),
    sa.UniqueConstraint('key', name=op.f('uq_entry_file_key'))
    )
    with op.batch_alter_table('entry_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_file_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_file_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_file_sha256'), ['sha256'], unique=False)

    op.create_table('entry_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('outlet', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('url_key', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('broadcast_slot', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_entry_part_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_part')),
    sa.UniqueConstraint('entry_id', 'position', name='uq_entry_part_entry_position')
    )
    with op.batch_alter_table('entry_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_part_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_part_url_key'), ['url_key'], unique=False)

    op.create_table('upload',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('storage_upload_id', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('part_size', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_upload_created_by_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_upload_entry_id_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upload')),
    sa.UniqueConstraint('key', name=op.f('uq_upload_key'))
    )
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_entry_id'), ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_entry_id'))

    op.drop_table('upload')
    with op.batch_alter_table('entry_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_part_url_key'))
        batch_op.drop_index(batch_op.f('ix_entry_part_entry_id'))

    op.drop_table('entry_part')
    with op.batch_alter_table('entry_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_entry_file_round_id'))
        batch_op.drop_index(batch_op.f('ix_entry_file_entry_id'))

    op.drop_table('entry_file')
    with op.batch_alter_table('entry_author', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_author_name_key'))
        batch_op.drop_index(batch_op.f('ix_entry_author_entry_id'))
        batch_op.drop_index(batch_op.f('ix_entry_author_email'))

    op.drop_table('entry_author')
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_unit_id'))
        batch_op.drop_index(batch_op.f('ix_entry_status'))
        batch_op.drop_index('ix_entry_round_unit_status')
        batch_op.drop_index(batch_op.f('ix_entry_round_id'))
        batch_op.drop_index(batch_op.f('ix_entry_owner_id'))

    op.drop_table('entry')
