"""A page address or a form with a value its route refuses. A query value (?page=-1, a search of 500
characters, a page number that is not a number: links edited by hand or cut short) shows the page with its
defaults and says which field was ignored (api/errors.py `without_bad_query`); a form value sent past the
browser's own checks goes back to the form's page naming the field. The API keeps its 422."""

from datetime import UTC, datetime

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from award.models import Role
from api.errors import FIELD_LABELS, QUERY_LABELS
from api.main import app
from tests.factories import api_login, csrf_from, make_user, round_by_number, web_login


def _refusable_page_query_params():
    """(path, parameter name) for every query parameter of a page (not /api) that validation can refuse:
    typed other than plain text, or constrained (a length, a bound)."""
    for rc in iter_route_contexts(app.routes):
        route = rc.original_route
        if isinstance(route, APIRoute) and not rc.path.startswith("/api/") and "GET" in (rc.methods or ()):
            for param in route.dependant.query_params:
                if param.field_info.metadata or param.field_info.annotation not in (str, str | None):
                    yield rc.path, param.alias


def test_every_refusable_query_parameter_of_a_page_has_a_vietnamese_label():
    found = set(_refusable_page_query_params())
    assert ("/admin/audit", "page") in found and len(found) > 20  # the enumeration sees the pages
    assert sorted((path, name) for path, name in found if name not in QUERY_LABELS) == []


@pytest.fixture
def secretariat(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    return client


def _bad_values(session):
    round_id = round_by_number(session, "IX").id
    return [
        ("/admin/audit?page=-1&person=an", "/admin/audit?person=an", "Số trang: phải lớn hơn hoặc bằng 1"),
        ("/admin/outbox?page=abc", "/admin/outbox", "Số trang: phải là một số nguyên"),
        (f"/central/{round_id}/panels/print1?page=0&method=median", f"/central/{round_id}/panels/print1?method=median",
         "Số trang"),
        (f"/admin/rounds/{round_id}/entries?q={'a' * 201}&page=2", f"/admin/rounds/{round_id}/entries?page=2",
         "Ô tìm kiếm: chỉ được tối đa 200 ký tự"),
        (f"/admin/units?kind={'x' * 33}&q=ha", "/admin/units?q=ha", "Loại: chỉ được tối đa 32 ký tự"),
    ]


def test_a_refused_query_value_is_dropped_and_named(secretariat, session):
    for url, target, said in _bad_values(session):
        response = secretariat.get(url, follow_redirects=False)
        assert response.status_code == 303, (url, response.status_code)
        assert response.headers["location"].endswith(target), (url, response.headers["location"])
        page = secretariat.get(response.headers["location"])
        assert page.status_code == 200, url
        assert said in page.text, (url, said)
        assert "hiển thị theo mặc định" in page.text


# Query values that are free text, or dates the page's own filter form checks and shows next to its field
# (400): everything else has a closed set of meanings and must refuse a value outside it (api/queries.py).
FREE_TEXT = {"q", "person", "next", "token", "since", "until", "on"}
ANONYMOUS = {"/login", "/register", "/password/reset"}


def _page_query_params():
    """(path, parameter, its field) for every query parameter of every page (not /api)."""
    for rc in iter_route_contexts(app.routes):
        route = rc.original_route
        if isinstance(route, APIRoute) and not rc.path.startswith("/api/") and "GET" in (rc.methods or ()):
            for param in route.dependant.query_params:
                yield rc.path, param.alias, param.field_info


def _matrix_client(client, session, path, request):
    if path == "/rounds/{round_id}/results":  # public once published: round IX's list, published
        from tests.api.test_results_pages import build_list

        build_list(client, session, request.getfixturevalue("clock"))
        return
    if path in ANONYMOUS:
        return
    if path.startswith("/unit/"):
        web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    elif path.startswith("/entries/"):
        web_login(client, make_user(session, role=Role.journalist, unit_code="ha-tinh"))
    else:
        web_login(client, make_user(session, role=Role.secretariat))


BAD_VALUES = ["bogus", "-1", "x" * 1001, "1; drop table"]


@pytest.mark.parametrize("path,name", sorted({(p, n) for p, n, _ in _page_query_params()}))
def test_every_page_query_parameter_refuses_a_bad_value_naming_its_field(client, session, path, name, request):
    """The matrix routes x bad values: never a 500; a value outside a closed set (?status=bogus, ?role=bogus,
    ?page=abc, a search of 1001 characters) goes back to the page without it, the warning naming the field."""
    _matrix_client(client, session, path, request)
    url = path.format(round_id=round_by_number(session, "IX").id, code="print1")
    label = QUERY_LABELS.get(name, name)
    refused = 0
    for bad in BAD_VALUES:
        response = client.get(url, params={name: bad}, follow_redirects=False)
        assert response.status_code in (200, 303, 400), (url, name, bad, response.status_code)
        if response.status_code != 303 or "?" in response.headers["location"] and name in response.headers["location"]:
            assert name in FREE_TEXT | {"next"} or response.status_code == 303, (url, name, bad, response.status_code)
            continue
        refused += 1
        assert response.headers["location"].split("?")[0].endswith(url.split("?")[0]), (url, name, response.headers)
        shown = client.get(response.headers["location"])
        assert shown.status_code == 200 and "hiển thị theo mặc định" in shown.text and f"{label}: " in shown.text, \
            (url, name, bad)
    if name not in FREE_TEXT:
        assert refused == len(BAD_VALUES), (url, name, refused)


def test_the_api_still_answers_422_naming_the_parameter(client, session):
    headers = api_login(client, make_user(session, role=Role.secretariat))
    round_id = round_by_number(session, "IX").id
    response = client.get(f"/api/v1/entries?round_id={round_id}&page=-1", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "page"]


def _refusable_page_form_fields():
    """(path, field) for every form field of a page's POST route that validation can refuse."""
    for rc in iter_route_contexts(app.routes):
        route = rc.original_route
        if isinstance(route, APIRoute) and not rc.path.startswith("/api/") and "POST" in (rc.methods or ()):
            for param in route.dependant.body_params:
                if param.field_info.metadata or param.field_info.annotation not in (str, str | None):
                    yield rc.path, param.alias


def test_every_refusable_form_field_of_a_page_has_a_vietnamese_label():
    found = set(_refusable_page_form_fields())
    assert ("/unit/judging/propose", "judges_per_entry") in found and len(found) > 30
    assert sorted((path, name) for path, name in found if name not in FIELD_LABELS) == []


def test_a_refused_form_value_goes_back_to_the_form_naming_the_field(client, session):
    """A form value its route refuses before the handler runs (the round of the jury page's form, edited):
    back to the page, the field named, the sentence's punctuation clean."""
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    round_id = round_by_number(session, "IX").id
    page = client.get(f"/unit/judging?round_id={round_id}")
    token = csrf_from(page.text)
    response = client.post("/unit/judging/propose", data={"csrf_token": token, "round_id": "abc",
                                                          "judges_per_entry": "3"},
                           headers={"referer": f"http://testserver/unit/judging?round_id={round_id}"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/unit/judging?round_id={round_id}"
    shown = client.get(response.headers["location"]).text
    assert "Chưa thực hiện được: dữ liệu chưa hợp lệ (Đợt giải: phải là một số nguyên). Vui lòng sửa" in shown
    without_referer = client.post("/unit/judging/propose", data={"csrf_token": token, "round_id": "abc"})
    assert without_referer.status_code == 422  # no page to go back to: the error page, as before


JUDGES = "Số giám khảo chấm mỗi tác phẩm: "


@pytest.mark.parametrize("value,said", [("0", JUDGES + "phải lớn hơn hoặc bằng 1."),
                                        ("999", JUDGES + "phải nhỏ hơn hoặc bằng 20."),
                                        ("abc", JUDGES + "phải là một số nguyên."),
                                        ("2.5", JUDGES + "phải là một số nguyên."),
                                        ("9" * 12, JUDGES + "phải nhỏ hơn hoặc bằng 20.")])
def test_judges_per_work_refused_under_its_field(client, session, clock, value, said):
    """The jury page's "judges per work" sent past the browser's own min/max checks: the page again with the
    message under the field (marked, so static/js/form-errors.js focuses it), the value as typed, no plan."""
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    round_id = round_by_number(session, "IX").id
    token = csrf_from(client.get(f"/unit/judging?round_id={round_id}").text)
    response = client.post("/unit/judging/propose", data={"csrf_token": token, "round_id": str(round_id),
                                                          "judges_per_entry": value},
                           headers={"referer": f"http://testserver/unit/judging?round_id={round_id}"},
                           follow_redirects=False)
    assert response.status_code == 422
    html = response.text
    assert f'<p class="error-text" id="e-judges_per_entry">{said}</p>' in html
    assert 'aria-invalid="true" aria-describedby="e-judges_per_entry"' in html and f'value="{value}"' in html
    assert "Đã lập phương án" not in html and "Áp dụng đúng phương án này" not in html


def _bound_errors():
    """Real pydantic refusals of every numeric kind a route declares: ge, le, gt, lt, a whole number's parse."""
    from typing import Annotated

    from pydantic import Field, TypeAdapter, ValidationError

    cases = [(Field(ge=1), "0"), (Field(le=20), "999"), (Field(gt=0), "0"), (Field(lt=10), "10"),
             (Field(), "abc"), (Field(), "2.5"), (Field(), 2.5), (Field(), "9" * 5000)]
    for field, value in cases:
        try:
            TypeAdapter(Annotated[int, field]).validate_python(value)
        except ValidationError as exc:
            yield from ({**e, "loc": ("body", "judges_per_entry")} for e in exc.errors())


def test_numeric_bound_messages_read_cleanly_inside_the_sentence():
    from api.errors import form_refusal, validation_message

    errors = list(_bound_errors())
    assert {e["type"] for e in errors} >= {"greater_than_equal", "less_than_equal", "greater_than", "less_than",
                                          "int_parsing", "int_from_float", "int_parsing_size"}
    for e in errors:
        message = validation_message(e)
        assert message.startswith("Số giám khảo chấm mỗi tác phẩm: phải ") or \
            message.startswith("Số giám khảo chấm mỗi tác phẩm: số quá lớn"), message
        assert message.endswith("."), message
        assert "Input should" not in message, e["type"]  # every one in Vietnamese
        text = form_refusal([e])
        assert ".)" not in text and ".;" not in text and ".." not in text and " )" not in text, text
        assert text.startswith("Chưa thực hiện được: dữ liệu chưa hợp lệ (Số giám khảo chấm mỗi tác phẩm: "), text
        assert text.endswith("). Vui lòng sửa rồi gửi lại."), text
    both = form_refusal(errors[:2])
    assert "bằng 1; Số giám khảo chấm mỗi tác phẩm: phải nhỏ hơn hoặc bằng 20)." in both, both


def test_a_page_past_the_end_of_the_audit_log_shows_its_last_page(secretariat, session):
    from award import audit

    audit.record(session, actor_id=None, action="user.created", object_type="user", object_id=1,
                 now=datetime.now(UTC))
    session.commit()
    page = secretariat.get("/admin/audit?page=500")
    assert page.status_code == 200 and "Không có sự kiện nào" not in page.text and "trang 500" not in page.text
