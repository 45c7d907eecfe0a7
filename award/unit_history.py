"""The units' history shipped with the product: the 2025 reorganisation (../shared/DOMAIN.md "Since round IX").

Plain data and one function on a database connection (SQLAlchemy Core, no ORM models), so that the migration
that introduced unit validity (migrations/versions/*_units_over_time.py) and award.reference (which seeds a
fresh database) apply the very same rows. Frozen: a later correction is a new table here and a new migration.

Design (summarised in docs/API.md, "Round administration"):
- A unit whose borders and name did not change stays ONE row, valid throughout (no dates): Hà Nội, Lai Châu,
  Điện Biên, Sơn La, Lạng Sơn, Quảng Ninh, Thanh Hóa, Nghệ An, Hà Tĩnh, Cao Bằng.
- Thừa Thiên Huế kept its borders but became the centrally-run city of Huế on 1 January 2025 (National
  Assembly Resolution 175/2024/QH15): the old row ends 2024-12-31 and a new row "hue" follows it, so that
  round IX still reads "Thừa Thiên Huế".
- A merged province gets a NEW row from 2025-07-01 (Resolution 202/2025/QH15), even when it keeps the name
  of one of the provinces it absorbed (code "<name>-2025", e.g. "tuyen-quang-2025"); every absorbed
  province, the namesake included, ends on 2025-06-30 and is recorded as a predecessor.
- The four Party committees directly under the centre were established by Politburo decisions of
  24 January 2025 (e.g. Decision 243-QĐ/TW on Đảng bộ Chính phủ; announced 3 February 2025): they begin on
  2025-01-24 and the committees they replaced (Đảng ủy Khối các cơ quan Trung ương, Đảng ủy Khối Doanh
  nghiệp Trung ương, Đảng ủy Ngoài nước) end on 2025-01-23. Quân ủy Trung ương and Đảng ủy Công an Trung
  ương continue unchanged.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa


def slug(text: str) -> str:
    """ASCII code from a Vietnamese name: "Thừa Thiên Huế" -> "thua-thien-hue"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


PROVINCES_END = date(2025, 6, 30)
PROVINCES_BEGIN = date(2025, 7, 1)
HUE_BEGINS = date(2025, 1, 1)
COMMITTEES_BEGIN = date(2025, 1, 24)
COMMITTEES_END = date(2025, 1, 23)


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    kind: str  # an award.models.UnitKind value
    valid_from: date
    predecessors: tuple[str, ...]  # codes of the units it was formed from
    default_quota: int = 30


def _merged(name: str, *absorbed: str, quota: int = 30) -> NewUnit:
    return NewUnit(code=slug(name) + "-2025", name=name, kind="province", valid_from=PROVINCES_BEGIN,
                   predecessors=tuple(slug(n) for n in (name, *absorbed)), default_quota=quota)


# The 23 provinces and centrally-run cities formed by merging on 1 July 2025: the new name first.
MERGED_2025 = [
    _merged("Tuyên Quang", "Hà Giang"),
    _merged("Lào Cai", "Yên Bái"),
    _merged("Thái Nguyên", "Bắc Kạn"),
    _merged("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    _merged("Bắc Ninh", "Bắc Giang"),
    _merged("Hưng Yên", "Thái Bình"),
    _merged("Hải Phòng", "Hải Dương"),
    _merged("Ninh Bình", "Hà Nam", "Nam Định"),
    _merged("Quảng Trị", "Quảng Bình"),
    _merged("Đà Nẵng", "Quảng Nam"),
    _merged("Quảng Ngãi", "Kon Tum"),
    _merged("Gia Lai", "Bình Định"),
    _merged("Khánh Hòa", "Ninh Thuận"),
    _merged("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    _merged("Đắk Lắk", "Phú Yên"),
    _merged("Thành phố Hồ Chí Minh", "Bà Rịa - Vũng Tàu", "Bình Dương", quota=60),
    _merged("Đồng Nai", "Bình Phước"),
    _merged("Tây Ninh", "Long An"),
    _merged("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    _merged("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    _merged("Đồng Tháp", "Tiền Giang"),
    _merged("An Giang", "Kiên Giang"),
    _merged("Cà Mau", "Bạc Liêu"),
]

# Same borders, same row, no dates.
UNCHANGED_2025 = ["Hà Nội", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
                  "Hà Tĩnh", "Cao Bằng"]

HUE = NewUnit(code="hue", name="Huế", kind="province", valid_from=HUE_BEGINS, predecessors=("thua-thien-hue",))

_KHOI_CQ, _KHOI_DN, _NGOAI_NUOC = ("dang-uy-khoi-cac-co-quan-trung-uong", "dang-uy-khoi-doanh-nghiep-trung-uong",
                                   "dang-uy-ngoai-nuoc")
COMMITTEES_2025 = [
    NewUnit(code=slug("Đảng bộ các cơ quan Đảng Trung ương"), name="Đảng bộ các cơ quan Đảng Trung ương",
            kind="central_committee", valid_from=COMMITTEES_BEGIN, predecessors=(_KHOI_CQ,)),
    # the ministries' Party organisations (from the Khối các cơ quan), the state groups' (from the Khối Doanh
    # nghiệp) and, through the Ministry of Foreign Affairs', those abroad (from the Đảng ủy Ngoài nước)
    NewUnit(code=slug("Đảng bộ Chính phủ"), name="Đảng bộ Chính phủ", kind="central_committee",
            valid_from=COMMITTEES_BEGIN, predecessors=(_KHOI_CQ, _KHOI_DN, _NGOAI_NUOC)),
    NewUnit(code=slug("Đảng bộ Quốc hội"), name="Đảng bộ Quốc hội", kind="central_committee",
            valid_from=COMMITTEES_BEGIN, predecessors=(_KHOI_CQ,)),
    NewUnit(code=slug("Đảng bộ Mặt trận Tổ quốc Việt Nam và các đoàn thể Trung ương"),
            name="Đảng bộ Mặt trận Tổ quốc Việt Nam và các đoàn thể Trung ương", kind="central_committee",
            valid_from=COMMITTEES_BEGIN, predecessors=(_KHOI_CQ,)),
]

NEW_UNITS: list[NewUnit] = [HUE, *MERGED_2025, *COMMITTEES_2025]

# Rows that ended, by code: the last day they existed.
ENDED: dict[str, date] = {
    **{code: PROVINCES_END for u in MERGED_2025 for code in u.predecessors},
    "thua-thien-hue": date(2024, 12, 31),
    _KHOI_CQ: COMMITTEES_END,
    _KHOI_DN: COMMITTEES_END,
    _NGOAI_NUOC: COMMITTEES_END,
}

# Round X (2025), shipped with the units it was the first to use (../shared/DOMAIN.md "Since round IX"):
# launched 20 January 2025, ceremony 3 February 2026 (the yearly pattern otherwise); IX's rules except the
# prizes. award.reference builds the row; the migration copies IX's rules from the database with these.
ROUND_X = {"number": "X", "year": 2025}
ROUND_X_CALENDAR = {"submission_opens": date(2025, 1, 20), "local_deadline": date(2025, 10, 10),
                    "central_deadline": date(2025, 11, 10), "preliminary_ends": date(2025, 12, 5),
                    "final_ends": date(2026, 1, 20), "ceremony_on": date(2026, 2, 3)}
ROUND_X_PRIZES = {"special": 0, "A": 6, "B": 13, "C": 18, "KK": 35}
ROUND_X_THEMATIC = [f"Giải chuyên đề {i}" for i in range(1, 11)]


_unit = sa.table("unit", sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("name", sa.String),
                 sa.column("kind", sa.String), sa.column("default_quota", sa.Integer),
                 sa.column("valid_from", sa.Date), sa.column("valid_to", sa.Date))
_link = sa.table("unit_predecessor", sa.column("unit_id", sa.Integer), sa.column("predecessor_id", sa.Integer))


def apply_history(conn: sa.Connection) -> None:
    """Bring the units of `conn`'s database up to the shipped history; idempotent. Ends the rows that ended
    (unless someone already set an end), adds the new units that are missing (by code) and the predecessor
    links whose two units exist. Rows the secretariat added or changed otherwise are left alone."""
    ids = dict(conn.execute(sa.select(_unit.c.code, _unit.c.id)).all())
    for code, last_day in ENDED.items():
        if code in ids:
            conn.execute(_unit.update().where(_unit.c.id == ids[code], _unit.c.valid_to.is_(None))
                         .values(valid_to=last_day))
    for new in NEW_UNITS:
        if new.code not in ids:
            conn.execute(_unit.insert().values(code=new.code, name=new.name, kind=new.kind,
                                               default_quota=new.default_quota, valid_from=new.valid_from))
            ids[new.code] = conn.execute(sa.select(_unit.c.id).where(_unit.c.code == new.code)).scalar_one()
    links = set(conn.execute(sa.select(_link.c.unit_id, _link.c.predecessor_id)).all())
    for new in NEW_UNITS:
        for code in new.predecessors:
            pair = (ids[new.code], ids.get(code))
            if pair[1] is not None and pair not in links:
                conn.execute(_link.insert().values(unit_id=pair[0], predecessor_id=pair[1]))
                links.add(pair)
