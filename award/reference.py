"""Reference data shipped with the product: the rounds IV to X and the units with their history (the units
as they stood 2019–2024 here, the 2025 reorganisation in award.unit_history)."""

import logging
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from award.calendar import default_calendar, start_of_day
from award.models import Round, Unit, UnitKind, round_label
from award.rules import PrizeCounts, RoundRules
from award.unit_history import ENDED, ROUND_X, ROUND_X_CALENDAR, ROUND_X_PRIZES, ROUND_X_THEMATIC, apply_history, slug

log = logging.getLogger(__name__)

OUTLINE_DIR = Path(__file__).parent / "data" / "outlines"

CENTRAL_CITIES = ["Hà Nội", "Thành phố Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"]
PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh",
    "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình",
    "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh",
    "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]
CENTRAL_COMMITTEES = [
    "Đảng ủy Khối các cơ quan Trung ương",
    "Đảng ủy Khối Doanh nghiệp Trung ương",
    "Quân ủy Trung ương",
    "Đảng ủy Công an Trung ương",
    "Đảng ủy Ngoài nước",
]
PRESS_AGENCIES = [
    "Báo Nhân Dân",
    "Tạp chí Cộng sản",
    "Đài Truyền hình Việt Nam",
    "Đài Tiếng nói Việt Nam",
    "Thông tấn xã Việt Nam",
    "Báo Quân đội nhân dân",
    "Báo Công an nhân dân",
    "Tạp chí Xây dựng Đảng",
    "Báo Điện tử Đảng Cộng sản Việt Nam",
    "Báo Lao Động",
    "Báo Thanh Niên",
    "Báo Tiền Phong",
    "Báo Đại Đoàn Kết",
    "Báo Pháp luật Việt Nam",
    "Báo Nông thôn Ngày nay",
    "Báo Điện tử Chính phủ",
]
ASSOCIATIONS = ["Hội Nhà báo Việt Nam"]

LARGE_UNITS = {"Hà Nội": 60, "Thành phố Hồ Chí Minh": 60}
SMALL_UNIT_QUOTA = 10


def unit_rows() -> list[dict]:
    """The units as they stood 2019–2024, with the day each ended where it did (award.unit_history)."""
    rows = []
    for name in CENTRAL_CITIES + PROVINCES:
        rows.append(dict(code=slug(name), name=name, kind=UnitKind.province,
                         default_quota=LARGE_UNITS.get(name, 30)))
    for name in CENTRAL_COMMITTEES:
        rows.append(dict(code=slug(name), name=name, kind=UnitKind.central_committee, default_quota=30))
    for name in PRESS_AGENCIES:
        rows.append(dict(code=slug(name), name=name, kind=UnitKind.press_agency,
                         default_quota=SMALL_UNIT_QUOTA))
    for name in ASSOCIATIONS:
        rows.append(dict(code=slug(name), name=name, kind=UnitKind.journalists_association,
                         default_quota=30))
    for row in rows:
        row["valid_to"] = ENDED.get(row["code"])
    return rows


def _round(number: str, year: int, closed: bool, dates: dict | None = None, **rules) -> dict:
    """A shipped round on the yearly calendar; a past one is closed (archived) the day after its ceremony."""
    calendar = {**default_calendar(year), **(dates or {})}
    return dict(
        number=number,
        year=year,
        name=f"Giải báo chí toàn quốc về xây dựng Đảng (Giải Búa liềm vàng) {round_label(number, year)}",
        publication_start=date(year - 1, 11, 1),
        publication_end=date(year, 10, 31),
        **calendar,
        closed_at=start_of_day(calendar["ceremony_on"] + timedelta(days=1)) if closed else None,
        rules=RoundRules(**rules).model_dump(mode="json"),
    )


VIII_THEMATIC = [
    "Tác phẩm xuất sắc về triển khai thực hiện Nghị quyết Đại hội XIII của Đảng",
    "Tác phẩm xuất sắc về đổi mới công tác giáo dục chính trị tư tưởng",
    "Tác phẩm xuất sắc về đổi mới phương thức lãnh đạo của Đảng",
    "Tác phẩm xuất sắc về bảo vệ nền tảng tư tưởng của Đảng",
    "Tác phẩm xuất sắc về đấu tranh phòng, chống “diễn biến hòa bình”",
    "Tác phẩm xuất sắc về gương người tốt, việc tốt học tập và làm theo Bác Hồ",
]


IX_SHORTLIST = {"print1": 15, "print2": 32, "online": 36, "tv": 30, "radio": 15, "photo": 9}


def round_rows() -> list[dict]:
    return [
        _round("IV", 2019, True,
               prize_counts=PrizeCounts(special=1, A=5, B=10, C=15, KK=25),
               thematic_prizes=["Giải chuyên đề 1", "Giải chuyên đề 2"]),
        _round("VII", 2022, True,
               prize_counts=PrizeCounts(special=1, A=6, B=12, C=18, KK=30),
               thematic_prizes=[f"Giải chuyên đề {i}" for i in range(1, 9)]),
        _round("VIII", 2023, True,
               prize_counts=PrizeCounts(special=1, A=6, B=12, C=18, KK=30),
               thematic_prizes=VIII_THEMATIC,
               shortlist_targets={"print1": 15, "print2": 31, "online": 27, "tv": 26, "radio": 13, "photo": 8}),
        _round("IX", 2024, False, shortlist_targets=IX_SHORTLIST),
        # the first round of the 2025 units (award.unit_history); IX's rules but its prizes
        _round(ROUND_X["number"], ROUND_X["year"], True, dates=ROUND_X_CALENDAR,
               shortlist_targets=IX_SHORTLIST, prize_counts=PrizeCounts(**ROUND_X_PRIZES),
               thematic_prizes=ROUND_X_THEMATIC),
    ]


OUTLINE_FILES = {
    "IV": "round_IV_2019.txt",
    "VII": "round_VII_2022.txt",
    "VIII": "round_VIII_2023.txt",
    "IX": "round_IX_2024.txt",
}


def load_reference_data(session: Session) -> None:
    """Insert the shipped units, rounds and outlines that are missing; existing rows are left as they are."""
    from award.outline_parser import parse_outline
    from award.outlines import replace_outline  # outlines imports models only; kept local to avoid a cycle

    known_units = set(session.exec(select(Unit.code)).all())
    for row in unit_rows():
        if row["code"] not in known_units:
            session.add(Unit(**row))
    session.flush()
    apply_history(session.connection())  # the 2025 units and their predecessors, as the migration adds them
    known_rounds = {r.number: r for r in session.exec(select(Round)).all()}
    for row in round_rows():
        round_ = known_rounds.get(row["number"])
        if round_ is None:
            round_ = Round(**row)
            session.add(round_)
            session.flush()
            if row["number"] in OUTLINE_FILES:  # round X's outline is not shipped: the secretariat imports it
                text = (OUTLINE_DIR / OUTLINE_FILES[row["number"]]).read_text(encoding="utf-8")
                replace_outline(session, round_=round_, parsed=parse_outline(text))
            log.info("reference.round_loaded round=%s", round_.number)
    session.flush()
