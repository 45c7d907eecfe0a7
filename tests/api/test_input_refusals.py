"""Bad input, by kind: a refusal names its field in the field's own words, nothing is cut or half-written.

- every field of every round settings section, sent out of range, is refused with a message that starts
  with the field's label (award.errors.named, award.rules.rule_label), under the field and in the summary;
- every text field of the entry form, sent over its length, is refused naming the field and its limit;
- the API's 422 keeps each error's location and names the field in its message;
- text over its column is refused, never silently cut (a judge's comment, the list's notes, an import);
- a 0-byte file is "Tệp rỗng" on every upload path; a whole-file import error names no row;
- a form over the body cap: a page with the signed-in header, the limit in plain words and "Quay lại";
- a new round's year is its own and in the order of the round numbers.
"""

import html
import io
import re
from html.parser import HTMLParser

import pytest
from sqlmodel import select

from award.entries import TEXT_LIMITS, entry_label
from award.models import Entry, Role, Round
from award.rules import rule_label
from tests.api.test_entry_pages import form_data
from tests.factories import api_login, csrf_from, make_user, round_by_number, web_login

BAD_VALUES = ("-5", "abc", "99999999999999999999", "x" * 5000)


class _Forms(HTMLParser):
    """The settings page's section forms: {section: {"fields": {name: value}, "inputs": [(name, type)],
    "labels": {name: label text}}}."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self.current: dict | None = None
        self.label_for: str | None = None
        self.labels: dict[str, str] = {}
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "/settings/" in (a.get("action") or ""):
            self.current = {"fields": {}, "inputs": []}
            self.forms[a["action"].rsplit("/", 1)[1]] = self.current
        elif tag == "label" and a.get("for"):
            self.label_for, self.labels[a["for"]] = a["for"], ""
        elif self.current is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.current["fields"][a["name"]] = "on"
            else:
                self.current["fields"][a["name"]] = a.get("value") or ""
                if kind in ("text", "number", "date"):
                    self.current["inputs"].append((a["name"], kind))
        elif self.current is not None and tag == "textarea":
            self.textarea = a["name"]
            self.current["fields"][a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "label":
            self.label_for = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.label_for:
            self.labels[self.label_for] += data
        if self.textarea and self.current is not None:
            self.current["fields"][self.textarea] += data


def _errors(page: str) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in re.findall(r'<p class="error-text" id="e-([^"]+)">([^<]*)</p>', page)}


def _summary(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<li><a href="#f-[^"]+">([^<]*)</a></li>', page)]


@pytest.fixture
def secretariat(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    return client


def test_every_settings_field_out_of_range_is_refused_naming_the_field(secretariat, session, clock):
    """Each text, number and date field of each section, one at a time, with -5, abc, 10^20 and 5,000 letters:
    a refusal under the field starts with the field's label (its row's, for a list), the summary says the
    same, the rules are unchanged. Every number field refuses at least one of them."""
    ix = round_by_number(session, "IX")
    page = secretariat.get(f"/admin/rounds/{ix.id}")
    parser = _Forms()
    parser.feed(page.text)
    assert set(parser.forms) >= {"calendar", "limits", "rubric", "panels", "prizes", "council", "stages", "documents"}
    checked, refused_numbers, refused_huge = 0, set(), set()
    for section, form in parser.forms.items():
        for name, kind in form["inputs"]:
            if name == "csrf_token":
                continue
            for bad in BAD_VALUES:
                session.expire_all()
                before = round_by_number(session, "IX").rules
                data = {**form["fields"], name: bad, "csrf_token": csrf_from(page.text)}
                response = secretariat.post(f"/admin/rounds/{ix.id}/settings/{section}", data=data,
                                            follow_redirects=False)
                assert response.status_code in (303, 400), (section, name, bad, response.status_code)
                if response.status_code == 303:
                    continue
                session.expire_all()
                assert round_by_number(session, "IX").rules == before, (name, bad)  # nothing half-saved
                message = _errors(response.text).get(name)
                if message is None:
                    continue  # refused for another field (a blank row given a value): not this field's check
                checked += 1
                shown = parser.labels[f"f-{name}"].replace("*", "").strip()  # without the "required" mark
                expected = rule_label(name) if name.startswith("rules.") else shown
                assert message.startswith(expected + ":"), (name, bad, message)
                assert shown.startswith(expected.split(" – ")[-1].split(" (")[0]), (name, shown, expected)
                assert message in _summary(response.text), (name, message)
                if kind == "number":
                    refused_numbers.add(name)
                    if bad == "99999999999999999999":
                        refused_huge.add(name)
    numbers = {n for f in parser.forms.values() for n, k in f["inputs"] if k == "number"}
    assert numbers and refused_numbers == numbers, numbers - refused_numbers
    # and every one has an upper bound: 10^20 works per author or prizes is a typo, never a setting
    assert refused_huge == numbers, numbers - refused_huge
    assert checked > 60, checked


def test_the_testers_case_names_the_limit_field(secretariat, session, clock):
    ix = round_by_number(session, "IX")
    page = secretariat.get(f"/admin/rounds/{ix.id}")
    data = {"csrf_token": csrf_from(page.text), "rules.max_parts": "5", "rules.max_authors": "5",
            "rules.max_authors_local": "99999999999999999999", "rules.works_per_author_local": "-5",
            "rules.works_per_author_forwarded": "abc", "rules.default_quota": "30"}
    response = secretariat.post(f"/admin/rounds/{ix.id}/settings/limits", data=data)
    assert response.status_code == 400
    assert _summary(response.text) == [
        "Số tác giả tối đa (ở đơn vị): phải nhỏ hơn hoặc bằng 50.",
        "Số tác phẩm mỗi tác giả được dự ở đơn vị: phải lớn hơn hoặc bằng 1.",
        "Số tác phẩm mỗi tác giả được gửi về Trung ương: phải là một số nguyên."]


def _entry_fields():
    """(form field, domain field, limit) for every text field of the entry form with a length limit."""
    for name in ("title", "summary", "hardship_note", "transcript"):
        yield name, name, TEXT_LIMITS[name]
    for group, fields in (("authors", ("full_name", "pen_name", "email", "outlet")),
                          ("parts", ("title", "outlet", "url", "broadcast_slot")),
                          ("prior_awards", ("name", "level"))):
        for f in fields:
            yield f"{group}-0-{f}", f"{group}.0.{f}", TEXT_LIMITS[f]


@pytest.mark.parametrize("form_field,domain_field,limit", list(_entry_fields()))
def test_every_entry_text_over_its_limit_is_refused_naming_the_field(client, session, clock, form_field,
                                                                     domain_field, limit):
    """The tester's case is `title` (16,000 characters with the browser's maxlength removed)."""
    user = make_user(session, full_name="Trần Văn Bút", outlet="Báo Hà Tĩnh")
    web_login(client, user)
    token = csrf_from(client.get("/entries/new").text)
    over = {form_field: "a" * (limit + 1)}
    if form_field.startswith("prior_awards"):
        over.update({"prior_awards-0-name": "Giải báo chí tỉnh", "prior_awards-0-level": "A"} | over)
    if form_field == "hardship_note":
        over["hardship"] = "on"
    response = client.post("/entries/new", data=form_data(session, token, **over), follow_redirects=False)
    assert response.status_code in (400, 422), response.status_code
    message = _errors(response.text)[form_field]
    label = entry_label(domain_field)
    count = lambda n: f"{n:,}".replace(",", ".")  # noqa: E731 - Vietnamese thousands
    assert message == f"{label}: quá dài ({count(limit + 1)} ký tự; tối đa {count(limit)} ký tự).", message
    assert not label.startswith("“")  # a label the person can read, not a path
    assert session.exec(select(Entry).where(Entry.owner_id == user.id)).first() is None


def test_the_api_names_the_field_and_keeps_its_location(client, session, clock):
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    ix = round_by_number(session, "IX")
    refused = client.patch(f"/api/v1/rounds/{ix.id}", headers=secretariat,
                           json={"rules": {"max_parts": -5, "stages": {"final": {"judges_per_entry": "abc"}}}})
    assert refused.status_code == 422, refused.text
    by_loc = {tuple(e["loc"]): e["msg"] for e in refused.json()["detail"]}
    assert by_loc[("body", "rules", "max_parts")] == "Số kỳ tối đa của một loạt bài: phải lớn hơn hoặc bằng 1."
    assert by_loc[("body", "rules", "stages", "final", "judges_per_entry")] == \
        "Chung khảo – Số giám khảo chấm mỗi tác phẩm: phải là một số nguyên."
    journalist = api_login(client, make_user(session, email="nb@bht.vn"))
    from tests.factories import entry_payload

    long_title = client.post("/api/v1/entries", headers=journalist, json=entry_payload(session, title="t" * 16000))
    assert long_title.status_code == 422
    errors = long_title.json()["detail"]
    assert [e["loc"] for e in errors] == [["body", "title"]]
    # the request's schema refuses it first: named as the entry form names the field, not by its path
    assert errors[0]["msg"] == "Tên tác phẩm: chỉ được tối đa 500 ký tự."
    bad_row = entry_payload(session)
    bad_row["parts"][0]["url"] = "u" * 3000
    row = client.post("/api/v1/entries", headers=journalist, json=bad_row).json()["detail"]
    assert [e["msg"].split(":")[0] for e in row] == ["Kỳ 1 – Đường dẫn"], row
    # a refusal of the request's own shape (before the domain): the field named too, by its label or path
    bad_query = client.get("/api/v1/entries?page=-1", headers=journalist)
    assert bad_query.status_code == 422
    detail = bad_query.json()["detail"][0]
    assert detail["loc"] == ["query", "page"] and detail["msg"] == "Số trang: phải lớn hơn hoặc bằng 1."


# --- never a silent cut -----------------------------------------------------------------------------------

def test_no_user_text_is_cut_to_fit_in_the_source():
    """The kind: text a person typed, stripped then sliced to a column's width (`(note or "").strip()[:2000]`),
    which saved part of it and said "Đã lưu". Each such place now refuses whole text (award.errors.fitting)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    cut = re.compile(r"\.strip\(\)\)?\[:[0-9A-Z_]+\]")
    found = [f"{path.relative_to(root)}:{n}" for folder in ("award", "judging", "api")
             for path in sorted((root / folder).rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if cut.search(line) and "recipient=" not in line]  # the outbox's address: ours, not typed
    assert found == []


def _judge_sheet(client, session):
    """A local judge of Hà Tĩnh with one open score sheet, signed in."""
    from judging.models import Assignment, AssignmentPlan
    from tests.api.test_contests_api import submitted_entries

    round_ = round_by_number(session, "IX")
    submitted_entries(client, session, 1)
    judge = make_user(session, role=Role.local_judge, unit_code="ha-tinh", full_name="Giám Khảo Một")
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    token = csrf_from(client.get("/unit/judging").text)
    client.post("/unit/judging/judges", data={"csrf_token": token, "round_id": str(round_.id), "user_id": str(judge.id)})
    client.post("/unit/judging/propose", data={"csrf_token": token, "round_id": str(round_.id), "judges_per_entry": "1"})
    plan = session.exec(select(AssignmentPlan)).one()
    client.post("/unit/judging/apply", data={"csrf_token": token, "plan_id": plan.id})
    client.cookies.clear()
    web_login(client, judge)
    return session.exec(select(Assignment).where(Assignment.judge_id == judge.id)).one()


def test_a_judges_comment_over_its_limit_is_refused_not_cut(client, session, clock):
    """The tester's case: 90,000 characters of comment, "Đã lưu nháp phiếu chấm." and 85,000 of them gone."""
    sheet = _judge_sheet(client, session)
    token = csrf_from(client.get(f"/judging/{sheet.id}").text)
    response = client.post(f"/judging/{sheet.id}", data={"csrf_token": token, "score-content": "28",
                                                         "comment": "n" * 90_000, "action": "save"})
    assert response.status_code == 422
    assert _errors(response.text)["comment"] == "Nhận xét: quá dài (90.000 ký tự; tối đa 5.000 ký tự)."
    assert "Đã lưu nháp" not in response.text and "n" * 90_000 in response.text  # what was typed, kept on the page
    session.refresh(sheet)
    assert sheet.comment == "" and sheet.scores == {}  # nothing of the refused sheet saved
    ok = client.post(f"/judging/{sheet.id}", data={"csrf_token": token, "comment": "n" * 5000, "action": "save"},
                     follow_redirects=False)
    assert ok.status_code == 303
    session.refresh(sheet)
    assert len(sheet.comment) == 5000


def test_an_imported_result_too_long_for_its_column_is_a_row_error(session, tmp_path):
    from openpyxl import Workbook

    from judging.results_import import COLUMNS, ImportFailed, import_results

    book = Workbook()
    book.active.append(list(COLUMNS.values()))
    book.active.append(["A", "", "T" * 600, "Báo in", "phóng sự", "Ai Đó", "B" * 250, "ha-tinh", ""])
    path = tmp_path / "ket-qua.xlsx"
    book.save(path)
    with pytest.raises(ImportFailed) as failed:
        import_results(session, round_=round_by_number(session, "VII"), path=path, now=None)
    assert [str(e) for e in failed.value.errors] == [
        "Dòng 2, cột “Tên tác phẩm”: quá dài (600 ký tự; tối đa 500 ký tự).",
        "Dòng 2, cột “Cơ quan báo chí”: quá dài (250 ký tự; tối đa 200 ký tự)."]


# --- files: empty, and errors about the whole file ------------------------------------------------------------

def test_an_empty_file_is_empty_on_every_upload_path(client, session, clock):
    """The outline page (said "không có lớp chữ"), the outline API, the quota and judges imports."""
    web_login(client, make_user(session, role=Role.secretariat))
    ix = round_by_number(session, "IX")
    token = csrf_from(client.get(f"/admin/rounds/{ix.id}/outline").text)
    empty = ("rong.pdf", b"", "application/pdf")
    outline = client.post(f"/admin/rounds/{ix.id}/outline/preview", data={"csrf_token": token}, files={"file": empty})
    assert outline.status_code == 400 and "Tệp “rong.pdf”: tệp rỗng (0 byte)" in html.unescape(outline.text)
    assert "lớp chữ" not in outline.text
    quotas = client.post(f"/admin/rounds/{ix.id}/quotas/import", data={"csrf_token": token},
                         files={"file": ("rong.xlsx", b"", "application/octet-stream")})
    assert quotas.status_code == 400 and _summary(quotas.text) == [
        "Tệp chỉ tiêu: tệp rỗng (0 byte), không có nội dung để tải lên."]
    judges = client.post("/admin/users/import", data={"csrf_token": token},
                         files={"file": ("rong.xlsx", b"", "application/octet-stream")}, follow_redirects=True)
    assert "Tệp danh sách giám khảo: tệp rỗng (0 byte)" in html.unescape(judges.text)
    headers = api_login(client, make_user(session, role=Role.secretariat, email="tk2@bualiemvang.vn"))
    api = client.post("/api/v1/outlines/parse", headers=headers, files={"file": empty})
    assert api.status_code == 422 and api.json()["detail"][0]["type"] == "empty_file"


def test_a_whole_file_error_names_the_file_not_a_row(client, session, clock):
    """The tester's case: "Dòng 0, cột “tệp”: không đọc được tệp Excel (.xlsx)." for a file that is not one."""
    web_login(client, make_user(session, role=Role.secretariat))
    ix = round_by_number(session, "IX")
    token = csrf_from(client.get(f"/admin/rounds/{ix.id}/quotas").text)
    response = client.post(f"/admin/rounds/{ix.id}/quotas/import", data={"csrf_token": token},
                           files={"file": ("chi-tieu.xlsx", io.BytesIO(b"not a workbook"), "application/octet-stream")})
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert "Tệp: không đọc được tệp Excel (.xlsx)" in text
    assert "Dòng 0" not in text and "cột “tệp”" not in text


# --- a form over the body cap ----------------------------------------------------------------------------------

def test_a_form_over_the_body_cap_shows_the_signed_in_page_with_the_limit_and_a_way_back(client, session, clock):
    user = make_user(session, full_name="Trần Văn Bút", outlet="Báo Hà Tĩnh")
    web_login(client, user)
    token = csrf_from(client.get("/entries/new").text)
    response = client.post("/entries/new", data=form_data(session, token, summary="a" * (2 * 1024 * 1024 + 10)),
                           headers={"referer": "http://testserver/entries/new"})
    assert response.status_code == 413
    page = html.unescape(response.text)
    assert "Đăng xuất" in page and "Trần Văn Bút" in page and "Đăng ký dự thi" not in page  # signed in
    assert "mọi ô của biểu mẫu cộng lại được tối đa 2 MB" in page and "chưa được lưu" in page
    assert "<h1>Dữ liệu gửi lên quá lớn</h1>" in page  # not the generic "Có lỗi xảy ra"
    assert re.search(r'<a class="button" href="/entries/new" data-history-back>Quay lại</a>', page)
    assert session.exec(select(Entry).where(Entry.owner_id == user.id)).first() is None
    # an address no route has: the signed-in header too
    assert "Đăng xuất" in client.get("/khong-co-trang-nay").text
    # the API keeps its 413 body
    headers = api_login(client, user)
    api = client.post("/api/v1/entries", headers=headers, content=b"{" + b" " * (2 * 1024 * 1024 + 10) + b"}",
                      params=None, )
    assert api.status_code == 413
    assert api.json() == {"detail": {"code": "too_large",
                                     "message": "Dữ liệu gửi lên quá lớn: tối đa 2 MB cho thao tác này."}}


def test_a_413_with_no_session_is_the_visitors_page(client, session, clock):
    response = client.post("/login", data={"email": "a" * (2 * 1024 * 1024 + 10)})
    assert response.status_code == 413 and "Đăng nhập" in response.text


# --- a new round's year -----------------------------------------------------------------------------------------

CALENDAR = {"submission_opens": "2026-02-03", "local_deadline": "2026-10-10", "central_deadline": "2026-11-10",
            "preliminary_ends": "2026-12-05", "final_ends": "2027-01-20", "ceremony_on": "2027-02-03"}


@pytest.mark.parametrize("number,year,said", [
    ("XIII", "2019", "Năm 2019 đã có đợt giải lần thứ IV – năm 2019."),
    ("XIII", "2020", "Năm 2020 không hợp với số thứ tự XIII: đợt giải lần thứ VII – năm 2022 có số thứ tự nhỏ hơn "
                     "mà năm muộn hơn (các đợt giải đánh số theo thứ tự năm)."),
    ("V", "2026", "Năm 2026 không hợp với số thứ tự V: đợt giải lần thứ VII – năm 2022 có số thứ tự lớn hơn mà năm "
                  "sớm hơn (các đợt giải đánh số theo thứ tự năm)."),
])
def test_a_new_rounds_year_is_its_own_and_in_order(client, session, clock, number, year, said):
    web_login(client, make_user(session, role=Role.secretariat))
    token = csrf_from(client.get("/admin/rounds").text)
    data = {"csrf_token": token, "number": number, "year": year, "copy_from": ""}
    # the round's own years (dates in other years are refused first: test_round_admin_api)
    calendar = {k: v.replace("2027", str(int(year) + 1)).replace("2026", year) for k, v in CALENDAR.items()}
    data.update({f"calendar.{k}": v for k, v in calendar.items()})
    page = client.post("/admin/rounds", data=data, follow_redirects=False)
    assert page.status_code in (400, 409) and _errors(page.text) == {"year": said}
    headers = api_login(client, make_user(session, role=Role.secretariat, email="tk3@bualiemvang.vn"))
    api = client.post("/api/v1/rounds", headers=headers, json={"number": number, "year": int(year), "calendar": calendar})
    assert api.status_code == 409 and api.json()["detail"]["field"] == "year" and api.json()["detail"]["message"] == said
    assert session.exec(select(Round).where(Round.number == number)).first() is None


def test_every_bad_target_of_the_subpanels_is_said_at_once(secretariat, session, clock):
    """A negative target and one that is not a number, in two subpanels: both refused in one answer (the
    negative one used to wait for a second submit, being checked only once the values parsed)."""
    ix = round_by_number(session, "IX")
    page = secretariat.get(f"/admin/rounds/{ix.id}")
    parser = _Forms()
    parser.feed(page.text)
    data = {**parser.forms["panels"]["fields"], "rules.panels.0.target": "-5", "rules.panels.1.target": "abc",
            "csrf_token": csrf_from(page.text)}
    response = secretariat.post(f"/admin/rounds/{ix.id}/settings/panels", data=data, follow_redirects=False)
    assert response.status_code == 400
    errors = _errors(response.text)
    assert errors["rules.panels.0.target"].startswith("Tiểu ban 1 – Số tác phẩm vào chung khảo:"), errors
    assert errors["rules.panels.1.target"].startswith("Tiểu ban 2 – Số tác phẩm vào chung khảo:"), errors
