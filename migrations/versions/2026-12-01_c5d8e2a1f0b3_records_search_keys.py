"""records: folded pen names and outlets (entry_author.pen_name_key, entry_author.outlet_key,
entry_part.outlet_key), so the round-wide list of works searches them ignoring case and diacritics

Revision ID: c5d8e2a1f0b3
Revises: b6bc956dfe6d
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from award.text import fold

revision: str = 'c5d8e2a1f0b3'
down_revision: str | None = 'b6bc956dfe6d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('entry_author', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pen_name_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('outlet_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('entry_part', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outlet_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False,
                                      server_default=''))
    bind = op.get_bind()
    author = sa.table('entry_author', sa.column('id', sa.Integer), sa.column('pen_name', sa.String),
                      sa.column('outlet', sa.String), sa.column('pen_name_key', sa.String),
                      sa.column('outlet_key', sa.String))
    rows = bind.execute(sa.select(author.c.id, author.c.pen_name, author.c.outlet)
                        .where(sa.or_(author.c.pen_name.is_not(None), author.c.outlet.is_not(None)))).all()
    for id_, pen_name, outlet in rows:
        bind.execute(author.update().where(author.c.id == id_).values(pen_name_key=fold(pen_name)[:200],
                                                                      outlet_key=fold(outlet)[:200]))
    part = sa.table('entry_part', sa.column('id', sa.Integer), sa.column('outlet', sa.String),
                    sa.column('outlet_key', sa.String))
    for id_, outlet in bind.execute(sa.select(part.c.id, part.c.outlet)).all():
        bind.execute(part.update().where(part.c.id == id_).values(outlet_key=fold(outlet)[:200]))


def downgrade() -> None:
    with op.batch_alter_table('entry_part', schema=None) as batch_op:
        batch_op.drop_column('outlet_key')
    with op.batch_alter_table('entry_author', schema=None) as batch_op:
        batch_op.drop_column('outlet_key')
        batch_op.drop_column('pen_name_key')
