"""people: user_account.full_name_folded (the users list searches names ignoring case and diacritics),
indexed and backfilled with award.text.fold

Revision ID: a7c3e5f9d2b4
Revises: c5d8e2a1f0b3
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from award.text import fold

revision: str = 'a7c3e5f9d2b4'
down_revision: str | None = 'c5d8e2a1f0b3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name_folded', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_user_account_full_name_folded'), ['full_name_folded'], unique=False)
    bind = op.get_bind()
    account = sa.table('user_account', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                       sa.column('full_name_folded', sa.String))
    for id_, name in bind.execute(sa.select(account.c.id, account.c.full_name)).all():
        bind.execute(account.update().where(account.c.id == id_).values(full_name_folded=fold(name)[:200]))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_full_name_folded'))
        batch_op.drop_column('full_name_folded')
