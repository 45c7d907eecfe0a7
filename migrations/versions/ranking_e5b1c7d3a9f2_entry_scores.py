"""ranking: entry_score, one row per work and stage aggregating its submitted score sheets (kept by
judging.entry_scores when a sheet is submitted or reopened), backfilled from the sheets already submitted

Revision ID: e5b1c7d3a9f2
Revises: a7c3e5f9d2b4
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

# The rows must be what the application computes (rankings read them instead of the sheets), so the
# backfill uses the application's pure aggregation rather than a frozen copy, as f2a7c9d4b1e6 does.
from award.rules import Criterion, RoundRules
from judging.entry_scores import aggregate, rubric_key
from judging.ranking import Sheet

revision: str = 'e5b1c7d3a9f2'
down_revision: str | None = 'a7c3e5f9d2b4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = ('local', 'preliminary', 'final')


def upgrade() -> None:
    op.create_table(
        'entry_score',
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.Enum(*STAGES, name='entry_score_stage', native_enum=False, create_constraint=True,
                                   length=32), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('n_sheets', sa.Integer(), nullable=False),
        sa.Column('mean_cents', sa.Integer(), nullable=False),
        sa.Column('median_cents', sa.Integer(), nullable=False),
        sa.Column('trimmed_cents', sa.Integer(), nullable=False),
        sa.Column('median_milli', sa.Integer(), nullable=False),
        sa.Column('first_key', sa.BigInteger(), nullable=False),
        sa.Column('stdev_cents', sa.Integer(), nullable=True),
        sa.Column('totals', sa.JSON(), nullable=False),
        sa.Column('rubric_key', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['entry.id']),
        sa.ForeignKeyConstraint(['round_id'], ['round.id']),
        sa.PrimaryKeyConstraint('entry_id', 'stage'),
    )
    op.create_index('ix_entry_score_round_stage', 'entry_score', ['round_id', 'stage'], unique=False)
    _backfill(op.get_bind())


def _backfill(bind) -> None:
    round_ = sa.table('round', sa.column('id', sa.Integer), sa.column('rules', sa.JSON))
    contest = sa.table('local_contest', sa.column('round_id', sa.Integer), sa.column('unit_id', sa.Integer),
                       sa.column('rubric', sa.JSON))
    entry = sa.table('entry', sa.column('id', sa.Integer), sa.column('unit_id', sa.Integer))
    sheet = sa.table('assignment', sa.column('round_id', sa.Integer), sa.column('stage', sa.String),
                     sa.column('entry_id', sa.Integer), sa.column('judge_id', sa.Integer),
                     sa.column('scores', sa.JSON), sa.column('submitted_at', sa.DateTime))
    score = sa.table('entry_score', *(sa.column(c) for c in (
        'entry_id', 'stage', 'round_id', 'n_sheets', 'mean_cents', 'median_cents', 'trimmed_cents', 'median_milli',
        'first_key', 'stdev_cents', 'rubric_key')), sa.column('totals', sa.JSON))
    rules = {rid: RoundRules.model_validate(value or {}) for rid, value in bind.execute(sa.select(round_.c.id,
                                                                                                 round_.c.rules))}
    own = {(rid, uid): [Criterion.model_validate(c) for c in value]
           for rid, uid, value in bind.execute(sa.select(contest.c.round_id, contest.c.unit_id, contest.c.rubric))
           if value}

    def rubric_of(round_id, stage, unit_id):  # judging.stages.rubric_for
        if stage == 'local':
            if (round_id, unit_id) in own:
                return own[(round_id, unit_id)]
            if rules[round_id].local_rubric:
                return rules[round_id].local_rubric
        return rules[round_id].rubric

    groups: dict[tuple, list[Sheet]] = {}
    query = sa.select(sheet.c.round_id, sheet.c.stage, sheet.c.entry_id, entry.c.unit_id, sheet.c.judge_id,
                      sheet.c.scores).join(entry, entry.c.id == sheet.c.entry_id).where(
        sheet.c.submitted_at.is_not(None))
    for round_id, stage, entry_id, unit_id, judge_id, scores in bind.execute(query):
        groups.setdefault((round_id, stage, entry_id, unit_id), []).append(
            Sheet(judge_id, entry_id, {code: Decimal(text) for code, text in (scores or {}).items()}))
    rows = []
    for (round_id, stage, entry_id, unit_id), sheets in groups.items():
        rubric = rubric_of(round_id, stage, unit_id)
        values = aggregate(entry_id, sheets, rubric)
        rows.append({'entry_id': entry_id, 'stage': stage, 'round_id': round_id, 'n_sheets': values.n_sheets,
                     'mean_cents': values.mean_cents, 'median_cents': values.median_cents,
                     'trimmed_cents': values.trimmed_cents, 'median_milli': values.median_milli,
                     'first_key': values.first_key, 'stdev_cents': values.stdev_cents, 'totals': values.totals,
                     'rubric_key': rubric_key(rubric)})
    for start in range(0, len(rows), 5000):
        bind.execute(score.insert(), rows[start:start + 5000])


def downgrade() -> None:
    op.drop_index('ix_entry_score_round_stage', table_name='entry_score')
    op.drop_table('entry_score')
