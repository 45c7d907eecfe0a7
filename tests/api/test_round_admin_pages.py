"""The secretariat's round console in the browser's terms: create a round (flash, then its settings page),
save each settings section or see every field's error, quotas edited in place and by spreadsheet."""

import io
import re

from openpyxl import Workbook, load_workbook
from sqlmodel import select

from award.calendar import CALENDAR_FIELDS
from award.models import Role, Round, Unit
from judging.models import LocalContest
from tests.factories import csrf_from, make_user, round_by_number, web_login


def _login(client, session):
    web_login(client, make_user(session, role=Role.secretariat))


def _post(client, url: str, page_url: str, data: dict, files=None):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={**data, "csrf_token": token}, files=files, follow_redirects=False)


CALENDAR = {"calendar.submission_opens": "2026-02-03", "calendar.local_deadline": "2026-10-10",
            "calendar.central_deadline": "2026-11-10", "calendar.preliminary_ends": "2026-12-05",
            "calendar.final_ends": "2027-01-20", "calendar.ceremony_on": "2027-02-03"}


def _unit(session, code):
    return session.exec(select(Unit).where(Unit.code == code)).one()


def test_rounds_page_lists_rounds_and_prefills_the_next_one(client, session, clock):
    _login(client, session)
    page = client.get("/admin/rounds")
    assert page.status_code == 200
    assert "Lần thứ IX – năm 2024" in page.text and "Lần thứ X – năm 2025" in page.text and "Tạo đợt giải mới" in page.text
    assert 'value="XI"' in page.text and 'value="2026"' in page.text  # the next number and year
    assert 'value="2026-10-10"' in page.text  # the yearly calendar, prefilled


def test_create_round_redirects_to_its_settings_with_a_message(client, session, clock):
    _login(client, session)
    ix = round_by_number(session, "IX")
    response = _post(client, "/admin/rounds", "/admin/rounds",
                     {"number": "XI", "year": "2026", "name": "", "copy_from": str(ix.id), **CALENDAR})
    assert response.status_code == 303, response.text
    xi = round_by_number(session, "XI")
    assert response.headers["location"].endswith(f"/admin/rounds/{xi.id}")
    page = client.get(response.headers["location"])
    assert "Đã tạo đợt giải lần thứ XI – năm 2026" in page.text
    assert "Mở đợt giải" in page.text and "Đang chuẩn bị" in page.text
    assert xi.draft and xi.rules == ix.rules


def test_create_round_shows_every_error_and_writes_nothing(client, session, clock):
    _login(client, session)
    bad = {**CALENDAR, "calendar.local_deadline": "2026-12-20", "calendar.ceremony_on": ""}
    response = _post(client, "/admin/rounds", "/admin/rounds", {"number": "11", "year": "2026", **bad})
    assert response.status_code == 400
    assert "“11” không phải số La Mã" in response.text
    assert "Hãy nhập một ngày" in response.text or "hãy nhập một ngày" in response.text
    assert 'value="2026-12-20"' in response.text  # what was typed stays
    duplicate = _post(client, "/admin/rounds", "/admin/rounds", {"number": "IX", "year": "2026", **CALENDAR})
    assert duplicate.status_code == 400
    assert "Số thứ tự IX đã có đợt giải lần thứ IX – năm 2024." in duplicate.text
    assert session.exec(select(Round).where(Round.year == 2026)).first() is None


def _settings(client, round_id, section, data):
    return _post(client, f"/admin/rounds/{round_id}/settings/{section}", f"/admin/rounds/{round_id}", data)


def test_a_year_typed_as_9999_or_1900_is_shown_on_its_field_and_saves_nothing(client, session, clock):
    """The case a tester found: ceremony on 03/02/9999 and submissions from 01/01/1900 were saved, on the new-round
    form and on a round's calendar (the kind is enumerated in test_round_admin_api)."""
    _login(client, session)
    absurd = {**CALENDAR, "calendar.ceremony_on": "9999-02-03", "calendar.submission_opens": "1900-01-01"}
    response = _post(client, "/admin/rounds", "/admin/rounds", {"number": "XI", "year": "2026", **absurd})
    assert response.status_code == 400
    assert 'id="e-calendar.ceremony_on"' in response.text and 'id="e-calendar.submission_opens"' in response.text
    assert "“Lễ trao giải” (03/02/9999) phải trong khoảng 01/01/2025 – 31/12/2027 (đợt giải năm 2026)." in response.text
    assert session.exec(select(Round).where(Round.year == 2026)).first() is None
    ix = round_by_number(session, "IX")
    ceremony = ix.ceremony_on
    calendar = {"name": ix.name, "publication_start": str(ix.publication_start), "publication_end": str(ix.publication_end),
                **{f"calendar.{f}": str(getattr(ix, f)) for f in CALENDAR_FIELDS}, "calendar.ceremony_on": "9999-02-03"}
    page = _settings(client, ix.id, "calendar", calendar)
    assert page.status_code == 400
    assert "“Lễ trao giải” (03/02/9999) phải trong khoảng 01/01/2023 – 31/12/2025 (đợt giải năm 2024)." in page.text
    empty = _settings(client, ix.id, "calendar", {**calendar, "calendar.ceremony_on": str(ceremony), "name": ""})
    assert empty.status_code == 400 and "“Tên đợt giải” không được để trống." in empty.text
    session.expire_all()
    assert round_by_number(session, "IX").ceremony_on == ceremony


def test_each_section_saves(client, session, clock):
    _login(client, session)
    ix = round_by_number(session, "IX")
    limits = {"rules.max_parts": "4", "rules.max_authors": "5", "rules.max_authors_local": "7",
              "rules.works_per_author_local": "2", "rules.works_per_author_forwarded": "1",
              "rules.default_quota": "25"}
    response = _settings(client, ix.id, "limits", limits)
    assert response.status_code == 303, response.text
    assert "Đã lưu mục “Điều kiện dự giải và giới hạn”" in client.get(response.headers["location"]).text
    media = {"rules.media_types.print": "on", "rules.media_types.online": "on", "rules.media_types.radio": "on",
             "rules.media_types.tv": "on", "rules.media_types.photo": "on",
             "rules.genres": "\n".join(ix.rules["genres"]), "rules.media_genres.photo": "ảnh đơn, bộ ảnh"}
    assert _settings(client, ix.id, "media", media).status_code == 303
    rubric = {"rules.rubric_total": "100", "rules.rubric.0.code": "noi_dung", "rules.rubric.0.label": "Nội dung",
              "rules.rubric.0.max_points": "60", "rules.rubric.1.code": "hinh_thuc",
              "rules.rubric.1.label": "Hình thức", "rules.rubric.1.max_points": "40",
              "rules.rubric.3.code": "thuong", "rules.rubric.3.label": "Điểm thưởng", "rules.rubric.3.max_points": "5",
              "rules.rubric.3.bonus": "on"}
    assert _settings(client, ix.id, "rubric", rubric).status_code == 303
    prizes = {"rules.prize_counts.special": "1", "rules.prize_counts.A": "6", "rules.prize_counts.B": "13",
              "rules.prize_counts.C": "18", "rules.prize_counts.KK": "35",
              "rules.thematic_prizes.0.name": "Giải chuyên đề về phòng, chống tham nhũng",
              "rules.thematic_prizes.0.themes.1.1": "on"}
    assert _settings(client, ix.id, "prizes", prizes).status_code == 303
    assert _settings(client, ix.id, "council", {"rules.council.quorum": "0,75",
                                                "rules.council.threshold": "0.5"}).status_code == 303
    calendar = {"name": "Lần thứ IX", "publication_start": "2023-11-01", "publication_end": "2024-10-31",
                **{k: v.replace("2026", "2024").replace("2027", "2025") for k, v in CALENDAR.items()},
                "calendar.local_deadline": "2024-10-15"}
    assert _settings(client, ix.id, "calendar", calendar).status_code == 303
    session.expire_all()
    ix = round_by_number(session, "IX")
    assert ix.rules["max_parts"] == 4 and ix.rules["default_quota"] == 25
    assert ix.rules["media_genres"] == {"photo": ["ảnh đơn", "bộ ảnh"]}
    assert [(c["code"], c["bonus"]) for c in ix.rules["rubric"]] == [
        ("noi_dung", False), ("hinh_thuc", False), ("thuong", True)]
    assert ix.rules["prize_counts"]["KK"] == 35
    assert ix.rules["thematic_prizes"] == [{"name": "Giải chuyên đề về phòng, chống tham nhũng", "themes": ["1.1"]}]
    assert ix.rules["council"]["quorum"] == "0.75"
    assert str(ix.local_deadline) == "2024-10-15" and ix.name == "Lần thứ IX"


def test_sections_show_every_fields_error_and_save_nothing(client, session, clock):
    _login(client, session)
    ix = round_by_number(session, "IX")
    before = dict(ix.rules)
    rubric = {"rules.rubric_total": "100", "rules.rubric.0.code": "content", "rules.rubric.0.label": "Nội dung",
              "rules.rubric.0.max_points": "abc", "rules.rubric.2.code": "Sai Ma", "rules.rubric.2.label": "Hình thức",
              "rules.rubric.2.max_points": "40"}
    response = _settings(client, ix.id, "rubric", rubric)
    assert response.status_code == 400
    assert 'id="e-rules.rubric.0.max_points"' in response.text
    assert "Tiêu chí 1 – Điểm tối đa: phải là một số." in response.text
    assert 'id="e-rules.rubric.2.code"' in response.text  # the error sits on the row it came from
    assert "Tiêu chí 3 – Mã: chỉ gồm chữ thường" in response.text  # and names that row
    assert 'value="abc"' in response.text
    panels = {"rules.panels.0.code": "print1", "rules.panels.0.name": "Báo in 1",
              "rules.panels.0.media_types.print": "on", "rules.panels.1.code": "print1", "rules.panels.1.name": "Trùng",
              "rules.panels.1.media_types.online": "on"}
    response = _settings(client, ix.id, "panels", panels)
    assert response.status_code == 400
    assert "Tiểu ban 2 – Mã: “print1” trùng với mã của một tiểu ban khác." in response.text
    total = {**rubric, "rules.rubric.0.max_points": "30", "rules.rubric.2.code": "form"}
    response = _settings(client, ix.id, "rubric", total)
    assert response.status_code == 400
    assert "phải bằng tổng điểm 100" in response.text
    dates = {"name": "", "publication_start": "2023-11-01", "publication_end": "2024-10-31",
             **{k: v.replace("2026", "2024").replace("2027", "2025") for k, v in CALENDAR.items()},
             "calendar.central_deadline": "2024-09-01"}
    response = _settings(client, ix.id, "calendar", dates)
    assert response.status_code == 400
    assert "“Tên đợt giải” không được để trống." in response.text
    assert "không được trước" in response.text
    session.expire_all()
    assert round_by_number(session, "IX").rules == before


def test_open_round_takes_it_out_of_preparation(client, session, clock):
    _login(client, session)
    ix = round_by_number(session, "IX")
    ix.draft = True
    session.add(ix)
    session.commit()
    page = client.get(f"/admin/rounds/{ix.id}")
    assert 'data-confirm="Mở đợt giải lần thứ IX – năm 2024?' in page.text
    response = _post(client, f"/admin/rounds/{ix.id}/open", f"/admin/rounds/{ix.id}", {})
    assert response.status_code == 303
    assert "Đã mở đợt giải: đợt giải đang ở giai đoạn “Đang nhận tác phẩm”." in client.get(
        response.headers["location"]).text
    session.expire_all()
    assert round_by_number(session, "IX").draft is False


def _sheet(rows, headings=("Mã đơn vị", "Tên đơn vị", "Chỉ tiêu")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_quotas_edited_in_place_all_or_nothing(client, session, clock):
    _login(client, session)
    ix = round_by_number(session, "IX")
    ha_tinh, ha_noi = _unit(session, "ha-tinh"), _unit(session, "ha-noi")
    session.add(LocalContest(round_id=ix.id, unit_id=ha_tinh.id, quota=30, forwarded=6))
    session.commit()
    url = f"/admin/rounds/{ix.id}/quotas"
    page = client.get(url)
    assert 'class="table-wrap"' in page.text and "Hà Tĩnh" in page.text
    response = _post(client, url, url, {f"quota-{ha_noi.id}": "65", f"quota-{ha_tinh.id}": "4"})
    assert response.status_code == 400
    assert "“Hà Tĩnh” đã gửi 6 tác phẩm" in response.text
    assert 'id="e-quota-' + str(ha_tinh.id) + '"' in response.text
    assert session.exec(select(LocalContest).where(LocalContest.unit_id == ha_noi.id)).first() is None
    response = _post(client, url, url, {f"quota-{ha_noi.id}": "65", f"quota-{ha_tinh.id}": "12"})
    assert response.status_code == 303
    assert "Đã lưu chỉ tiêu (2 đơn vị thay đổi)." in client.get(url).text
    quotas = dict(session.exec(select(LocalContest.unit_id, LocalContest.quota)
                               .where(LocalContest.round_id == ix.id)).all())
    assert quotas == {ha_tinh.id: 12, ha_noi.id: 65}


def test_quota_spreadsheet_with_bad_rows_lists_them_all_and_imports_nothing(client, session, clock):
    _login(client, session)
    ix = round_by_number(session, "IX")
    url = f"/admin/rounds/{ix.id}/quotas"
    data = _sheet([("ha-noi", "Hà Nội", 70), ("khong-co", "Không có", 5), ("nghe-an", "Nghệ An", "ba mươi"),
                   ("ha-tinh", "Hà Tĩnh", -1)])
    response = _post(client, f"{url}/import", url, {}, files={"file": ("chỉ tiêu.xlsx", data, XLSX)})
    assert response.status_code == 400
    assert "Dòng 3, cột “Mã đơn vị”: không có đơn vị mã “khong-co”" in response.text
    assert "Dòng 4, cột “Chỉ tiêu”: “ba mươi” không phải số nguyên" in response.text
    assert "Dòng 5, cột “Chỉ tiêu”: “-1”" in response.text
    assert session.exec(select(LocalContest).where(LocalContest.round_id == ix.id)).all() == []


def test_quota_export_then_import_roundtrip(client, session, clock):
    _login(client, session)
    ix = round_by_number(session, "IX")
    url = f"/admin/rounds/{ix.id}/quotas"
    exported = client.get(f"{url}.xlsx")
    assert exported.status_code == 200 and exported.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(exported.content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["Mã đơn vị", "Tên đơn vị", "Chỉ tiêu", "Đã gửi", "Đã nộp"]
    codes = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    assert "ha-tinh" in codes
    sheet.cell(row=codes.index("ha-tinh") + 2, column=3).value = 44
    out = io.BytesIO()
    book.save(out)
    response = _post(client, f"{url}/import", url, {}, files={"file": ("chi-tieu.xlsx", out.getvalue(), XLSX)})
    assert response.status_code == 303, response.text
    assert "Đã nhập chỉ tiêu từ tệp (" in client.get(url).text
    ha_tinh = _unit(session, "ha-tinh")
    contest = session.exec(select(LocalContest).where(LocalContest.round_id == ix.id,
                                                      LocalContest.unit_id == ha_tinh.id)).one()
    assert contest.quota == 44
    again = load_workbook(io.BytesIO(client.get(f"{url}.xlsx").content)).active
    assert [r for r in again.iter_rows(values_only=True) if r[0] == "ha-tinh"][0][2] == 44


def test_dashboard_links_to_the_rounds_console(client, session, clock):
    _login(client, session)
    assert 'href="http://testserver/admin/rounds"' in client.get("/dashboard").text


def test_every_secretariat_page_names_a_round_as_its_documents_do(client, session, clock):
    """One name for a round on pages, flashes and documents: "lần thứ IX – năm 2024" (Round.label), never the
    older "lần thứ IX (2024)" some headings used while the spreadsheets said the long form."""
    _login(client, session)
    ix = round_by_number(session, "IX")
    pages = ["/", "/dashboard", "/admin/rounds", "/admin/units", f"/admin/rounds/{ix.id}",
             f"/admin/rounds/{ix.id}/outline", f"/admin/rounds/{ix.id}/quotas", f"/admin/rounds/{ix.id}/entries",
             f"/central/{ix.id}", f"/central/{ix.id}/council", f"/rounds/{ix.id}/coverage", f"/rounds/{ix.id}"]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "ần thứ IX – năm 2024" in page.text, url
        # never "(2024)", "– 2024" or "· năm 2024"
        assert not re.search(r"ần thứ [IVX]+ (\(\d{4}|– \d{4}|· năm)", page.text), url
        # and in the tab's title, headings and crumbs, never the number alone (the outline's text may cite a
        # congress "lần thứ XIII")
        for part in re.findall(r"<title>.*?</title>|<h1.*?</h1>|<h2.*?</h2>|<nav class=\"crumbs\".*?</nav>", page.text, re.S):
            assert not re.search(r"ần thứ [IVX]+\b(?! – năm \d{4})", part, re.I), (url, part)


def test_the_genres_of_each_media_type_read_on_one_line_and_save_back_unchanged(client, session, clock):
    """Each media type's genres (award.rules.DEFAULT_MEDIA_GENRES at first) fill its own box, comma-separated, so
    the ten of "Báo điện tử" read in three lines; the page's own values sent back change nothing."""
    from award.rules import DEFAULT_MEDIA_GENRES

    _login(client, session)
    ix = round_by_number(session, "IX")
    page = client.get(f"/admin/rounds/{ix.id}").text
    boxes = {m: re.search(rf'<textarea id="f-rules.media_genres.{m}"[^>]*rows="3"[^>]*>([^<]*)</textarea>', page)
             for m in DEFAULT_MEDIA_GENRES}
    assert {m: box and box.group(1) for m, box in boxes.items()} == {
        m: ", ".join(genres) for m, genres in DEFAULT_MEDIA_GENRES.items()}
    media = {**{f"rules.media_types.{m}": "on" for m in ix.rules["media_types"]},
             "rules.genres": "\n".join(ix.rules["genres"]),
             **{f"rules.media_genres.{m}": box.group(1) for m, box in boxes.items()}}
    assert _settings(client, ix.id, "media", media).status_code == 303
    session.expire_all()
    assert round_by_number(session, "IX").rules["media_genres"] == DEFAULT_MEDIA_GENRES
