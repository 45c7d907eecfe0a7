"""What a first-time secretariat ran into in the console (tester's report, session 5), each as the kind it is:
a form sent back unchanged changes nothing, numbers read the Vietnamese way, a round in preparation is not
public, namesake units are told apart, a locked account is told so once its password is right."""

import re

from sqlmodel import select

from award import units
from award.models import Role, Round, Unit, User
from tests.api.test_round_admin_pages import CALENDAR, _login, _post
from tests.factories import PASSWORD, csrf_from, make_user, round_by_number, web_login


def test_the_quota_form_sent_back_with_one_change_reports_one(client, session, clock):
    _login(client, session)
    ix = round_by_number(session, "IX")
    url = f"/admin/rounds/{ix.id}/quotas"
    page = client.get(url)
    typed = dict(re.findall(r'name="(quota-\d+)" type="text" inputmode="numeric" size="5" value="(\d+)"', page.text))
    assert len(typed) > 50  # every unit of the round, each with its quota (the default where none is set)
    ha_tinh = session.exec(select(Unit).where(Unit.code == "ha-tinh")).one()
    typed[f"quota-{ha_tinh.id}"] = "25"
    response = _post(client, url, url, typed)
    assert response.status_code == 303
    assert "Đã lưu chỉ tiêu (1 đơn vị thay đổi)." in client.get(url).text


def test_rubric_points_take_a_decimal_comma_and_the_preview_reads_them_so(client, session, clock):
    _login(client, session)
    created = _post(client, "/admin/rounds", "/admin/rounds", {"number": "XI", "year": "2026", **CALENDAR})
    xi = session.exec(select(Round).where(Round.number == "XI")).one()
    url = f"/admin/rounds/{xi.id}"
    assert created.status_code == 303
    rubric = {"rules.rubric_total": "100", "rules.rubric.0.code": "content", "rules.rubric.0.label": "Nội dung",
              "rules.rubric.0.max_points": "30,5", "rules.rubric.1.code": "form", "rules.rubric.1.label": "Hình thức",
              "rules.rubric.1.max_points": "69,5"}
    saved = _post(client, f"{url}/settings/rubric", url, rubric)
    assert saved.status_code == 303, saved.text
    page = client.get(url).text
    assert "<td>30,5</td>" in page and "<td>100</td>" in page and "E+" not in page
    assert 'value="30,5"' in page


def test_a_round_in_preparation_is_not_public(client, session, clock):
    _login(client, session)
    _post(client, "/admin/rounds", "/admin/rounds", {"number": "XI", "year": "2026", **CALENDAR})
    xi = session.exec(select(Round).where(Round.number == "XI")).one()
    assert "Lần thứ XI" in client.get("/").text  # the secretariat sees it on the home page
    client.cookies.clear()
    assert "Lần thứ XI" not in client.get("/").text
    assert client.get(f"/rounds/{xi.id}").status_code == 404
    web_login(client, make_user(session, role=Role.journalist))
    assert client.get(f"/rounds/{xi.id}").status_code == 404


def test_namesake_units_are_told_apart_where_a_person_is_given_a_unit():
    old = Unit(id=1, code="tuyen-quang", name="Tuyên Quang", kind="province", valid_to=__import__("datetime").date(2025, 6, 30))
    new = Unit(id=2, code="tuyen-quang-2025", name="Tuyên Quang", kind="province")
    assert [units.display_name(u) for u in (old, new)] == ["Tuyên Quang (đến 30/06/2025)", "Tuyên Quang"]
    assert sorted([old, new], key=units.sort_key) == [new, old]  # the unit still in being first


def test_units_sort_as_a_vietnamese_reader_expects(session):
    ix = round_by_number(session, "IX")
    names = [u.name for u in units.units_for_round(session, ix) if u.kind == "province"]
    assert names.index("Cà Mau") < names.index("Cao Bằng") and names.index("Hà Nội") < names.index("Huế" if "Huế" in names
                                                                                                  else "Hưng Yên")


def test_the_users_page_offers_each_namesake_once_and_marks_the_one_that_ended(client, session, clock):
    _login(client, session)
    page = client.get("/admin/users").text
    assert ">Tuyên Quang (đến 30/06/2025)</option>" in page and ">Tuyên Quang</option>" in page


def test_a_locked_account_with_the_right_password_is_told_it_is_locked(client, session):
    user = make_user(session)
    user.is_active = False
    session.add(user)
    session.flush()
    token = csrf_from(client.get("/login").text)
    right = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 400 and "Tài khoản này đã bị khóa" in right.text
    assert "Chưa đăng nhập được:" in right.text and "Chưa lưu được" not in right.text
    wrong = client.post("/login", data={"email": user.email, "password": "SaiMatKhau2024x", "csrf_token": token})
    assert "E-mail hoặc mật khẩu không đúng." in wrong.text and "khóa" not in wrong.text
    assert session.get(User, user.id).is_active is False


def test_every_action_the_code_records_has_a_vietnamese_label():
    """The audit log reads in Vietnamese: each `action="…"` written anywhere in the code has its label."""
    from pathlib import Path

    from award.records import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    recorded = set()
    for folder in ("award", "judging", "api"):
        for path in (root / folder).rglob("*.py"):
            recorded |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert recorded and recorded - ACTION_LABELS.keys() == set()


def test_the_audit_log_names_rounds_and_actions_in_words(client, session, clock):
    _login(client, session)
    _post(client, "/admin/rounds", "/admin/rounds", {"number": "XI", "year": "2026", **CALENDAR})
    page = client.get("/admin/audit").text
    assert "tạo đợt giải" in page and "Đợt giải lần thứ XI – năm 2026" in page


def test_a_stage_is_made_blind_and_the_documents_signed_from_the_settings_page(client, session, clock):
    from award.rules import RoundRules

    _login(client, session)
    ix = round_by_number(session, "IX")
    url = f"/admin/rounds/{ix.id}"
    page = client.get(url).text
    assert "Các vòng chấm" in page and "Văn bản: cơ quan ban hành và người ký" in page
    stages = {"rules.stages.local.judges_per_entry": "3", "rules.stages.local.remind_days": "3",
              "rules.stages.preliminary.blind": "on", "rules.stages.preliminary.comments_to_council": "on",
              "rules.stages.preliminary.judges_per_entry": "5", "rules.stages.preliminary.remind_days": "2",
              "rules.stages.final.judges_per_entry": "abc", "rules.stages.final.remind_days": "1"}
    refused = _post(client, f"{url}/settings/stages", url, stages)
    assert refused.status_code == 400 and 'id="e-rules.stages.final.judges_per_entry"' in refused.text
    assert RoundRules.model_validate(session.get(Round, ix.id).rules).stages["preliminary"].blind is False
    saved = _post(client, f"{url}/settings/stages", url, {**stages, "rules.stages.final.judges_per_entry": "1"})
    assert saved.status_code == 303, saved.text
    session.expire_all()
    rules = RoundRules.model_validate(session.get(Round, ix.id).rules)
    assert rules.stages["preliminary"].blind and rules.stages["preliminary"].judges_per_entry == 5
    assert not rules.stages["local"].blind and not rules.stages["local"].comments_to_council
    documents = {"rules.documents.superior_body": "BAN TỔ CHỨC TRUNG ƯƠNG",
                 "rules.documents.issuing_body": "BAN CHỈ ĐẠO GIẢI BÚA LIỀM VÀNG",
                 "rules.documents.motto": "ĐẢNG CỘNG SẢN VIỆT NAM", "rules.documents.motto_sub": "",
                 "rules.documents.place": "Hà Nội",
                 "rules.documents.council_chair.title": "CHỦ TỊCH HỘI ĐỒNG",
                 "rules.documents.council_chair.name": "Nguyễn Văn Chủ Tịch",
                 "rules.documents.council_secretary.title": "THƯ KÝ HỘI ĐỒNG",
                 "rules.documents.certificate_signatory.title": "TRƯỞNG BAN CHỈ ĐẠO"}
    assert _post(client, f"{url}/settings/documents", url, documents).status_code == 303
    session.expire_all()
    signed = RoundRules.model_validate(session.get(Round, ix.id).rules).documents
    assert (signed.motto, signed.motto_sub, signed.council_chair.name) == ("ĐẢNG CỘNG SẢN VIỆT NAM", "",
                                                                           "Nguyễn Văn Chủ Tịch")


def test_points_read_with_a_decimal_comma_and_what_was_typed_is_shown_back_as_typed():
    from api.templating import points

    assert [points(v) for v in ("21.50", "28.00", 100, "7,5", "abc", "NaN", None)] == \
        ["21,5", "28", "100", "7,5", "abc", "NaN", ""]


def test_a_password_hashed_with_older_parameters_is_rehashed_at_the_next_login(client, session):
    """Issue 18 item 3: argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1); a hash made with the
    library's old defaults (64 MiB, t = 3, p = 4) keeps working and is re-made when its owner logs in."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from award import users

    user = make_user(session)
    old = PasswordHash((Argon2Hasher(time_cost=3, memory_cost=65536, parallelism=4),)).hash(PASSWORD)
    user.password_hash = old
    session.add(user)
    session.flush()
    assert "m=65536,t=3,p=4" in old
    token = csrf_from(client.get("/login").text)
    wrong = client.post("/login", data={"email": user.email, "password": "SaiMatKhau2024x", "csrf_token": token})
    assert wrong.status_code == 400 and session.get(User, user.id).password_hash == old  # a wrong one changes nothing
    right = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert right.status_code == 303
    session.expire_all()
    renewed = session.get(User, user.id).password_hash
    assert renewed != old and "m=19456,t=2,p=1" in renewed and users.password_hash.verify(PASSWORD, renewed)


def test_a_page_address_with_an_id_that_is_not_a_number_is_not_found(client, session):
    _login(client, session)
    page = client.get("/admin/rounds/abc")
    assert page.status_code == 404 and "Không tìm thấy" in page.text
    assert client.get("/api/v1/rounds/abc").status_code == 422  # the API keeps its validation answer


def test_a_title_cut_on_a_page_ends_after_a_whole_word_with_an_ellipsis():
    """Jinja's truncate ends with "..."; the pages and the live suggestions use "…", after a whole word."""
    from api.templating import templates

    cut = templates.env.from_string("{{ t|truncate(30) }}").render(
        t="Tiếp tục nâng cao chất lượng công tác tuyên truyền, phổ biến")
    assert cut == "Tiếp tục nâng cao chất lượng…"
