"""units over time: a unit's validity (valid_from, valid_to) and its predecessors; the July 2025 units and
the 2025 Party committees (award.unit_history) and round X (2025) added to a database that holds the shipped
data

Revision ID: b6bc956dfe6d
Revises: f2a7c9d4b1e6
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

# The data is award.unit_history's (frozen there), so that a fresh database seeded by award.reference and an
# upgraded one hold the same rows.
from award.unit_history import ROUND_X, ROUND_X_CALENDAR, ROUND_X_PRIZES, ROUND_X_THEMATIC, apply_history

revision: str = 'b6bc956dfe6d'
down_revision: str | None = 'f2a7c9d4b1e6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC_DT = sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.create_check_constraint('validity', 'valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to')
    op.create_table(
        'unit_predecessor',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('predecessor_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('unit_id <> predecessor_id', name=op.f('ck_unit_predecessor_not_itself')),
        sa.ForeignKeyConstraint(['predecessor_id'], ['unit.id'], name=op.f('fk_unit_predecessor_predecessor_id_unit'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_predecessor_unit_id_unit'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('unit_id', 'predecessor_id', name=op.f('pk_unit_predecessor')),
    )
    with op.batch_alter_table('unit_predecessor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_predecessor_predecessor_id'), ['predecessor_id'], unique=False)

    bind = op.get_bind()
    unit = sa.table('unit', sa.column('id'))
    if bind.execute(sa.select(sa.func.count()).select_from(unit)).scalar():
        # A database with the shipped units: the 2025 history. A fresh one gets it from award.reference.
        apply_history(bind)
    _add_round_x(bind)


def _add_round_x(bind) -> None:
    """Round X after round IX, with IX's rules but its own prizes; closed the day after its ceremony like
    the other shipped past rounds. Only where IX is (a fresh database gets it from award.reference)."""
    rounds = sa.table('round', sa.column('id'), sa.column('number'), sa.column('year'), sa.column('name'),
                      sa.column('publication_start', sa.Date), sa.column('publication_end', sa.Date),
                      *(sa.column(f, sa.Date) for f in ROUND_X_CALENDAR), sa.column('ended_early', sa.JSON),
                      sa.column('draft', sa.Boolean), sa.column('closed_at', UTC_DT),
                      sa.column('results_published_at', UTC_DT), sa.column('rules', sa.JSON),
                      sa.column('created_at', UTC_DT))
    ix_rules = bind.execute(sa.select(rounds.c.rules).where(rounds.c.number == 'IX')).scalar()
    taken = bind.execute(sa.select(sa.func.count()).select_from(rounds).where(
        sa.or_(rounds.c.number == ROUND_X["number"], rounds.c.year == ROUND_X["year"]))).scalar()
    if ix_rules is None or taken:
        return
    year = ROUND_X["year"]
    rules = dict(ix_rules)
    rules["prize_counts"] = dict(ROUND_X_PRIZES)
    rules["thematic_prizes"] = [{"name": name, "themes": []} for name in ROUND_X_THEMATIC]
    closed_at = datetime.combine(ROUND_X_CALENDAR["ceremony_on"] + timedelta(days=1), time.min, VN).astimezone(UTC)
    bind.execute(rounds.insert().values(
        number=ROUND_X["number"], year=year,
        name=(f"Giải báo chí toàn quốc về xây dựng Đảng (Giải Búa liềm vàng) lần thứ {ROUND_X['number']}"
              f" – năm {year}"),
        publication_start=datetime(year - 1, 11, 1).date(), publication_end=datetime(year, 10, 31).date(),
        **ROUND_X_CALENDAR, ended_early={}, draft=False, closed_at=closed_at, results_published_at=None,
        rules=rules, created_at=datetime.now(UTC)))


def downgrade() -> None:
    # The rows added by upgrade stay (units and round X may hold entries by now; the older schema can hold
    # them): only their validity and links go.
    with op.batch_alter_table('unit_predecessor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_predecessor_predecessor_id'))
    op.drop_table('unit_predecessor')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_unit_validity'), type_='check')
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
