"""Historical results of past rounds from a spreadsheet (`award results import FILE.xlsx --round VIII`).

One row per prize, headings on the first row (any order, diacritics and case ignored):
    Mức giải | Giải chuyên đề | Tên tác phẩm | Loại hình | Thể loại | Tác giả | Cơ quan báo chí | Đơn vị | Ngày đăng
"Tác giả" lists authors separated by ";", each optionally with a pen name in brackets:
"Nguyễn Văn A (Hồng Hà); Trần Thị B". "Đơn vị" is a unit code (ha-tinh) or its name.
Every row is checked first; one bad row and nothing is imported (the report names each row and column).
The list is then published at once as an imported list (source "import"), with its checksums.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from sqlmodel import Session, select

from award import audit, spreadsheets, users
from award.errors import vn_count
from award.models import Entry, EntryAuthor, EntryPart, EntryStatus, Role, Round, Unit, User
from award.rules import MEDIA_TYPES
from award.spreadsheets import ImportFailed, RowError, text
from award.text import fold, upfirst
from judging import publication
from judging.models import ResultItem, ResultList, ResultStatus

SYSTEM_EMAIL = "he-thong@bualiemvang.vn"
COLUMNS = {
    "level": "Mức giải", "thematic": "Giải chuyên đề", "title": "Tên tác phẩm", "media_type": "Loại hình",
    "genre": "Thể loại", "authors": "Tác giả", "outlet": "Cơ quan báo chí", "unit": "Đơn vị", "published_on": "Ngày đăng",
}
REQUIRED = ("title", "media_type", "authors", "outlet", "unit")
TEXT_LIMITS = {"title": 500, "thematic": 300, "genre": 64, "outlet": 200}  # the columns' widths (award/models.py)
NAME_CHARS = 200  # an author's name or pen name
LEVEL_NAMES = {"dac biet": "special", "giai dac biet": "special", "special": "special", "a": "A", "giai a": "A",
               "b": "B", "giai b": "B", "c": "C", "giai c": "C", "kk": "KK", "khuyen khich": "KK",
               "giai khuyen khich": "KK", "": None}
MEDIA_NAMES = {fold(label): code for code, label in MEDIA_TYPES.items()} | {code: code for code in MEDIA_TYPES} | {
    "bao hinh": "tv", "anh": "photo", "bao dien tu": "online", "bao in": "print", "phat thanh": "radio"}


@dataclass
class Row:
    number: int
    level: str | None
    thematic: str | None
    title: str
    media_type: str
    genre: str
    authors: list[tuple[str, str | None]]
    outlet: str
    unit_id: int
    published_on: date | None
    problems: list[RowError] = field(default_factory=list)


def parse_authors(text: str) -> list[tuple[str, str | None]]:
    authors = []
    for chunk in (c.strip() for c in text.split(";")):
        if not chunk:
            continue
        if chunk.endswith(")") and "(" in chunk:
            name, pen = chunk[:-1].split("(", 1)
            authors.append((name.strip(), pen.strip() or None))
        else:
            authors.append((chunk, None))
    return authors


def read_rows(path: Path | IO[bytes], units: list[Unit]) -> list[Row]:
    """Parse and check every row; raise ImportFailed with all the problems found."""
    lines = spreadsheets.read(path, COLUMNS, (*REQUIRED, "level"))
    by_code = {u.code: u.id for u in units}
    by_name = {fold(u.name): u.id for u in units}
    rows, errors = [], []
    for number, cell in lines:
        problems = []
        level_text = fold(text(cell.get("level")))
        level = LEVEL_NAMES.get(level_text, "?")
        thematic = text(cell.get("thematic")) or None
        if level == "?":
            problems.append(RowError(number, COLUMNS["level"], f"“{text(cell.get('level'))}” không phải mức giải "
                                                               "(Đặc biệt, A, B, C, Khuyến khích)."))
        elif level is None and thematic is None:
            problems.append(RowError(number, COLUMNS["level"], "cần mức giải hoặc giải chuyên đề."))
        for key in REQUIRED:
            if not text(cell.get(key)):
                problems.append(RowError(number, COLUMNS[key], "không được để trống."))
        media = MEDIA_NAMES.get(fold(text(cell.get("media_type"))))
        if text(cell.get("media_type")) and media is None:
            problems.append(RowError(number, COLUMNS["media_type"], f"“{text(cell.get('media_type'))}” không phải "
                                                                    "loại hình báo chí."))
        unit_text = text(cell.get("unit"))
        unit_id = by_code.get(unit_text) or by_name.get(fold(unit_text))
        if unit_text and unit_id is None:
            problems.append(RowError(number, COLUMNS["unit"], f"không có đơn vị “{unit_text}”."))
        published = cell.get("published_on")
        if isinstance(published, datetime):
            published = published.date()
        elif published not in (None, "") and not isinstance(published, date):
            try:
                published = datetime.strptime(text(published), "%d/%m/%Y").date()
            except ValueError:
                problems.append(RowError(number, COLUMNS["published_on"], "ngày phải có dạng ngày/tháng/năm."))
                published = None
        authors = parse_authors(text(cell.get("authors")))
        if text(cell.get("authors")) and not authors:
            problems.append(RowError(number, COLUMNS["authors"], "không đọc được tên tác giả."))
        for key, limit in TEXT_LIMITS.items():  # refused whole: a cut title would be published as the prize's
            length = len(text(cell.get(key)))
            if length > limit:
                problems.append(RowError(number, COLUMNS[key], f"quá dài ({vn_count(length)} ký tự; "
                                                               f"tối đa {vn_count(limit)} ký tự)."))
        if any(len(name) > NAME_CHARS or len(pen or "") > NAME_CHARS for name, pen in authors):
            problems.append(RowError(number, COLUMNS["authors"], f"tên hoặc bút danh của một tác giả quá dài "
                                                                 f"(tối đa {NAME_CHARS} ký tự mỗi người)."))
        errors += problems
        if not problems:
            rows.append(Row(number=number, level=level, thematic=thematic, title=text(cell["title"]),
                            media_type=media, genre=text(cell.get("genre")), authors=authors,
                            outlet=text(cell["outlet"]), unit_id=unit_id, published_on=published or None))
    if errors:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed([RowError.whole_file("không có dòng kết quả nào.")])
    return rows


def system_user(session: Session) -> User:
    """The account imports are recorded under: it cannot log in."""
    user = session.exec(select(User).where(User.email == SYSTEM_EMAIL)).first()
    if user is None:
        user = users.create_user(session, email=SYSTEM_EMAIL, password=None,  # no password: it never logs in
                                 full_name="Hệ thống (nhập dữ liệu)", role=Role.secretariat)
        user.is_active = False
        session.add(user)
        session.flush()
    return user


def import_results(session: Session, *, round_: Round, path: Path | IO[bytes], now: datetime,
                   name: str | None = None) -> ResultList:
    """Check every row, then create the works and publish the round's list; nothing on any error."""
    if session.get(ResultList, round_.id) is not None:
        raise ImportFailed([RowError.whole_file(f"{upfirst(round_.label)} đã có danh sách giải.", about="Đợt giải")])
    rows = read_rows(path, list(session.exec(select(Unit)).all()))
    actor = system_user(session)
    result = ResultList(round_id=round_.id, status=ResultStatus.approved, source="import", proposed_by=actor.id,
                        proposed_at=now, decided_by=actor.id, decided_at=now)
    session.add(result)
    session.flush()
    for position, row in enumerate(rows):
        entry = Entry(round_id=round_.id, unit_id=row.unit_id, owner_id=actor.id, title=row.title,
                      title_folded=fold(row.title)[:500],
                      media_type=row.media_type, genre=row.genre, status=EntryStatus.awarded, created_at=now,
                      updated_at=now)
        session.add(entry)
        session.flush()
        for i, (name, pen) in enumerate(row.authors):
            session.add(EntryAuthor(entry_id=entry.id, position=i, full_name=name, pen_name=(pen or None),
                                    name_key=fold(name)[:200], pen_name_key=fold(pen)[:200]))
        session.add(EntryPart(entry_id=entry.id, position=0, outlet=row.outlet, outlet_key=fold(row.outlet)[:200],
                              published_on=row.published_on or date(round_.year, 1, 1)))
        session.add(ResultItem(round_id=round_.id, entry_id=entry.id, level=row.level, thematic=row.thematic,
                               position=position))
    session.flush()
    audit.record(session, actor_id=actor.id, action="results.imported", object_type="round", object_id=round_.id,
                 now=now, data={"file": name or getattr(path, "name", ""), "rows": len(rows)})
    return publication.publish(session, round_=round_, actor=actor, now=now, source="import")
