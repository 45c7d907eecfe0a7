"""the process model: a round's calendar replaces its hand-set status; entry statuses of the lifecycle
table (screened, returned, no_prize); a local prize keeps a snapshot of what was awarded

Revision ID: e13a0c1e2d3f
Revises: 7c41e2d9a0b5
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = 'e13a0c1e2d3f'
down_revision: str | None = '7c41e2d9a0b5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC_DT = sqlmodel.sql.sqltypes.UTCDateTime()
OLD_ENTRY = ('draft', 'submitted', 'withdrawn', 'ineligible_local', 'forwarded', 'received', 'eligible', 'ineligible',
             'finalist', 'awarded')
NEW_ENTRY = ('draft', 'submitted', 'returned', 'withdrawn', 'screened', 'ineligible_local', 'forwarded', 'received',
             'eligible', 'ineligible', 'finalist', 'awarded', 'no_prize')
ROUND_STATUS = ('draft', 'open', 'local_judging', 'central_judging', 'final_judging', 'published', 'closed')
CALENDAR = ("submission_opens", "local_deadline", "central_deadline", "preliminary_ends", "final_ends", "ceremony_on")


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('round', schema=None) as batch_op:
        for column in ("submission_opens", "preliminary_ends", "final_ends", "ceremony_on"):
            batch_op.add_column(sa.Column(column, sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_early', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('draft', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('results_published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    # Backfill with the yearly pattern of DOMAIN.md (award.calendar.default_calendar, copied: migrations never
    # import the app); a round marked draft stays draft; a closed one is closed from its ceremony; a published
    # list gives the publication instant.
    rounds = sa.table('round', sa.column('id'), sa.column('year'), sa.column('status'), sa.column('local_deadline'),
                      sa.column('central_deadline'), sa.column('submission_opens', sa.Date),
                      sa.column('preliminary_ends', sa.Date), sa.column('final_ends', sa.Date),
                      sa.column('ceremony_on', sa.Date), sa.column('ended_early', sa.JSON),
                      sa.column('draft', sa.Boolean), sa.column('closed_at', UTC_DT),
                      sa.column('results_published_at', UTC_DT))
    lists = sa.table('result_list', sa.column('round_id'), sa.column('status'), sa.column('published_at', UTC_DT),
                     sa.column('publish_at', UTC_DT))
    published = {r.round_id: (r.publish_at or r.published_at) for r in bind.execute(
        sa.select(lists.c.round_id, lists.c.published_at, lists.c.publish_at).where(lists.c.status == 'published'))}
    for row in bind.execute(sa.select(rounds.c.id, rounds.c.year, rounds.c.status, rounds.c.local_deadline,
                                      rounds.c.central_deadline)).all():
        local, central = _as_date(row.local_deadline), _as_date(row.central_deadline)
        year = row.year
        prelim = max(date(year, 12, 5), central)
        final = max(date(year + 1, 1, 20), prelim)
        ceremony = max(date(year + 1, 2, 3), final)
        closed_at = None
        if row.status == 'closed':
            closed_at = datetime.combine(ceremony, time.min, VN).astimezone(UTC) + timedelta(days=1)
        bind.execute(rounds.update().where(rounds.c.id == row.id).values(
            submission_opens=min(date(year, 2, 3), local), preliminary_ends=prelim, final_ends=final,
            ceremony_on=ceremony, ended_early={}, draft=row.status == 'draft', closed_at=closed_at,
            results_published_at=published.get(row.id)))

    with op.batch_alter_table('round', schema=None) as batch_op:
        for column in ("submission_opens", "preliminary_ends", "final_ends", "ceremony_on"):
            batch_op.alter_column(column, existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('ended_early', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('draft', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_constraint(op.f('ck_round_round_status'), type_='check')
        batch_op.drop_column('status')
        batch_op.create_check_constraint(
            'calendar_order',
            "submission_opens <= local_deadline AND local_deadline <= central_deadline"
            " AND central_deadline <= preliminary_ends AND preliminary_ends <= final_ends"
            " AND final_ends <= ceremony_on")

    # The old CHECK is dropped by name, and the column is described as the plain VARCHAR(32) it is: given an
    # Enum as existing_type, Alembic would drop that CHECK a second time on PostgreSQL (and fail).
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_entry_entry_status'), type_='check')
        # the constraint is gone: given the enum as existing type, PostgreSQL would be asked to drop it twice
        batch_op.alter_column('status', existing_type=sa.String(length=32),
                              type_=sa.String(length=32), existing_nullable=False)
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=32), type_=_enum(NEW_ENTRY, 'entry_status'),
                              existing_nullable=False)
    # Finalists of a published list that got no prize now say so.
    entries = sa.table('entry', sa.column('id'), sa.column('round_id'), sa.column('status'))
    if published:
        bind.execute(entries.update().where(entries.c.status == 'finalist',
                                            entries.c.round_id.in_(list(published))).values(status='no_prize'))

    with op.batch_alter_table('local_prize', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('authors', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('outlet', sa.String(length=200), nullable=False, server_default=''))
    # Prizes given before this migration: the snapshot is the work as it stands now (the best record there is).
    prizes = sa.table('local_prize', sa.column('entry_id'), sa.column('title'), sa.column('authors', sa.JSON),
                      sa.column('outlet'))
    entry_t = sa.table('entry', sa.column('id'), sa.column('title'))
    authors_t = sa.table('entry_author', sa.column('entry_id'), sa.column('position'), sa.column('full_name'),
                         sa.column('pen_name'))
    parts_t = sa.table('entry_part', sa.column('entry_id'), sa.column('position'), sa.column('outlet'))
    for (entry_id,) in bind.execute(sa.select(prizes.c.entry_id)).all():
        title = bind.execute(sa.select(entry_t.c.title).where(entry_t.c.id == entry_id)).scalar() or ""
        names = [a.full_name + (f" ({a.pen_name})" if a.pen_name else "") for a in bind.execute(
            sa.select(authors_t.c.full_name, authors_t.c.pen_name).where(authors_t.c.entry_id == entry_id)
            .order_by(authors_t.c.position)).all()]
        outlet = bind.execute(sa.select(parts_t.c.outlet).where(parts_t.c.entry_id == entry_id)
                              .order_by(parts_t.c.position).limit(1)).scalar() or ""
        bind.execute(prizes.update().where(prizes.c.entry_id == entry_id).values(
            title=title[:500], authors=names, outlet=outlet[:200]))
    with op.batch_alter_table('local_prize', schema=None) as batch_op:
        batch_op.alter_column('authors', existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('local_prize', schema=None) as batch_op:
        batch_op.drop_column('outlet')
        batch_op.drop_column('authors')
        batch_op.drop_column('title')

    entries = sa.table('entry', sa.column('status'))
    # The old lifecycle had no such states: the nearest old state of each.
    for new, old in (('returned', 'submitted'), ('screened', 'submitted'), ('no_prize', 'finalist')):
        bind.execute(entries.update().where(entries.c.status == new).values(status=old))
    with op.batch_alter_table('entry', schema=None) as batch_op:  # as in upgrade: one drop of the CHECK
        batch_op.drop_constraint(op.f('ck_entry_entry_status'), type_='check')
        # the constraint is gone: given the enum as existing type, PostgreSQL would be asked to drop it twice
        batch_op.alter_column('status', existing_type=sa.String(length=32),
                              type_=sa.String(length=32), existing_nullable=False)
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=32), type_=_enum(OLD_ENTRY, 'entry_status'),
                              existing_nullable=False)

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=32), nullable=True))
    rounds = sa.table('round', sa.column('id'), sa.column('status'), sa.column('draft', sa.Boolean),
                      sa.column('closed_at'), sa.column('results_published_at'))
    for row in bind.execute(sa.select(rounds.c.id, rounds.c.draft, rounds.c.closed_at,
                                      rounds.c.results_published_at)).all():
        status = ('closed' if row.closed_at is not None else 'published' if row.results_published_at is not None
                  else 'draft' if row.draft else 'open')
        bind.execute(rounds.update().where(rounds.c.id == row.id).values(status=status))
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_round_calendar_order'), type_='check')
        batch_op.alter_column('status', existing_type=sa.String(length=32), type_=_enum(ROUND_STATUS, 'round_status'),
                              nullable=False)
        for column in ('results_published_at', 'closed_at', 'draft', 'ended_early', 'ceremony_on', 'final_ends',
                       'preliminary_ends', 'submission_opens'):
            batch_op.drop_column(column)
