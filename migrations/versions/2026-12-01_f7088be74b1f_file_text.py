"""each document's extracted text kept on its own row (`entry_file.text`) with the extractor version that read
it (`entry_file.extractor_version`): `entry.extracted_text` is derived from the work's current files

Revision ID: f7088be74b1f
Revises: f3a9c6e2d8b1
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = 'f7088be74b1f'
down_revision: str | None = 'f3a9c6e2d8b1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows stored before this revision: their text is only in entry.extracted_text, appended together with
    # that of files removed since, so it cannot be split back per file. Version 0 makes `award migrate` queue
    # them to be read again; entry.extracted_text is left as it is until then.
    with op.batch_alter_table('entry_file') as batch:
        batch.add_column(sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch.add_column(sa.Column('extractor_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('entry_file') as batch:
        batch.drop_column('extractor_version')
        batch.drop_column('text')
