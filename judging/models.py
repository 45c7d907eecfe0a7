"""Tables of the contests and judging: local contests with their quota, screening decisions and the
batches a unit forwards to the centre."""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from award.models import enum_column, utcnow


class Stage(StrEnum):
    local = "local"
    preliminary = "preliminary"
    final = "final"


class LocalContest(SQLModel, table=True):
    """A unit's contest in a round (giải cấp tỉnh / sơ tuyển) and how much of its quota is used.

    `forwarded` only ever moves by a guarded UPDATE (see judging.contests.forward), and the CHECK
    constraint refuses, in the database itself, any state past the quota."""

    __tablename__ = "local_contest"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    quota: int = Field(ge=0)
    forwarded: int = Field(default=0, ge=0)
    rubric: list[Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))  # the unit's own

    __table_args__ = (
        sa.UniqueConstraint("round_id", "unit_id", name="uq_local_contest_round_unit"),
        sa.CheckConstraint("forwarded >= 0 AND forwarded <= quota", name="within_quota"),
    )


class LocalPrize(SQLModel, table=True):
    """A prize of a unit's own contest (Nhất/Nhì/Ba/KK or A/B/C/KK), shown on the unit's public page."""

    __tablename__ = "local_prize"

    entry_id: int = Field(foreign_key="entry.id", primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    level: str = Field(max_length=16)
    awarded_by: int = Field(foreign_key="user_account.id")
    awarded_at: datetime = Field(default_factory=utcnow)
    # What was awarded, as it stood then: the unit's published list never shows later edits.
    title: str = Field(default="", max_length=500)
    authors: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))  # "Name (pen name)"
    outlet: str = Field(default="", max_length=200)


class Screening(SQLModel, table=True):
    """An eligibility decision on an entry, by the unit (local) or by the secretariat (central)."""

    __tablename__ = "screening"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    stage: Stage = Field(sa_column=enum_column(Stage, "screening_stage", nullable=False))
    eligible: bool
    reason_code: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", max_length=2000)
    decided_by: int = Field(foreign_key="user_account.id")
    decided_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (sa.UniqueConstraint("entry_id", "stage", name="uq_screening_entry_stage"),)


class ForwardingBatch(SQLModel, table=True):
    """One signed list of works a unit sends to the centre."""

    __tablename__ = "forwarding_batch"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    forwarded_by: int = Field(foreign_key="user_account.id")
    forwarded_at: datetime = Field(default_factory=utcnow)
    entry_ids: list[int] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    digest: str = Field(max_length=64)  # SHA-256 of the list as signed: who, when, which works
    received_at: datetime | None = None
    received_by: int | None = Field(default=None, foreign_key="user_account.id")
    postmark_date: Any = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True))


class ForwardedEntry(SQLModel, table=True):
    """An entry's place in a batch; the primary key makes forwarding a work twice impossible."""

    __tablename__ = "forwarded_entry"

    entry_id: int = Field(foreign_key="entry.id", primary_key=True)
    batch_id: int = Field(foreign_key="forwarding_batch.id", index=True)
    position: int = Field(ge=0)


class JudgeMembership(SQLModel, table=True):
    """A judge of one stage of a round: of a unit's local contest, of a central subpanel, or of the council."""

    __tablename__ = "judge_membership"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    stage: Stage = Field(sa_column=enum_column(Stage, "membership_stage", nullable=False))
    panel_code: str | None = Field(default=None, max_length=32)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")  # the local contest, for the local stage

    __table_args__ = (sa.UniqueConstraint("round_id", "user_id", "stage", name="uq_judge_membership_round_user_stage"),)


class DeclaredConflict(SQLModel, table=True):
    """A conflict of interest a judge declared (or the secretariat recorded) on one entry."""

    __tablename__ = "declared_conflict"

    id: int | None = Field(default=None, primary_key=True)
    judge_id: int = Field(foreign_key="user_account.id", index=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    reason: str = Field(default="", max_length=500)
    declared_by: int = Field(foreign_key="user_account.id")
    declared_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (sa.UniqueConstraint("judge_id", "entry_id", name="uq_declared_conflict_judge_entry"),)


class AssignmentPlan(SQLModel, table=True):
    """A proposed assignment, kept so that "apply" stores exactly what was previewed."""

    __tablename__ = "assignment_plan"

    id: str = Field(primary_key=True, max_length=32)
    round_id: int = Field(foreign_key="round.id", index=True)
    stage: Stage = Field(sa_column=enum_column(Stage, "plan_stage", nullable=False))
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    judges_per_entry: int = Field(ge=1, le=20)
    assignments: list[Any] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    unassignable: list[Any] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    created_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    applied_at: datetime | None = None


class Assignment(SQLModel, table=True):
    """A judge's assignment to an entry in a stage, with the score sheet filled in for it."""

    __tablename__ = "assignment"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    stage: Stage = Field(sa_column=enum_column(Stage, "assignment_stage", nullable=False, index=True))
    entry_id: int = Field(foreign_key="entry.id", index=True)
    judge_id: int = Field(foreign_key="user_account.id", index=True)
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    comment: str = Field(default="", max_length=5000)
    submitted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (sa.UniqueConstraint("stage", "entry_id", "judge_id", name="uq_assignment_stage_entry_judge"),)


class PanelPlacement(SQLModel, table=True):
    """The subpanel (tiểu ban) an eligible work is judged in: routed by media type and genre, or moved
    by hand (`manual`), which routing then leaves alone."""

    __tablename__ = "panel_placement"

    entry_id: int = Field(foreign_key="entry.id", primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    panel_code: str = Field(max_length=32, index=True)
    manual: bool = False
    placed_by: int | None = Field(default=None, foreign_key="user_account.id")
    placed_at: datetime = Field(default_factory=utcnow)


BALLOT_LEVELS = ("special", "A", "B", "C", "KK", "none")
_LEVEL_LIST = ", ".join(f"'{level}'" for level in BALLOT_LEVELS)


class Ballot(SQLModel, table=True):
    """A final council member's vote on one finalist: a prize level and, optionally, a thematic prize."""

    __tablename__ = "ballot"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    judge_id: int = Field(foreign_key="user_account.id", index=True)
    level: str = Field(max_length=8)
    thematic: str | None = Field(default=None, max_length=300)
    cast_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("entry_id", "judge_id", name="uq_ballot_entry_judge"),
        sa.CheckConstraint(f"level IN ({_LEVEL_LIST})", name="level_known"),
    )


class ResultStatus(StrEnum):
    proposed = "proposed"  # the secretariat proposed it (trình)
    returned = "returned"  # the approver sent it back with a note
    approved = "approved"  # the steering committee approved it
    published = "published"  # public (from publish_at, if an embargo was set); frozen


class ResultList(SQLModel, table=True):
    """A round's prize list and where it stands between proposal and publication (one per round)."""

    __tablename__ = "result_list"

    round_id: int = Field(foreign_key="round.id", primary_key=True)
    status: ResultStatus = Field(sa_column=enum_column(ResultStatus, "result_status", nullable=False))
    source: str = Field(default="council", max_length=16)  # "council" or "import" (a past round)
    version: int = Field(default=1, ge=1)  # +1 at every recorded correction
    proposed_by: int | None = Field(default=None, foreign_key="user_account.id")
    proposed_at: datetime | None = None
    proposal_note: str = Field(default="", max_length=2000)
    tally: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = None
    return_note: str = Field(default="", max_length=2000)
    publish_at: datetime | None = None  # embargo: public from this time
    published_by: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: datetime | None = None
    checksum: str | None = Field(default=None, max_length=64)  # of the published list, see judging.publication


class ResultItem(SQLModel, table=True):
    """One prize of a round's list: a level, a thematic prize, or both."""

    __tablename__ = "result_item"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="result_list.round_id", index=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    level: str | None = Field(default=None, max_length=8)
    thematic: str | None = Field(default=None, max_length=300)
    position: int = Field(default=0, ge=0)
    checksum: str | None = Field(default=None, max_length=64)

    __table_args__ = (
        sa.UniqueConstraint("round_id", "entry_id", name="uq_result_item_round_entry"),
        sa.CheckConstraint("level IS NOT NULL OR thematic IS NOT NULL", name="has_prize"),
        sa.CheckConstraint("level IS NULL OR level IN ('special', 'A', 'B', 'C', 'KK')", name="level_known"),
    )


class ResultCorrection(SQLModel, table=True):
    """A change to a published list; the list is frozen otherwise."""

    __tablename__ = "result_correction"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="result_list.round_id", index=True)
    entry_id: int = Field(foreign_key="entry.id")
    old_level: str | None = Field(default=None, max_length=8)
    new_level: str | None = Field(default=None, max_length=8)
    old_thematic: str | None = Field(default=None, max_length=300)
    new_thematic: str | None = Field(default=None, max_length=300)
    reason: str = Field(max_length=2000)
    corrected_by: int = Field(foreign_key="user_account.id")
    corrected_at: datetime = Field(default_factory=utcnow)


class EntryScore(SQLModel, table=True):
    """One work's submitted sheets of a stage, aggregated when a sheet is submitted or reopened
    (judging.entry_scores): rankings read these rows instead of every sheet. Integer keys keep the
    ordering exact on every engine; `totals` keeps each sheet's total for the z-score and a rebuild."""

    __tablename__ = "entry_score"

    entry_id: int = Field(foreign_key="entry.id", primary_key=True)
    stage: Stage = Field(sa_column=enum_column(Stage, "entry_score_stage", primary_key=True))
    round_id: int = Field(foreign_key="round.id")
    n_sheets: int
    mean_cents: int  # judging.ranking.mean × 100
    median_cents: int  # judging.ranking.median × 100
    trimmed_cents: int  # judging.ranking.trimmed_mean × 100
    median_milli: int  # the exact median of the totals × 1000 (tie-break 2)
    first_key: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))  # ⌊first-criterion mean × 10¹²⌋
    stdev_cents: int | None = None  # judging.ranking.sample_stdev × 100
    totals: list[Any] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))  # [[judge, "t"]]
    rubric_key: str = Field(max_length=32)  # the rubric the totals were worked out with

    __table_args__ = (sa.Index("ix_entry_score_round_stage", "round_id", "stage"),)
