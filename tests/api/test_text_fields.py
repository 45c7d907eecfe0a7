"""Issue 15 item 6: any Unicode string in any text field of the JSON API or a form is either accepted and
read back in its normal form (award.text.clean_line / clean_text), or refused with 422 naming the field;
never a 5xx. One property per writer of people's text (entries, accounts), over every field it has."""

import json

import hypothesis.strategies as st
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from award.models import Role
from award.text import clean_line, clean_text
from api.main import app
from tests.factories import PASSWORD, api_login, entry_payload, make_user

# Any code point: surrogates, controls, format characters, unassigned, astral, combining marks.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=40) | st.sampled_from([
    "", " ", "\u200b", "\x00", "a" * 501, "\u0958" * 300, "ﷺ" * 60, "a\x00b@bao.vn", "vi\x00",
    "Đảng viên 👨\u200d👩\u200d👧", "\u202eabc"])
# Sent as JSON escapes (\ud800 cannot be UTF-8): how a client carries a lone surrogate at all.
JSON = {"content-type": "application/json"}
PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# (JSON path, how it reads back); the path is also the field the 422 must name.
ENTRY_FIELDS = [
    (("title",), clean_line), (("summary",), lambda v: clean_text(v, multiline=True)),
    (("transcript",), lambda v: clean_text(v, multiline=True)),
    (("authors", 0, "full_name"), clean_line), (("authors", 0, "pen_name"), lambda v: clean_line(v) or None),
    (("authors", 0, "outlet"), lambda v: clean_line(v) or None),
    (("parts", 0, "title"), lambda v: clean_line(v) or None), (("parts", 0, "outlet"), clean_line),
    (("parts", 0, "broadcast_slot"), lambda v: clean_line(v) or None),
    (("prior_awards", 0, "name"), None), (("prior_awards", 0, "level"), None),
    (("parts", 0, "url"), None), (("authors", 0, "email"), None), (("genre",), None), (("media_type",), None),
    (("language",), None),
]


@pytest.fixture
def raw_client(client):
    return TestClient(app, base_url="http://testserver", raise_server_exceptions=False)


def _named_field(body) -> str:
    """The field a 422 names, as "a.0.b", from either error shape the API uses."""
    detail = body["detail"]
    if isinstance(detail, dict):
        return detail["field"]
    loc = [str(part) for part in detail[0]["loc"] if part != "body"]
    return ".".join(loc)


def _read(body, path):
    for key in path:
        body = body[key]
    return body


@pytest.mark.parametrize(("path", "read_back"), ENTRY_FIELDS, ids=[".".join(map(str, p)) for p, _ in ENTRY_FIELDS])
def test_any_text_in_an_entry_field_is_kept_in_normal_form_or_refused_by_name(raw_client, client, session, clock,
                                                                                path, read_back):
    headers = api_login(client, make_user(session))

    @PROPERTY
    @given(value=ANY_TEXT)
    def check(value):
        # a television work: it has every field (a script and a broadcast slot too, award.rules.FIELDS_FOR_MEDIA)
        payload = entry_payload(session, media_type="tv",
                                prior_awards=[{"name": "Giải Báo chí tỉnh Hà Tĩnh", "level": "A"}])
        target = payload
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        response = raw_client.post("/api/v1/entries", content=json.dumps(payload), headers=headers | JSON)
        assert response.status_code < 500, response.text
        if response.status_code == 201:
            if read_back is not None:
                assert _read(response.json(), path) == read_back(value)
        else:
            assert response.status_code == 422, response.text
            assert _named_field(response.json()) == ".".join(map(str, path)), response.text

    check()


@pytest.mark.parametrize("field", ["full_name", "outlet", "email"])
def test_any_text_in_an_account_field_is_kept_in_normal_form_or_refused_by_name(raw_client, client, session, field):
    headers = api_login(client, make_user(session, role=Role.secretariat))
    counter = iter(range(10_000))

    @PROPERTY
    @given(value=ANY_TEXT)
    def check(value):
        body = {"email": f"tk{next(counter)}@example.vn", "password": PASSWORD, "full_name": "Lê Văn Thử",
                "role": "journalist", "outlet": "Báo Hà Tĩnh", field: value}
        response = raw_client.post("/api/v1/users", content=json.dumps(body), headers=headers | JSON)
        assert response.status_code < 500, response.text
        if response.status_code == 201:
            if field != "email":
                assert response.json()[field] == (clean_line(value) or (None if field == "outlet" else ""))
        else:
            assert response.status_code == 422, response.text
            assert _named_field(response.json()) == field, response.text

    check()
