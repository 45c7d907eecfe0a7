"""The contract's "never a 500 on any input" for what a client can put in a request itself: values JSON or
UTF-8 cannot carry back (NaN, Infinity, lone surrogates), broken multipart framing, bodies of any size, and
the login form's password (issue 15, items 7–10).

Each kind has one fix (api/errors.py's ErrorJSONResponse, api/limits.py's request gate, award/errors.py's
BadCredentials); the cases below are the ones the issue found, each next to a property or an enumeration
that covers its kind. tests/security/test_fuzz_api.py sends NaN, surrogates and oversized bodies to every
operation of the OpenAPI document as well.
"""

import json
import re

import hypothesis.strategies as st
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete
from sqlmodel import select

from award.models import Entry, EntryFile, LoginAttempt, Role
from award.storage import LocalFileStore
from api.deps import get_file_store, local_part_url
from api.errors import ErrorJSONResponse
from api.limits import BODY_KINDS, MiB, limit_for, route_kind
from api.main import app
from tests.api.test_files_api import draft
from tests.factories import PASSWORD, api_login, entry_payload, make_user

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


@pytest.fixture
def raw_client(client):
    """The same app, with a 500 answered as the server would (not raised into the test)."""
    return TestClient(app, base_url="http://testserver", raise_server_exceptions=False)


# --- item 7: error bodies never echo what cannot be encoded ----------------------------------------------

@pytest.mark.parametrize("field,raw", [("round_id", "NaN"), ("round_id", "Infinity"), ("round_id", "-Infinity"),
                                       ("title", '"\\ud800"'), ("summary", '"x\\udfff"'), ("hardship", "NaN")])
def test_nan_infinity_and_lone_surrogates_are_refused_naming_the_field(raw_client, client, session, clock, field, raw):
    headers = api_login(client, make_user(session))
    body = json.dumps(entry_payload(session) | {field: "@@"}).replace('"@@"', raw)
    response = raw_client.post("/api/v1/entries", content=body, headers=headers | {"content-type": "application/json"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert error["input"] is None  # never echoed: JSON cannot carry NaN, UTF-8 cannot carry "\ud800"
    assert VIETNAMESE.search(error["msg"]), error["msg"]
    assert session.exec(select(Entry)).all() == []


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec=None, categories=None)),  # surrogates included
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


@given(value=JSONISH)
@settings(max_examples=300, deadline=None)
def test_an_error_body_always_renders_as_utf8_json_whatever_it_echoes(value):
    body = ErrorJSONResponse({"detail": [{"type": "x", "loc": ["body"], "msg": "m", "input": value}]}).body
    decoded = json.loads(body.decode("utf-8"))  # strict UTF-8, and JSON without NaN
    assert decoded["detail"][0]["msg"] == "m"


# --- item 8: malformed multipart --------------------------------------------------------------------------

def _part(boundary: bytes, headers: bytes, body: bytes = b"%PDF-1.4 x") -> bytes:
    return b"--" + boundary + b"\r\n" + headers + b"\r\n" + body + b"\r\n--" + boundary + b"--\r\n"


DISPOSITION = b'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
MALFORMED = {
    "boundary over 70 characters": (b"b" * 71, DISPOSITION),
    "boundary over python-multipart's 256": (b"b" * 300, DISPOSITION),
    "no boundary": (b"", DISPOSITION),
    "part header over 4 KiB": (b"xx", b'Content-Disposition: form-data; name="file"; filename="' + b"a" * 20_000 + b'.pdf"\r\n'),
    "too many part headers": (b"xx", b"".join(b"X-H%d: v\r\n" % i for i in range(100)) + DISPOSITION),
    "header line without colon": (b"xx", b"no colon here\r\n" + DISPOSITION),
}


@pytest.mark.parametrize("case", MALFORMED)
@pytest.mark.parametrize("target", ["upload", "outline", "outline page", "login page"])
def test_malformed_multipart_is_refused_in_vietnamese_and_nothing_stored(
        raw_client, client, session, clock, tmp_path, case, target):
    store = LocalFileStore(tmp_path / "files", part_url=local_part_url)
    app.dependency_overrides[get_file_store] = lambda: store
    boundary, headers = MALFORMED[case]
    body = _part(boundary or b"xx", headers)
    content_type = "multipart/form-data" + (f"; boundary={boundary.decode()}" if boundary else "")
    if target == "upload":
        _, auth, entry_id = draft(client, session)
        url = f"/api/v1/entries/{entry_id}/files"
    elif target == "outline":
        auth, url = api_login(client, make_user(session, role=Role.secretariat)), "/api/v1/outlines/parse"
    elif target == "outline page":
        auth, url = {}, "/admin/rounds/1/outline/preview"
    else:
        auth, url = {}, "/login"
    response = raw_client.post(url, content=body, headers=auth | {"content-type": content_type})
    if target in ("outline page", "login page") and response.status_code == 403:
        pytest.fail("the framing must be refused before the CSRF check reads the form")
    assert response.status_code in (400, 413, 422), response.text
    assert VIETNAMESE.search(response.text), response.text
    if target == "upload":
        assert response.json()["detail"][0]["type"] == "body_unreadable"
        assert session.exec(select(EntryFile)).all() == [] and list(store.keys("entries/")) == []


# --- item 9: every body is bounded by its route's kind ------------------------------------------------

def test_a_60_mb_json_body_is_refused_with_413_before_it_is_read(raw_client, client, session):
    headers = api_login(client, make_user(session))
    response = raw_client.post("/api/v1/entries", content=b"[" + b"0," * (30 * MiB) + b"0]",
                               headers=headers | {"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": {"code": "too_large",
                                          "message": "Dữ liệu gửi lên quá lớn: tối đa 2 MB cho thao tác này."}}


def test_a_chunked_body_without_length_is_cut_at_the_bound(raw_client, client, session):
    headers = api_login(client, make_user(session))

    def chunks():
        for _ in range(3):
            yield b" " * MiB

    response = raw_client.post("/api/v1/entries", content=chunks(), headers=headers | {"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "too_large"


def test_every_route_refuses_a_body_one_byte_over_its_kind(raw_client):
    """Enumeration of the app's routes: whatever the route (JSON, page form, upload, part, outline), a body
    declared one byte over its kind's bound answers 413 with our words, nothing read."""
    seen = set()
    for method, path, name in _named_routes():
        kind = BODY_KINDS.get(name, "json")
        seen.add(kind)

        def one_chunk():
            yield b"{}"

        response = raw_client.request(method, re.sub(r"\{[^}]+\}", "1", path), content=one_chunk(),
                                      headers={"content-type": "application/json",
                                               "content-length": str(limit_for(kind) + 1)})
        assert response.status_code == 413, (method, path, response.status_code)
        assert VIETNAMESE.search(response.text), (method, path)
    assert seen == {"json", *BODY_KINDS.values()}
    assert set(BODY_KINDS) <= {name for _, _, name in _named_routes()}  # no stale name


def test_each_route_gets_its_own_kind_of_bound():
    """The gate finds the route a request goes to: the upload, part and outline routes their own bound,
    every other route (JSON API and page forms) the JSON one."""
    for method, path, name in _named_routes():
        scope = {"type": "http", "app": app, "method": method, "path": re.sub(r"\{[^}]+\}", "1", path)}
        assert route_kind(scope) == BODY_KINDS.get(name, "json"), (method, path)


def test_a_3_mb_file_passes_the_json_bound_on_the_upload_route(client, session, clock, tmp_path, samples):
    app.dependency_overrides[get_file_store] = lambda: LocalFileStore(tmp_path / "files", part_url=local_part_url)
    _, headers, entry_id = draft(client, session)
    pdf = samples.pdf() + b"%" * (3 * MiB)
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("bai.pdf", pdf, "application/pdf")})
    assert response.status_code == 201, response.text
    assert response.json()["size"] == len(pdf)


def _named_routes():
    for rc in iter_route_contexts(app.routes):
        route = rc.original_route
        for method in sorted(set(getattr(rc, "methods", None) or []) - {"HEAD", "OPTIONS"}):
            yield method, rc.path, getattr(route, "name", "")


def test_the_kinds_bounds_follow_the_file_caps():
    assert limit_for("json") == 2 * MiB
    assert limit_for("upload") == 4096 * MiB + MiB  # the largest cap (video) and the multipart framing
    assert limit_for("part") == 8 * MiB  # a 4 GB plan's parts
    assert limit_for("outline") == 24 * MiB


# --- item 10: a login answers 401, whatever the password ------------------------------------------------

def test_a_wrong_short_password_answers_401_like_any_wrong_password(client, session):
    user = make_user(session)
    short = client.post("/api/v1/auth/token", data={"username": user.email, "password": "x"})
    long = client.post("/api/v1/auth/token", data={"username": user.email, "password": "SaiMatKhau2024" * 50})
    unknown = client.post("/api/v1/auth/token", data={"username": "khongco@bao.vn", "password": "x"})
    expected = {"detail": {"code": "invalid_credentials", "message": "E-mail hoặc mật khẩu không đúng.",
                           "field": "password"}}
    for response in (short, long, unknown):
        assert (response.status_code, response.json()) == (401, expected)
        assert response.headers["www-authenticate"] == "Bearer"


@given(password=st.text(min_size=1, max_size=300, alphabet=st.characters(exclude_categories=["Cs"])))  # a form carries bytes
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_wrong_password_answers_the_same_401(raw_client, client, session, password):
    session.exec(delete(LoginAttempt))  # each example starts below the slow-down
    session.commit()
    user = make_user(session)
    response = raw_client.post("/api/v1/auth/token", data={"username": user.email, "password": password})
    if password == PASSWORD:
        return
    assert response.status_code == 401, (password, response.text)
    assert response.json()["detail"]["message"] == "E-mail hoặc mật khẩu không đúng."
