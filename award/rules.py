"""A round's rules as structured settings (thể lệ), stored as JSON on the round.

Values marked "default" in the domain brief are defaults here and editable per round.
"""

from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

MEDIA_TYPES = {
    "print": "Báo in",
    "online": "Báo điện tử",
    "radio": "Phát thanh",
    "tv": "Truyền hình",
    "photo": "Ảnh báo chí",
}

GENRES = [
    "xã luận",
    "bình luận",
    "chuyên luận",
    "phóng sự",
    "điều tra",
    "phản ánh",
    "ký",
    "phỏng vấn",
    "tọa đàm",
    "phim tài liệu",
    "emagazine/multimedia",
    "ảnh đơn",
    "bộ ảnh",
]


class Criterion(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    label: str
    max_points: Decimal = Field(gt=0)
    weight: Decimal = Field(default=Decimal(1), ge=0)
    bonus: bool = False


DEFAULT_RUBRIC = [
    Criterion(code="content", label="Nội dung, định hướng", max_points=Decimal(30)),
    Criterion(code="discovery", label="Phát hiện, vấn đề mới", max_points=Decimal(25)),
    Criterion(code="form", label="Hình thức, nghệ thuật thể hiện", max_points=Decimal(25)),
    Criterion(code="effect", label="Hiệu quả xã hội", max_points=Decimal(20)),
    Criterion(code="hardship", label="Điểm thưởng tác nghiệp khó khăn", max_points=Decimal(5), bonus=True),
]


PRIZE_LEVELS = {
    "special": "Giải Đặc biệt",
    "A": "Giải A",
    "B": "Giải B",
    "C": "Giải C",
    "KK": "Giải Khuyến khích",
}  # highest first; a ballot may also say "none" (no prize)


class Panel(BaseModel):
    """A subpanel (tiểu ban) of the preliminary jury and the works routed to it.

    A work goes to the first panel that lists both its media type and its genre, else to the first
    panel that lists its media type with no genres (the catch-all of that media type)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name: str = Field(min_length=1, max_length=200)
    media_types: list[str] = Field(min_length=1)
    genres: list[str] = Field(default_factory=list)


DEFAULT_PANELS = [
    Panel(code="print1", name="Báo in 1 (xã luận, bình luận, chuyên luận)", media_types=["print"],
          genres=["xã luận", "bình luận", "chuyên luận"]),
    Panel(code="print2", name="Báo in 2 (phóng sự, điều tra, phản ánh và thể loại khác)", media_types=["print"]),
    Panel(code="online", name="Báo điện tử", media_types=["online"]),
    Panel(code="tv", name="Báo hình", media_types=["tv"]),
    Panel(code="radio", name="Phát thanh", media_types=["radio"]),
    Panel(code="photo", name="Ảnh", media_types=["photo"]),
]


class CouncilVote(BaseModel):
    """How the final council's ballots decide (per-round settings, defaults).

    quorum: the share of council members without a conflict on a work who must have voted on it
    before the list can be proposed. threshold: a work is proposed at the highest level that MORE than
    this share of its ballots put it at or above (0.5 = a majority)."""

    quorum: Decimal = Field(default=Decimal("0.6667"), gt=0, le=1)
    threshold: Decimal = Field(default=Decimal("0.5"), ge=0, lt=1)


class PrizeCounts(BaseModel):
    special: int = Field(default=1, ge=0, le=1)
    A: int = Field(default=6, ge=0)
    B: int = Field(default=12, ge=0)
    C: int = Field(default=18, ge=0)
    KK: int = Field(default=30, ge=0)


class ThematicPrize(BaseModel):
    """A thematic prize (giải chuyên đề) and the outline themes it rewards."""

    name: str = Field(min_length=1, max_length=300)
    themes: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value):
        return {"name": value} if isinstance(value, str) else value


class StageSettings(BaseModel):
    """How a judging stage runs: open for scores or closed, blind or not, scores shared or private, and whether
    the final council reads its judges' comments (without the judges' names) in its dossier."""

    closed: bool = False
    blind: bool = False
    share_scores: bool = False
    comments_to_council: bool = True
    judges_per_entry: int = Field(default=3, ge=1, le=20)
    # Sheets are due when the stage's phase ends in the round's calendar (judging.reminders.SCORING_ENDS).
    remind_days: int = Field(default=3, ge=0, le=30)  # "scores due" mails daily from this many days before


def default_completeness() -> dict[str, list[str]]:
    """What a work of each media type needs to be submitted: a part is covered by a file of one of these
    kinds, or by its link where "link" is listed (a broadcast slot alone is not the work)."""
    return {"print": ["document", "image", "link"], "online": ["link", "document", "image"],
            "radio": ["audio", "link"], "tv": ["video", "link"], "photo": ["image"]}


class RoundRules(BaseModel):
    max_parts: int = Field(default=5, ge=1, le=50)
    max_authors: int = Field(default=5, ge=1, le=50)
    max_authors_local: int = Field(default=7, ge=1, le=50)
    works_per_author_local: int = Field(default=2, ge=1)
    works_per_author_forwarded: int = Field(default=1, ge=1)
    default_quota: int = Field(default=30, ge=0)
    media_types: list[str] = Field(default_factory=lambda: list(MEDIA_TYPES))
    genres: list[str] = Field(default_factory=lambda: list(GENRES))
    prize_counts: PrizeCounts = Field(default_factory=PrizeCounts)
    thematic_prizes: list[ThematicPrize] = Field(default_factory=list)
    rubric: list[Criterion] = Field(default_factory=lambda: [c.model_copy() for c in DEFAULT_RUBRIC])
    panels: list[Panel] = Field(default_factory=lambda: [p.model_copy() for p in DEFAULT_PANELS], min_length=1)
    shortlist_targets: dict[str, int] = Field(default_factory=dict)  # panel code → works it sends to the final
    council: CouncilVote = Field(default_factory=CouncilVote)
    stages: dict[str, StageSettings] = Field(default_factory=lambda: {
        "local": StageSettings(), "preliminary": StageSettings(), "final": StageSettings()})
    local_rubric: list[Criterion] | None = None  # when the secretariat sets a different local rubric
    completeness: dict[str, list[str]] = Field(default_factory=default_completeness)

    @model_validator(mode="after")
    def _panels_unique(self):
        codes = [p.code for p in self.panels]
        if len(set(codes)) != len(codes):
            raise ValueError("Mã tiểu ban bị trùng.")
        return self
