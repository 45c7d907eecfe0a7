"""text in one normal form: entry.title_folded (search ignores case, diacritics and Unicode form) backfilled;
authors' name_key and parts' url_key recomputed with the current award.text.fold / normalise_url

Revision ID: f2a7c9d4b1e6
Revises: e13a0c1e2d3f
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

# The keys must be what the application computes (searches and duplicate checks compare against them), so
# this imports award.text rather than freezing a copy. A later change to fold/normalise_url ships its own
# migration that recomputes the keys; award.text is kept importable under this name for that reason
# (tests/test_migrations.py upgrades from the first revision on every run).
from award.text import fold, normalise_url

revision: str = 'f2a7c9d4b1e6'
down_revision: str | None = 'e13a0c1e2d3f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_folded', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_entry_title_folded'), ['title_folded'], unique=False)
    bind = op.get_bind()
    entry = sa.table('entry', sa.column('id', sa.Integer), sa.column('title', sa.String),
                     sa.column('title_folded', sa.String))
    rows = bind.execute(sa.select(entry.c.id, entry.c.title)).all()
    for id_, title in rows:
        bind.execute(entry.update().where(entry.c.id == id_).values(title_folded=fold(title)[:500]))
    author = sa.table('entry_author', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                      sa.column('name_key', sa.String))
    for id_, name in bind.execute(sa.select(author.c.id, author.c.full_name)).all():
        bind.execute(author.update().where(author.c.id == id_).values(name_key=fold(name)[:200]))
    part = sa.table('entry_part', sa.column('id', sa.Integer), sa.column('url', sa.String),
                    sa.column('url_key', sa.String))
    for id_, url in bind.execute(sa.select(part.c.id, part.c.url).where(part.c.url.is_not(None))).all():
        bind.execute(part.update().where(part.c.id == id_).values(url_key=normalise_url(url)[:2000]))


def downgrade() -> None:
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_title_folded'))
        batch_op.drop_column('title_folded')
