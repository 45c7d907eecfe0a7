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

    __table_args__ = (
        sa.UniqueConstraint("round_id", "unit_id", name="uq_local_contest_round_unit"),
        sa.CheckConstraint("forwarded >= 0 AND forwarded <= quota", name="within_quota"),
    )


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
