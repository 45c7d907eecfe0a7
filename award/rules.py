"""A round's rules as structured settings (thể lệ), stored as JSON on the round.

Values marked "default" in the domain brief are defaults here and editable per round.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from award.errors import named, validation_text

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


# The genres each media type admits unless the round says otherwise (the secretariat's settings form, "Thể loại theo
# loại hình"): the award's rules (thể lệ) of recent rounds name the press's genres for print and online, the
# broadcast forms for radio and television, single photos and photo series for press photography.  A form that
# offered "ảnh đơn" or "phim tài liệu" under "Báo in" (as one with no such list did) invites a refusal later.
_WRITTEN = ["xã luận", "bình luận", "chuyên luận", "phóng sự", "điều tra", "phản ánh", "ký", "phỏng vấn"]
_SPOKEN = ["bình luận", "chuyên luận", "phóng sự", "điều tra", "phản ánh", "ký", "phỏng vấn", "tọa đàm"]
DEFAULT_MEDIA_GENRES = {
    "print": _WRITTEN,
    "online": [*_WRITTEN, "tọa đàm", "emagazine/multimedia"],
    "radio": _SPOKEN,
    "tv": [*_SPOKEN, "phim tài liệu"],
    "photo": ["ảnh đơn", "bộ ảnh"],
}


# The form's fields that belong to some media types only: a broadcast's programme and time (radio, television), the
# script or voice-over (radio, television, and online video).  The form hides them for the others
# (static/js/entry-form.js) and a save drops what they held (award.entries), so a Báo in work never shows
# "Thời sự 19h" typed while it was a television one.
FIELDS_FOR_MEDIA = {"transcript": ("online", "radio", "tv"), "broadcast_slot": ("radio", "tv")}


def asks(field: str, media_type: str) -> bool:
    """Whether a work of `media_type` has `field` (FIELDS_FOR_MEDIA; a field not listed belongs to every one)."""
    return media_type in FIELDS_FOR_MEDIA.get(field, (media_type,))


def genre_label(genre: str | None) -> str:
    """A genre as people read it, wherever it is shown (the form's choices, the work's page, the lists):
    stored as the round's rules spell it ("phóng sự"), shown with a capital ("Phóng sự")."""
    genre = (genre or "").strip()
    return genre[:1].upper() + genre[1:]


class Criterion(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    label: str
    max_points: Decimal = Field(gt=0, le=1000)
    weight: Decimal = Field(default=Decimal(1), ge=0, le=100)
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
    # bounds far above any round's (66 prizes in all in round IX): a typo of 10²⁰ is refused, not stored
    A: int = Field(default=6, ge=0, le=1000)
    B: int = Field(default=12, ge=0, le=1000)
    C: int = Field(default=18, ge=0, le=1000)
    KK: int = Field(default=30, ge=0, le=1000)


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


class Signatory(BaseModel):
    """Who signs a document: the title printed above the signature space (capitals, as the format wants) and
    the name below it (left blank for a hand-written name when not set)."""

    title: str = Field(min_length=1, max_length=120)
    name: str = Field(default="", max_length=120)


class DocumentSettings(BaseModel):
    """The header and signatures of the documents the product issues (minutes, certificates), laid out as
    Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I: issuing body top left with its
    superior body above it, the national name and motto top right, the number under the issuing body, the
    place and date line under the motto, signatures bottom right). Per-round settings; the defaults are the
    award's usual bodies (DOMAIN.md: organised by the Central Organisation Commission; approved by the steering
    committee). A Party-format header is the same fields: motto "ĐẢNG CỘNG SẢN VIỆT NAM", motto_sub empty."""

    superior_body: str = Field(default="BAN TỔ CHỨC TRUNG ƯƠNG", max_length=120)
    issuing_body: str = Field(default="BAN CHỈ ĐẠO GIẢI BÚA LIỀM VÀNG", min_length=1, max_length=120)
    motto: str = Field(default="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", max_length=120)
    motto_sub: str = Field(default="Độc lập - Tự do - Hạnh phúc", max_length=120)
    place: str = Field(default="Hà Nội", min_length=1, max_length=60)
    council_chair: Signatory = Field(default_factory=lambda: Signatory(title="CHỦ TỊCH HỘI ĐỒNG"))
    council_secretary: Signatory = Field(default_factory=lambda: Signatory(title="THƯ KÝ HỘI ĐỒNG"))
    certificate_signatory: Signatory = Field(default_factory=lambda: Signatory(title="TRƯỞNG BAN CHỈ ĐẠO"))


def default_completeness() -> dict[str, list[str]]:
    """What a work of each media type needs to be submitted: a part is covered by a file of one of these
    kinds, or by its link where "link" is listed (a broadcast slot alone is not the work)."""
    return {"print": ["document", "image", "link"], "online": ["link", "document", "image"],
            "radio": ["audio", "link"], "tv": ["video", "link"], "photo": ["image"]}


class RoundRules(BaseModel):
    max_parts: int = Field(default=5, ge=1, le=50)
    max_authors: int = Field(default=5, ge=1, le=50)
    max_authors_local: int = Field(default=7, ge=1, le=50)
    works_per_author_local: int = Field(default=2, ge=1, le=50)
    works_per_author_forwarded: int = Field(default=1, ge=1, le=50)
    default_quota: int = Field(default=30, ge=0, le=10000)
    media_types: list[str] = Field(default_factory=lambda: list(MEDIA_TYPES))
    genres: list[str] = Field(default_factory=lambda: list(GENRES))
    prize_counts: PrizeCounts = Field(default_factory=PrizeCounts)
    thematic_prizes: list[ThematicPrize] = Field(default_factory=list)
    rubric: list[Criterion] = Field(default_factory=lambda: [c.model_copy() for c in DEFAULT_RUBRIC])
    panels: list[Panel] = Field(default_factory=lambda: [p.model_copy() for p in DEFAULT_PANELS], min_length=1)
    # panel code → works it sends to the final; bounded here so a negative and a non-number are refused together
    shortlist_targets: dict[str, Annotated[int, Field(ge=0, le=10000)]] = Field(default_factory=dict)
    council: CouncilVote = Field(default_factory=CouncilVote)
    stages: dict[str, StageSettings] = Field(default_factory=lambda: {
        "local": StageSettings(), "preliminary": StageSettings(), "final": StageSettings()})
    local_rubric: list[Criterion] | None = None  # when the secretariat sets a different local rubric
    completeness: dict[str, list[str]] = Field(default_factory=default_completeness)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    # media type → the genres it admits; a media type not listed admits every genre of the round
    media_genres: dict[str, list[str]] = Field(
        default_factory=lambda: {m: list(g) for m, g in DEFAULT_MEDIA_GENRES.items()})
    rubric_total: Decimal = Field(default=Decimal(100), gt=0, le=1000)  # the non-bonus criteria's points add up to it

    def genres_for(self, media_type: str) -> list[str]:
        """The genres a work of `media_type` may have."""
        return self.media_genres.get(media_type) or self.genres

    @model_validator(mode="after")
    def _panels_unique(self):
        codes = [p.code for p in self.panels]
        if len(set(codes)) != len(codes):
            raise ValueError("Mã tiểu ban bị trùng.")
        return self


FILE_KINDS = {"document": "Văn bản (PDF, Word)", "image": "Ảnh", "audio": "Âm thanh", "video": "Video",
              "link": "Đường dẫn"}

# The settings forms' labels (api/pages/round_admin.py shows them), here so that every refusal of a
# round's rules names its field the way the form does, for the pages and the API alike.
LIMIT_LABELS = {
    "max_parts": "Số kỳ tối đa của một loạt bài",
    "max_authors": "Số tác giả tối đa (Trung ương)",
    "max_authors_local": "Số tác giả tối đa (ở đơn vị)",
    "works_per_author_local": "Số tác phẩm mỗi tác giả được dự ở đơn vị",
    "works_per_author_forwarded": "Số tác phẩm mỗi tác giả được gửi về Trung ương",
    "default_quota": "Chỉ tiêu mặc định mỗi đơn vị",
}
STAGE_LABELS = {"local": "Sơ tuyển ở đơn vị", "preliminary": "Sơ khảo (Trung ương)", "final": "Chung khảo"}
STAGE_NUMBER_LABELS = {"judges_per_entry": "Số giám khảo chấm mỗi tác phẩm",
                       "remind_days": "Nhắc hạn nộp phiếu trước (ngày)"}
DOCUMENT_TEXT_LABELS = {"superior_body": "Cơ quan cấp trên (dòng trên)", "issuing_body": "Cơ quan ban hành",
                        "motto": "Quốc hiệu (hoặc “ĐẢNG CỘNG SẢN VIỆT NAM”)",
                        "motto_sub": "Tiêu ngữ (để trống với văn bản của Đảng)", "place": "Địa danh ghi ngày tháng"}
SIGNATORY_LABELS = {"council_chair": "Chủ tịch Hội đồng chung khảo", "council_secretary": "Thư ký Hội đồng chung khảo",
                    "certificate_signatory": "Người ký giấy chứng nhận"}
COUNCIL_LABELS = {"quorum": "Tỷ lệ thành viên phải bỏ phiếu", "threshold": "Ngưỡng đạt giải"}
_ROW_LABELS = {
    "rubric": ("Tiêu chí", {"code": "Mã", "label": "Tên tiêu chí", "max_points": "Điểm tối đa",
                            "weight": "Hệ số", "bonus": "Điểm thưởng"}),
    "local_rubric": ("Tiêu chí sơ tuyển", {"code": "Mã", "label": "Tên tiêu chí", "max_points": "Điểm tối đa",
                                           "weight": "Hệ số", "bonus": "Điểm thưởng"}),
    "panels": ("Tiểu ban", {"code": "Mã", "name": "Tên tiểu ban", "media_types": "Loại hình",
                            "genres": "Thể loại", "target": "Số tác phẩm vào chung khảo"}),
    "thematic_prizes": ("Giải chuyên đề", {"name": "Tên giải", "themes": "Chủ đề được xét"}),
}
_TOP_LABELS = {**LIMIT_LABELS, "media_types": "Loại hình", "genres": "Thể loại", "rubric": "Thang điểm",
               "local_rubric": "Thang điểm sơ tuyển", "rubric_total": "Tổng điểm", "panels": "Tiểu ban sơ khảo",
               "thematic_prizes": "Giải chuyên đề", "prize_counts": "Cơ cấu giải", "council": "Hội đồng chung khảo",
               "stages": "Các vòng chấm", "completeness": "Hồ sơ đầy đủ", "documents": "Văn bản",
               "media_genres": "Thể loại theo loại hình", "shortlist_targets": "Số tác phẩm vào chung khảo"}


def rule_label(path: str) -> str:
    """The Vietnamese label of a field of a round's rules, by its path with or without "rules." ("max_parts",
    "rules.rubric.2.max_points" → "Tiêu chí 3 – Điểm tối đa", "stages.final.judges_per_entry" →
    "Chung khảo – Số giám khảo chấm mỗi tác phẩm"); a path no form shows is named by itself, quoted."""
    parts = path.removeprefix("rules.").split(".")
    head, rest = parts[0], parts[1:]
    if head in _ROW_LABELS and rest and rest[0].isdigit():
        row, fields = _ROW_LABELS[head]
        label = f"{row} {int(rest[0]) + 1}"
        return f"{label} – {fields.get(rest[1], rest[1])}" if len(rest) > 1 else label
    if head == "prize_counts" and rest:
        return "Số " + PRIZE_LEVELS.get(rest[0], rest[0])
    if head == "council" and rest:
        return COUNCIL_LABELS.get(rest[0], rest[0])
    if head == "stages" and rest:
        stage = STAGE_LABELS.get(rest[0], rest[0])
        return f"{stage} – {STAGE_NUMBER_LABELS.get(rest[1], rest[1])}" if len(rest) > 1 else stage
    if head == "documents" and rest:
        if rest[0] in SIGNATORY_LABELS:
            who = SIGNATORY_LABELS[rest[0]]
            what = {"title": "Chức danh", "name": "Họ và tên"}.get(rest[1], rest[1]) if len(rest) > 1 else ""
            return f"{who} – {what}" if what else who
        return DOCUMENT_TEXT_LABELS.get(rest[0], rest[0])
    if head == "shortlist_targets" and rest:
        return f"Số tác phẩm vào chung khảo của tiểu ban “{rest[0]}”"
    if head == "media_genres" and rest:
        return f"Thể loại của loại hình {MEDIA_TYPES.get(rest[0], rest[0])}"
    if head == "completeness" and rest:
        return f"Hồ sơ đầy đủ – {MEDIA_TYPES.get(rest[0], rest[0])}"
    if head in _TOP_LABELS and not rest:
        return _TOP_LABELS[head]
    return f"“{'.'.join(parts)}”"


# The settings forms' own words where they differ from the API's (award.errors.VALIDATION_MESSAGES).
_FORM_WORDS = {
    "bool_parsing": "Phải là có hoặc không.",
    "dict_type": "Phải là một bảng giá trị.",
    "string_pattern_mismatch": "Chỉ gồm chữ thường không dấu, số, “_” hoặc “-”, bắt đầu bằng chữ.",
    "string_type": "Phải là văn bản.",
}


class _Lenient(RoundRules):
    """RoundRules whose whole-model check is left to rules_problems, so it reports every field at once."""

    @model_validator(mode="after")
    def _panels_unique(self):
        return self


def rules_problems(raw: dict) -> tuple["RoundRules | None", dict[str, str]]:
    """Validate a round's rules as a whole: (the rules as read, or None when they cannot be read, and
    {field: message} with every problem at once; empty when the rules are valid). Fields are paths under
    "rules" ("rules.rubric.2.max_points")."""
    from pydantic import ValidationError

    problems: dict[str, str] = {}
    try:
        rules = _Lenient.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            if error["type"] == "value_error" and not loc:  # a model validator: the panels' codes
                loc, message = ["panels"], named(rule_label("panels"), "Mã tiểu ban bị trùng.")
            else:
                message = validation_text(error, rule_label(".".join(loc)) if loc else None, _FORM_WORDS)
            problems.setdefault(".".join(["rules", *loc]), message)
        return None, problems

    def add(field: str, message: str) -> None:  # every refusal names its field, as pydantic's do
        problems.setdefault("rules." + field, named(rule_label(field), message))

    for i, media in enumerate(rules.media_types):
        if media not in MEDIA_TYPES:
            add(f"media_types.{i}", f"Loại hình “{media}” không có trong hệ thống.")
    if not rules.media_types:
        add("media_types", "Hãy chọn ít nhất một loại hình.")
    if not [g for g in rules.genres if g.strip()]:
        add("genres", "Hãy ghi ít nhất một thể loại.")
    if len({g.casefold() for g in rules.genres}) != len(rules.genres):
        add("genres", "Có thể loại bị ghi trùng.")
    for media, genres in rules.media_genres.items():
        if media not in rules.media_types:
            add(f"media_genres.{media}", f"Loại hình “{MEDIA_TYPES.get(media, media)}” không có trong đợt giải.")
        unknown = [g for g in genres if g not in rules.genres]
        if unknown:
            add(f"media_genres.{media}", f"Thể loại không có trong danh sách thể loại của đợt giải: {', '.join(unknown)}.")
    codes = [c.code for c in rules.rubric]
    for i, criterion in enumerate(rules.rubric):
        if codes.index(criterion.code) != i:
            add(f"rubric.{i}.code", f"“{criterion.code}” trùng với mã của một tiêu chí khác.")
        if not criterion.label.strip():
            add(f"rubric.{i}.label", "Hãy ghi tên tiêu chí.")
    plain = [c for c in rules.rubric if not c.bonus]
    if not plain:
        add("rubric", "Thang điểm cần ít nhất một tiêu chí không phải điểm thưởng.")
    elif sum(c.max_points for c in plain) != rules.rubric_total:
        total = sum(c.max_points for c in plain)
        add("rubric_total", f"Điểm tối đa của các tiêu chí cộng lại là {total.normalize():f}, "
                            f"phải bằng tổng điểm {rules.rubric_total.normalize():f}.")
    panel_codes = [p.code for p in rules.panels]
    for i, panel in enumerate(rules.panels):
        if panel_codes.index(panel.code) != i:
            add(f"panels.{i}.code", f"“{panel.code}” trùng với mã của một tiểu ban khác.")
        wrong = [m for m in panel.media_types if m not in rules.media_types]
        if wrong:
            add(f"panels.{i}.media_types", "Loại hình không có trong đợt giải: "
                                           + ", ".join(MEDIA_TYPES.get(m, m) for m in wrong) + ".")
        unknown = [g for g in panel.genres if g not in rules.genres]
        if unknown:
            add(f"panels.{i}.genres", f"Thể loại không có trong đợt giải: {', '.join(unknown)}.")
    for code in rules.shortlist_targets:
        if code not in panel_codes:
            add(f"shortlist_targets.{code}", f"Không có tiểu ban mã “{code}”.")
    names = [t.name.strip().casefold() for t in rules.thematic_prizes]
    for i, name in enumerate(names):
        if names.index(name) != i:
            add(f"thematic_prizes.{i}.name", "trùng với tên của một giải chuyên đề khác.")
    for media, kinds in rules.completeness.items():
        if media not in MEDIA_TYPES:
            add(f"completeness.{media}", f"Loại hình “{media}” không có trong hệ thống.")
        wrong = [k for k in kinds if k not in FILE_KINDS]
        if wrong:
            add(f"completeness.{media}", f"Loại tệp không có trong hệ thống: {', '.join(wrong)}.")
        elif not kinds and media in rules.media_types:
            add(f"completeness.{media}", "Hãy chọn ít nhất một thứ tác phẩm loại hình này phải có.")
    return rules, problems
