"""Tables and enums of the award domain.

The naming convention is set before any table class so that Alembic names every constraint the
same way on SQLite and PostgreSQL.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Execution option marking connections that only read; on SQLite they begin deferred (see api/db.py).
READ_ONLY = "award_read_only"


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum: type[StrEnum], name: str, **kw: Any) -> sa.Column:
    """A VARCHAR with a CHECK constraint: portable, and a bad value is refused by the database."""
    return sa.Column(
        sa.Enum(
            enum,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        ),
        **kw,
    )


class Role(StrEnum):
    journalist = "journalist"
    unit_manager = "unit_manager"
    local_judge = "local_judge"
    secretariat = "secretariat"
    judge = "judge"
    approver = "approver"


ROLE_LABELS = {
    Role.journalist: "Nhà báo, tác giả",
    Role.unit_manager: "Cán bộ đơn vị (tổ chức giải cơ sở)",
    Role.local_judge: "Giám khảo cơ sở",
    Role.secretariat: "Ban Thư ký",
    Role.judge: "Giám khảo Trung ương",
    Role.approver: "Ban Chỉ đạo (phê duyệt)",
}


class UnitKind(StrEnum):
    province = "province"
    central_committee = "central_committee"
    press_agency = "press_agency"
    journalists_association = "journalists_association"


UNIT_KIND_LABELS = {
    UnitKind.province: "Tỉnh ủy, thành ủy",
    UnitKind.central_committee: "Đảng ủy trực thuộc Trung ương",
    UnitKind.press_agency: "Cơ quan báo chí Trung ương",
    UnitKind.journalists_association: "Hội Nhà báo",
}


class NodeKind(StrEnum):
    section = "section"
    theme = "theme"
    point = "point"


def round_label(number: str, year: int) -> str:
    """How every generated document (spreadsheet, PDF, default round name) names a round:
    "lần thứ XI – năm 2026"; `.upper()` for a heading in capitals."""
    return f"lần thứ {number} – năm {year}"


class Round(SQLModel, table=True):
    """One yearly round of the award ("lần thứ VIII – năm 2023")."""

    __tablename__ = "round"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=8, unique=True)
    year: int = Field(unique=True, ge=2016, le=2100)
    name: str = Field(max_length=300)
    # The calendar (award.calendar): days in Asia/Ho_Chi_Minh; the phase is computed from them and the clock.
    publication_start: date
    publication_end: date
    submission_opens: date
    local_deadline: date
    central_deadline: date
    preliminary_ends: date
    final_ends: date
    ceremony_on: date
    # {calendar field: ISO instant} for phases ended before the end of their day (award.calendar.end_phase_early)
    ended_early: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    draft: bool = False  # kept in preparation by the secretariat whatever the dates say
    closed_at: datetime | None = None  # archived by the secretariat
    results_published_at: datetime | None = None  # written by judging.publication only
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        sa.CheckConstraint("publication_start <= publication_end", name="publication_window"),
        sa.CheckConstraint(
            "submission_opens <= local_deadline AND local_deadline <= central_deadline"
            " AND central_deadline <= preliminary_ends AND preliminary_ends <= final_ends"
            " AND final_ends <= ceremony_on", name="calendar_order"),
    )

    @property
    def label(self) -> str:
        """The round as documents name it: "lần thứ XI – năm 2026" (award.models.round_label)."""
        return round_label(self.number, self.year)


class Unit(SQLModel, table=True):
    """A body that runs a local contest and forwards works to the centre (đơn vị)."""

    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    kind: UnitKind = Field(sa_column=enum_column(UnitKind, "unit_kind", nullable=False))
    default_quota: int = Field(default=30, ge=0)
    # The days (Asia/Ho_Chi_Minh, inclusive) the unit existed; None = open. A round takes the units valid
    # on its local deadline (award.units.units_for_round); history keeps the old names.
    valid_from: date | None = None
    valid_to: date | None = None

    __table_args__ = (sa.CheckConstraint("valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to",
                                         name="validity"),)


class UnitPredecessor(SQLModel, table=True):
    """A unit formed from others (a merged province points to the ones it absorbed)."""

    __tablename__ = "unit_predecessor"

    unit_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    predecessor_id: int = Field(foreign_key="unit.id", primary_key=True, index=True, ondelete="RESTRICT")

    __table_args__ = (sa.CheckConstraint("unit_id <> predecessor_id", name="not_itself"),)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=200)
    # award.text.fold(full_name), written with the name (award.users): what the users list searches.
    full_name_folded: str = Field(default="", max_length=200, index=True)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_column=enum_column(Role, "role", nullable=False))
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    outlet: str | None = Field(default=None, max_length=200)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)


class AuthSession(SQLModel, table=True):
    """A login: a browser session (cookie) or an API token (bearer). Only a hash of the token is stored."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=8)  # "web" or "api"
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class LoginAttempt(SQLModel, table=True):
    """Failed and successful logins, counted across processes to slow down guessing."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str = Field(max_length=64, index=True)
    succeeded: bool
    at: datetime = Field(default_factory=utcnow, index=True)


class OutlineNode(SQLModel, table=True):
    """A node of a round's outline of themes (đề cương): section, theme or point."""

    __tablename__ = "outline_node"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(default=None, foreign_key="outline_node.id", ondelete="CASCADE")
    code: str = Field(max_length=32)
    kind: NodeKind = Field(sa_column=enum_column(NodeKind, "node_kind", nullable=False))
    title: str
    position: int = 0
    retired: bool = False

    __table_args__ = (sa.UniqueConstraint("round_id", "code", name="uq_outline_node_round_code"),)


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained record of every decision people may dispute.

    UPDATE and DELETE are refused by database triggers (see the migration); `hash` chains each row to
    the one before, so `award audit verify` detects an edited or removed row.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class EntryStatus(StrEnum):
    """Where a work stands; the allowed moves are the table in award.entry_status (nothing else writes it)."""

    draft = "draft"
    submitted = "submitted"
    returned = "returned"  # sent back by the unit to its author for completion
    withdrawn = "withdrawn"
    screened = "screened"  # the unit found it eligible; may be forwarded
    ineligible_local = "ineligible_local"
    forwarded = "forwarded"
    received = "received"
    eligible = "eligible"
    ineligible = "ineligible"
    finalist = "finalist"
    awarded = "awarded"
    no_prize = "no_prize"  # a finalist the published list gives no prize


ENTRY_STATUS_LABELS = {
    EntryStatus.draft: "Bản nháp",
    EntryStatus.submitted: "Đã nộp",
    EntryStatus.returned: "Đơn vị trả lại để bổ sung",
    EntryStatus.withdrawn: "Đã rút",
    EntryStatus.screened: "Đơn vị xét đủ điều kiện",
    EntryStatus.ineligible_local: "Không đủ điều kiện (đơn vị)",
    EntryStatus.forwarded: "Đã gửi về Trung ương",
    EntryStatus.received: "Trung ương đã nhận",
    EntryStatus.eligible: "Đủ điều kiện dự giải",
    EntryStatus.ineligible: "Không đủ điều kiện dự giải",
    EntryStatus.finalist: "Vào chung khảo",
    EntryStatus.awarded: "Đoạt giải",
    EntryStatus.no_prize: "Vào chung khảo, không đoạt giải",
}


class Entry(SQLModel, table=True):
    """A work (tác phẩm): one piece or a series of parts, by an ordered group of authors."""

    __tablename__ = "entry"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    owner_id: int = Field(foreign_key="user_account.id", index=True)
    title: str = Field(max_length=500)
    # award.text.fold(title), written with the title (award.entries._apply): what search compares with.
    title_folded: str = Field(default="", max_length=500, index=True)
    media_type: str = Field(max_length=16)
    genre: str = Field(max_length=64)
    summary: str = Field(default="", max_length=10000)
    language: str = Field(default="vi", max_length=16)
    hardship: bool = False
    hardship_note: str = Field(default="", max_length=2000)
    prior_awards: list[dict[str, Any]] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    transcript: str = Field(default="", max_length=200_000)
    # the texts of the work's current documents, in upload order (award.entry_files.refresh_extracted_text)
    extracted_text: str = Field(default="")
    status: EntryStatus = Field(
        default=EntryStatus.draft,
        sa_column=enum_column(EntryStatus, "entry_status", nullable=False, index=True),
    )
    client_token: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None

    __table_args__ = (
        sa.UniqueConstraint("owner_id", "client_token", name="uq_entry_owner_client_token"),
        sa.Index("ix_entry_round_unit_status", "round_id", "unit_id", "status"),
        # Covers the round-wide counts (theme coverage, statistics): read from the index alone.
        sa.Index("ix_entry_round_status_media_unit", "round_id", "status", "media_type", "unit_id", "id"),
    )


class EntryAuthor(SQLModel, table=True):
    __tablename__ = "entry_author"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True, ondelete="CASCADE")
    position: int = Field(ge=0)
    full_name: str = Field(max_length=200)
    pen_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254, index=True)
    outlet: str | None = Field(default=None, max_length=200)
    name_key: str = Field(max_length=200, index=True)  # normalised name, to match authors and judges
    # award.text.fold of the pen name and the outlet, written with them: what the works list searches
    pen_name_key: str = Field(default="", max_length=200)
    outlet_key: str = Field(default="", max_length=200)

    __table_args__ = (sa.UniqueConstraint("entry_id", "position", name="uq_entry_author_entry_position"),)


class EntryPart(SQLModel, table=True):
    """One part (kỳ, tập) of a series; a single work has exactly one."""

    __tablename__ = "entry_part"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True, ondelete="CASCADE")
    position: int = Field(ge=0)
    title: str | None = Field(default=None, max_length=500)
    outlet: str = Field(max_length=200)
    outlet_key: str = Field(default="", max_length=200)  # award.text.fold(outlet), for search
    published_on: date
    url: str | None = Field(default=None, max_length=2000)
    url_key: str | None = Field(default=None, max_length=2000, index=True)
    broadcast_slot: str | None = Field(default=None, max_length=200)

    __table_args__ = (sa.UniqueConstraint("entry_id", "position", name="uq_entry_part_entry_position"),)


class EntryFile(SQLModel, table=True):
    """A stored file of an entry. The key is ours; the client's name is kept only as data."""

    __tablename__ = "entry_file"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    key: str = Field(max_length=300, unique=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=128)
    kind: str = Field(max_length=16)
    size: int = Field(ge=1, sa_type=sa.BigInteger)  # bytes: videos reach 4 GiB, past a 32-bit integer
    sha256: str = Field(max_length=64, index=True)
    pages: int | None = Field(default=None, ge=0)  # of a PDF: a judge's reading load
    # A document's text (job entry.extract_text) and the award.textextract.EXTRACTOR_VERSION that read it; 0: not
    # read yet, or read before texts were kept per file. Entry.extracted_text is derived from the current files'
    # texts (award.entry_files.refresh_extracted_text).
    text: str = Field(default="", sa_column_kwargs={"server_default": ""})
    extractor_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    uploaded_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None


class Upload(SQLModel, table=True):
    """A direct (multipart) upload in progress; becomes an EntryFile when completed and verified."""

    __tablename__ = "upload"

    id: str = Field(primary_key=True, max_length=32)
    entry_id: int = Field(foreign_key="entry.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=300, unique=True)
    storage_upload_id: str = Field(max_length=1024)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=128)
    kind: str = Field(max_length=16)
    size: int = Field(ge=1, sa_type=sa.BigInteger)  # bytes, as EntryFile.size
    sha256: str = Field(max_length=64)
    part_size: int = Field(ge=1)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class TagSource(StrEnum):
    author = "author"
    secretariat = "secretariat"


class EntryTheme(SQLModel, table=True):
    """A confirmed tag: the entry addresses this theme (or point) of its round's outline.

    The foreign key refuses deleting a tagged outline node: once tagged, a theme can only be retired.
    """

    __tablename__ = "entry_theme"

    entry_id: int = Field(foreign_key="entry.id", primary_key=True, ondelete="CASCADE")
    outline_node_id: int = Field(foreign_key="outline_node.id", primary_key=True, ondelete="RESTRICT", index=True)
    source: TagSource = Field(sa_column=enum_column(TagSource, "tag_source", nullable=False))
    confirmed_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class ThemeSuggestion(SQLModel, table=True):
    """The ranked suggestions last computed for an entry, kept beside the confirmed tags so that
    suggestion quality can be measured against what people confirmed."""

    __tablename__ = "theme_suggestion"

    entry_id: int = Field(foreign_key="entry.id", primary_key=True, ondelete="CASCADE")
    outline_node_id: int = Field(foreign_key="outline_node.id", primary_key=True, ondelete="CASCADE")
    rank: int = Field(ge=1)
    score: float
    weak: bool = False
    computed_at: datetime = Field(default_factory=utcnow)
    # Why it was suggested (award.tagging.Suggestion.why): the confirmed works it resembles, the outline
    # words matched; "" beyond the five best.
    why: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    # award.tagging_units.TAGGER_VERSION when it was computed: a ranking made by an earlier release is not current
    tagger_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The work hardly touches the outline at all (award.tagging_units.SuggestionResult.off_outline), the same on
    # every row of a ranking: the entry page then calls no theme "rất phù hợp" and says so
    off_outline: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class RoundSignalWeights(SQLModel, table=True):
    """A round's weights of the tagger's three signals (award.tagging.SIGNALS: the outline's words, the example
    pieces' words, meaning), fitted by the relearning pass on the round's confirmed works
    (award.tagging_learn.fit_signal_weights); no row: the tagger's own weights.  Every ranking of the round's
    works uses them, so they change only when the fit moves one by ``themes.WEIGHT_STEP`` or more, and the pass
    that changes them ranks the whole round again."""

    __tablename__ = "round_signal_weights"

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    outline: float
    press: float
    meaning: float
    examples: int = Field(ge=0)  # how many confirmed works of the round they were fitted on
    fitted_at: datetime = Field(default_factory=utcnow)


class EmbeddingCache(SQLModel, table=True):
    """Sentence embeddings, computed once per (model, text) and shared by every app process."""

    __tablename__ = "embedding_cache"

    key: str = Field(primary_key=True, max_length=64)
    model: str = Field(max_length=100)
    dim: int
    vector: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class RetagJob(SQLModel, table=True):
    """Re-tagging every entry of a round in the background, with its progress for the page."""

    __tablename__ = "retag_job"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    status: str = Field(default="queued", max_length=16)  # queued, running, done, failed
    total: int = 0
    done: int = 0
    started_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    error: str | None = Field(default=None, max_length=500)
