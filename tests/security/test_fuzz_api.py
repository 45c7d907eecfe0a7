"""Fuzzing the JSON API from its own OpenAPI document (schemathesis), as every kind of caller.

Every operation of `/openapi.json` is sent generated requests, valid and invalid (`mode: all`), and its
boundary values (the coverage phase), as each caller the authorization matrix lets through (anonymous, or a
bearer token of the role; tests/security/conftest.py leaves out the others, whose refusals
test_authorization_matrix.py checks on every route). Each answer must:

- never be a 5xx (docs/API.md: "Never a 500 on any input");
- have a status code the document declares for that operation, with the declared content type;
- have a body that matches the declared schema for that status.

Unsafe methods are fuzzed too, in a throwaway state: the module builds its world (the entry, file, batch
and assignment of tests/security/world.py, one caller per role) once inside an outer transaction that is
rolled back at the end, and each test runs in a savepoint of its own, rolled back after it. So no test
sees what another changed, whatever the order, and the rest of the suite never sees any of it.

Half of the generated integer path parameters are swapped for the ids of that world, so requests also
reach past "not found" into the rules (an entry that exists, a batch, an assignment, round IX).

Deterministic: a fixed seed, derandomised Hypothesis, no example database, a pinned clock.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from award import users
from award.storage import LocalFileStore
from award.tagging_eval import _SHARED_CACHE as _MEMORY_EMBEDDINGS
from api.db import get_session
from api.deps import get_file_store, get_now, local_part_url
from api.main import app
from api.routers.themes import get_embedding_cache
from tests.security.world import build_world

NOW = datetime(2024, 9, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # round IX's submission period
ROLES = ("anonymous", "journalist", "unit_manager", "local_judge", "secretariat", "judge", "approver")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = schemathesis.Config.from_dict({
    "seed": 20240920,
    "generation": {"mode": "all", "max-examples": 3, "deterministic": True, "database": "none"},
    # A draft's theme suggestions embed up to 10,000 characters: seconds on a loaded 2-core CI machine.
    "request-timeout": 60,
    # The coverage phase sends each operation its boundary values (huge integers, empty strings, …).
    "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": False}},
})

schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@dataclass
class Fuzz:
    session: Session | None = None
    ids: dict | None = None
    headers: dict | None = None


STATE = Fuzz()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Either the generated ids or, for every integer among them, the world's own."""
    if not STATE.ids or not path_parameters:
        return st.just(path_parameters)
    real = {name: STATE.ids.get(name, value) if isinstance(value, int) and not isinstance(value, bool) else value
            for name, value in path_parameters.items()}
    return st.sampled_from([path_parameters, real])


@pytest.fixture(scope="module")
def fuzz_world(engine, tmp_path_factory):
    """One world for the module in an outer transaction, undone at the end; the app's overrides."""
    store = LocalFileStore(tmp_path_factory.mktemp("fuzz-files"), part_url=local_part_url)
    conn = engine.connect()
    outer = conn.begin()

    def request_session():
        session = STATE.session
        session.commit()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    overrides = {get_session: request_session, get_embedding_cache: lambda: _MEMORY_EMBEDDINGS,
                 get_file_store: lambda: store, get_now: lambda: NOW}
    app.dependency_overrides.update(overrides)
    try:
        with Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
            STATE.session = session
            with TestClient(app, base_url="http://testserver") as client:
                world = build_world(client, session)
            headers = {"anonymous": {}}
            for role in ROLES[1:]:
                token = users.open_session(session, user=world.callers[role], kind="api", now=NOW)
                headers[role] = {"Authorization": f"Bearer {token}"}
            session.commit()
        STATE.ids = {"round_id": world.round_id, "unit_id": world.unit_id, "entry_id": world.entry_id,
                     "batch_id": world.batch_id, "assignment_id": world.assignment_id, "file_id": world.file_id}
        STATE.headers = headers
        yield conn, overrides
    finally:
        STATE.session = STATE.ids = STATE.headers = None
        for key in overrides:
            app.dependency_overrides.pop(key, None)
        outer.rollback()
        conn.close()


@pytest.fixture
def fuzz_session(fuzz_world):
    """This test's own savepoint: whatever its requests changed is undone after it."""
    conn, overrides = fuzz_world
    app.dependency_overrides.update(overrides)
    nested = conn.begin_nested()
    with Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
        STATE.session = session
        yield session
    nested.rollback()


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_answers_every_input_as_documented(case, role, fuzz_session):
    case.call_and_validate(headers=STATE.headers[role], checks=CHECKS)


# --- what generation from the document never sends ---------------------------------------------------------
# Python's json module (which FastAPI parses bodies with) takes NaN, Infinity and lone UTF-16 surrogates, and
# a client may send any size; none is in the document, so schemathesis's generation never sends them. Every
# operation with a JSON body gets each in every property of its body (api/errors.py, api/limits.py).

HOSTILE = {
    "nan": float("nan"),
    "infinity": float("inf"),
    "surrogate": "\ud800",
    "huge": "x" * (3 * 1024 * 1024),  # over the JSON bound of 2 MiB: 413
}


def _json_operations():
    document = app.openapi()
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        body = document["paths"][operation.path][operation.method.lower()].get("requestBody", {})
        ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        if ref:
            names = list(document["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("properties", {}))
            found.append(pytest.param(operation, names, id=operation.label))
    return found


def _caller(operation) -> str:
    from tests.security.test_authorization_matrix import ACCESS

    allowed = ACCESS[(operation.method.upper(), operation.path)].allow
    return next(role for role in (*ROLES[1:], "anonymous") if role in allowed)


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("operation,names", _json_operations())
def test_nan_surrogates_and_huge_bodies_never_get_a_5xx(operation, names, hostile, fuzz_session):
    path_parameters = {p: STATE.ids.get(p, 1) for p in re.findall(r"\{(\w+)\}", operation.path)}
    body = {name: HOSTILE[hostile] for name in names} or {"x": HOSTILE[hostile]}
    case = operation.Case(path_parameters=path_parameters, body=body, media_type="application/json")
    # Sent as the bytes Python's json module writes (NaN, Infinity, "\ud800"), which no HTTP client library
    # sends on its own, then checked by schemathesis against the document like every generated case.
    client = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
    response = client.request(operation.method.upper(), case.formatted_path, content=json.dumps(body).encode(),
                              headers=STATE.headers[_caller(operation)] | {"content-type": "application/json"})
    case.validate_response(response, checks=CHECKS)
    assert response.status_code == (413 if hostile == "huge" else 422), response.text[:300]
