"""Historical results from a spreadsheet: every row checked first, all or nothing, then published."""

from datetime import datetime, timezone

import pytest
from openpyxl import Workbook
from sqlmodel import select

from award.models import Entry, EntryAuthor, EntryStatus
from judging import publication
from judging.models import ResultItem, ResultList, ResultStatus
from judging.results_import import ImportFailed, import_results, parse_authors
from tests.factories import round_by_number

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)
HEADINGS = ["Mức giải", "Giải chuyên đề", "Tên tác phẩm", "Loại hình", "Thể loại", "Tác giả", "Cơ quan báo chí",
            "Đơn vị", "Ngày đăng"]


def workbook(path, rows, headings=HEADINGS):
    book = Workbook()
    book.active.append(headings)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


GOOD = [
    ["A", "", "Đảng bộ vùng cao và những mùa xuân", "Truyền hình", "phim tài liệu",
     "Nguyễn Văn An (An Nhiên); Trần Thị Bình", "Đài Truyền hình Việt Nam", "Hà Tĩnh", ""],
    ["Khuyến khích", "Giải chuyên đề 1", "Giữ vững nền tảng tư tưởng", "Báo in", "bình luận", "Lê Văn Cường",
     "Báo Nhân Dân", "ha-tinh", "12/05/2019"],
    ["", "Giải chuyên đề 2", "Người bí thư chi bộ bản Mông", "Ảnh", "bộ ảnh", "Phạm Thu (Thu Phạm)", "Báo Ảnh Việt Nam",
     "ha-tinh", ""],
]


def test_authors_with_pen_names_are_split():
    assert parse_authors("Nguyễn Văn An (An Nhiên); Trần Thị Bình ;") == [("Nguyễn Văn An", "An Nhiên"),
                                                                         ("Trần Thị Bình", None)]


def test_a_good_file_is_imported_and_published_with_checksums(session, tmp_path):
    round_ = round_by_number(session, "IV")
    path = workbook(tmp_path / "ket-qua-IV.xlsx", GOOD)
    result = import_results(session, round_=round_, path=path, now=NOW)
    assert (result.status, result.source, len(result.checksum)) == (ResultStatus.published, "import", 64)
    prizes = publication.prizes(session, round_id=round_.id)
    assert [(p.title, p.level, p.thematic, p.media_type) for p in prizes] == [
        ("Đảng bộ vùng cao và những mùa xuân", "A", None, "tv"),
        ("Giữ vững nền tảng tư tưởng", "KK", "Giải chuyên đề 1", "print"),
        ("Người bí thư chi bộ bản Mông", None, "Giải chuyên đề 2", "photo"),
    ]
    assert prizes[0].authors == [{"full_name": "Nguyễn Văn An", "pen_name": "An Nhiên"},
                                 {"full_name": "Trần Thị Bình", "pen_name": None}]
    assert prizes[0].unit.endswith("Hà Tĩnh") and prizes[1].parts[0].published_on.isoformat() == "2019-05-12"
    assert publication.is_public(result, NOW)
    session.commit()  # as `award results import` does; the checksums' audit event is written on commit
    assert publication.verify(session, round_id=round_.id).ok
    statuses = set(session.exec(select(Entry.status).where(Entry.round_id == round_.id)).all())
    assert statuses == {EntryStatus.awarded}
    with pytest.raises(ImportFailed) as again:  # a round holds one list
        import_results(session, round_=round_, path=path, now=NOW)
    assert "đã có danh sách giải" in str(again.value)


def test_bad_rows_are_each_reported_and_nothing_is_imported(session, tmp_path):
    round_ = round_by_number(session, "VII")
    rows = GOOD + [
        ["Giải Nhất", "", "Tác phẩm mức giải lạ", "Báo in", "", "Ai Đó", "Báo X", "ha-tinh", ""],
        ["B", "", "Tác phẩm đơn vị lạ", "Podcast", "", "Ai Đó", "Báo X", "tinh-khong-co", "31/02/2022"],
        ["C", "", "", "Báo in", "", "", "Báo X", "ha-tinh", ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        import_results(session, round_=round_, path=workbook(tmp_path / "vii.xlsx", rows), now=NOW)
    report = [str(e) for e in failed.value.errors]
    assert report == [
        "Dòng 5, cột “Mức giải”: “Giải Nhất” không phải mức giải (Đặc biệt, A, B, C, Khuyến khích).",
        "Dòng 6, cột “Loại hình”: “Podcast” không phải loại hình báo chí.",
        "Dòng 6, cột “Đơn vị”: không có đơn vị “tinh-khong-co”.",
        "Dòng 6, cột “Ngày đăng”: ngày phải có dạng ngày/tháng/năm.",
        "Dòng 7, cột “Tên tác phẩm”: không được để trống.",
        "Dòng 7, cột “Tác giả”: không được để trống.",
    ]
    assert session.get(ResultList, round_.id) is None
    assert session.exec(select(ResultItem).where(ResultItem.round_id == round_.id)).all() == []
    assert session.exec(select(Entry).where(Entry.round_id == round_.id)).all() == []


def test_a_missing_heading_and_a_file_that_is_not_excel_are_refused(session, tmp_path):
    round_ = round_by_number(session, "VIII")
    with pytest.raises(ImportFailed) as missing:
        import_results(session, round_=round_, path=workbook(tmp_path / "a.xlsx", [], headings=HEADINGS[:3]), now=NOW)
    assert "Dòng 1, cột “Loại hình”: thiếu cột này ở dòng tiêu đề." in str(missing.value)
    fake = tmp_path / "b.xlsx"
    fake.write_text("không phải Excel")
    with pytest.raises(ImportFailed) as broken:
        import_results(session, round_=round_, path=fake, now=NOW)
    assert "không đọc được tệp Excel" in str(broken.value)
    assert session.exec(select(EntryAuthor)).all() == []


def test_the_system_account_of_imports_has_no_password_at_all(session):
    """It once got a random password, which the password policy refused about once in 1,500 draws (no digit)."""
    from award import users
    from judging.results_import import system_user

    account = system_user(session)
    assert not users.has_password(account) and account.is_active is False
    assert system_user(session).id == account.id
