"""Authorization matrix: every route of the app, as every kind of caller.

The routes come from the application itself, so a new route fails `test_every_route_is_classified`
until it has a line in ACCESS. Callers: anonymous, a journalist who owns the entry and one who does not,
the unit manager of the entry's unit and of another unit, the unit's local judge, the secretariat, a
central judge and an approver.

Each line says who is let through (`allow`) and what everyone else gets (`deny`: 403, or 404 where the
object is not visible to the caller, as docs/API.md says). Being let through means anything but
401/403 (a 404 for an id that is not theirs, 409 or 422 for the empty body are the route's business).
Anonymous callers get 401 from /api and a redirect to the login page from pages, unless allowed.
"""

import re
from dataclasses import dataclass, field

import pytest

from tests.security.routes import app_routes
from tests.security.world import IDENTITIES, build_world, request_as

ALL = frozenset(IDENTITIES)
USERS = ALL - {"anonymous"}
OWNER = frozenset({"journalist"})
JOURNALISTS = frozenset({"journalist", "journalist_other"})
OWN_UNIT = frozenset({"unit_manager", "local_judge"})  # the entry's unit (Hà Tĩnh)
MANAGERS = frozenset({"unit_manager", "unit_manager_other"})  # each on their own unit
MANAGER = frozenset({"unit_manager"})
SECRETARIAT = frozenset({"secretariat"})
JUDGES = frozenset({"local_judge", "judge"})
APPROVER = frozenset({"approver"})


@dataclass(frozen=True)
class Access:
    allow: frozenset
    deny: tuple[int, ...] = (403,)
    note: str = ""
    body: dict | None = field(default=None, hash=False, compare=False)
    anonymous: int | None = None  # what an anonymous caller gets, when not the usual 401 / login page


def public(note: str = "") -> Access:
    return Access(ALL, note=note)


def users(note: str = "") -> Access:
    return Access(USERS, note=note)


def only(*groups: frozenset, deny: int | tuple[int, ...] = 403, body: dict | None = None) -> Access:
    return Access(frozenset().union(*groups), deny if isinstance(deny, tuple) else (deny,), body=body)


# One line per route. Issue 6 (results) and later work add their routes here.
ACCESS: dict[tuple[str, str], Access] = {
    # operations and documentation
    ("GET", "/openapi.json"): public("the API contract is public"),
    ("GET", "/api/docs"): public(),
    ("GET", "/huong-dan"): public("the role guides"),
    ("GET", "/huong-dan/{role_guide}"): public(),
    ("GET", "/static/{path}"): public(),
    ("GET", "/healthz"): public(),
    ("GET", "/readyz"): public(),
    ("GET", "/metrics"): Access(frozenset(), anonymous=403,
                                note="no user role: AWARD_METRICS_TOKEN or loopback (tests/api/test_metrics.py)"),
    ("GET", "/api/v1/audit/verify"): only(SECRETARIAT),
    # accounts
    ("POST", "/api/v1/auth/token"): public(),
    ("POST", "/api/v1/auth/register"): public(),
    ("POST", "/api/v1/auth/password-reset"): public(),
    ("POST", "/api/v1/auth/password-reset/confirm"): public(),
    ("GET", "/api/v1/me"): users(),
    ("GET", "/api/v1/auth/tokens"): users("one's own tokens and sessions"),
    ("DELETE", "/api/v1/auth/tokens/{session_id}"): users("one's own; another account's is 404"),
    ("POST", "/api/v1/users"): only(SECRETARIAT),
    # reference data
    ("GET", "/api/v1/rounds"): public(),
    ("GET", "/api/v1/rounds/{round_id}"): public(),
    ("PATCH", "/api/v1/rounds/{round_id}"): only(SECRETARIAT),
    ("POST", "/api/v1/rounds"): only(SECRETARIAT),
    ("PUT", "/api/v1/rounds/{round_id}/quotas"): only(SECRETARIAT),
    ("POST", "/api/v1/rounds/{round_id}/end-phase"): only(SECRETARIAT, body={"phase": "draft"}),
    ("GET", "/api/v1/units"): public(),
    ("POST", "/api/v1/units"): only(SECRETARIAT),
    ("PATCH", "/api/v1/units/{unit_id}"): only(SECRETARIAT),
    ("GET", "/api/v1/rounds/{round_id}/outline"): public(),
    ("POST", "/api/v1/outlines/parse"): only(SECRETARIAT),
    ("PUT", "/api/v1/rounds/{round_id}/outline"): only(SECRETARIAT),
    # entries (a journalist sees only their own; unit roles their unit's; others nothing: 404)
    ("POST", "/api/v1/entries"): only(JOURNALISTS),
    ("GET", "/api/v1/entries"): users("scoped to what the caller may see"),
    ("GET", "/api/v1/entries/{entry_id}"): only(OWNER, OWN_UNIT, deny=404),
    ("PATCH", "/api/v1/entries/{entry_id}"): only(OWNER, deny=404),
    ("DELETE", "/api/v1/entries/{entry_id}"): only(OWNER, deny=404),
    ("POST", "/api/v1/entries/{entry_id}/submit"): only(OWNER, deny=404),
    ("POST", "/api/v1/entries/{entry_id}/withdraw"): only(OWNER, deny=404),
    ("POST", "/api/v1/entries/{entry_id}/files"): only(OWNER, deny=404),
    ("POST", "/api/v1/entries/{entry_id}/uploads"): only(OWNER, deny=404, body={
        "filename": "phong-su.mp4", "size": 10_000_000, "content_type": "video/mp4", "sha256": "0" * 64}),
    ("GET", "/api/v1/entries/{entry_id}/uploads/{upload_id}"): only(OWNER, deny=404),
    ("POST", "/api/v1/entries/{entry_id}/uploads/{upload_id}/complete"): only(
        OWNER, deny=404, body={"parts": [{"number": 1, "etag": "x"}]}),
    ("DELETE", "/api/v1/entries/{entry_id}/uploads/{upload_id}"): only(OWNER, deny=404),
    ("PUT", "/api/v1/storage/parts/{upload_id}/{number}"): public("authorised by its signed, expiring token"),
    ("GET", "/api/v1/entries/{entry_id}/files/{file_id}"): only(OWNER, OWN_UNIT, deny=404),
    ("DELETE", "/api/v1/entries/{entry_id}/files/{file_id}"): only(OWNER, deny=404),
    ("GET", "/api/v1/entries/{entry_id}/theme-suggestions"): only(OWNER, OWN_UNIT, deny=404),
    ("PUT", "/api/v1/entries/{entry_id}/themes"): only(OWNER, deny=404, body={"codes": []}),
    ("GET", "/api/v1/entries/{entry_id}/themes"): only(OWNER, OWN_UNIT, deny=404),
    # themes
    ("POST", "/api/v1/rounds/{round_id}/theme-suggestions"): only(JOURNALISTS, SECRETARIAT),
    ("GET", "/api/v1/rounds/{round_id}/coverage"): only(SECRETARIAT, {"approver"}),
    ("POST", "/api/v1/rounds/{round_id}/retag"): only(SECRETARIAT),
    ("GET", "/api/v1/retag-jobs/{job_id}"): only(SECRETARIAT),
    # local contests (a unit manager acts on their own unit only)
    ("GET", "/api/v1/units/{unit_id}/rounds/{round_id}/contest"): only(OWN_UNIT, SECRETARIAT, deny=404),
    ("PUT", "/api/v1/rounds/{round_id}/quotas/{unit_id}"): only(SECRETARIAT),
    ("POST", "/api/v1/units/{unit_id}/rounds/{round_id}/forward"): only(MANAGER, body={"entry_ids": [999999]}),
    ("POST", "/api/v1/entries/{entry_id}/screening"): only(MANAGER, deny=(403, 404), body={"eligible": True}),
    ("POST", "/api/v1/entries/{entry_id}/return"): only(MANAGER, deny=(403, 404), body={"note": "Bổ sung tệp"}),
    ("POST", "/api/v1/entries/{entry_id}/eligibility"): only(SECRETARIAT),
    ("POST", "/api/v1/batches/{batch_id}/receipt"): only(SECRETARIAT),
    ("PUT", "/api/v1/units/{unit_id}/rounds/{round_id}/rubric"): only(MANAGER, SECRETARIAT, body={"criteria": []}),
    ("PUT", "/api/v1/entries/{entry_id}/local-prize"): only(MANAGER, deny=(403, 404)),
    ("GET", "/api/v1/units/{unit_id}/rounds/{round_id}/prizes"): public("local prizes are published"),
    # judging (local stage: each manager runs their own unit's jury)
    ("POST", "/api/v1/rounds/{round_id}/judges"): only(MANAGERS, SECRETARIAT,
                                                        body={"user_id": 999999, "stage": "local"}),
    ("DELETE", "/api/v1/rounds/{round_id}/stages/{stage}/judges/{user_id}"): only(MANAGERS, SECRETARIAT),
    ("POST", "/api/v1/rounds/{round_id}/conflicts"): only(JUDGES, SECRETARIAT,
                                                           body={"entry_id": 999999, "reason": "Cùng cơ quan"}),
    ("POST", "/api/v1/rounds/{round_id}/stages/{stage}/assignments/propose"): only(MANAGERS, SECRETARIAT),
    ("POST", "/api/v1/rounds/{round_id}/stages/{stage}/assignments/apply"): only(MANAGERS, SECRETARIAT),
    ("POST", "/api/v1/rounds/{round_id}/stages/{stage}/assignments"): only(MANAGERS, SECRETARIAT),
    ("DELETE", "/api/v1/judging/assignments/{assignment_id}"): only(MANAGERS, SECRETARIAT),
    ("GET", "/api/v1/judging/assignments"): users("a judge's own queue; empty for others"),
    ("PUT", "/api/v1/judging/assignments/{assignment_id}/score"): only(
        {"local_judge"}, body={"scores": {}, "submit": False}),  # the assigned judge; another judge: 403
    ("POST", "/api/v1/judging/assignments/{assignment_id}/reopen"): only(MANAGERS, SECRETARIAT),
    ("GET", "/api/v1/rounds/{round_id}/stages/{stage}/ranking"): only(MANAGERS, SECRETARIAT),
    # public pages and accounts
    ("GET", "/"): public(),
    ("GET", "/rounds/{round_id}"): public(),
    ("GET", "/rounds/{round_id}/units/{unit_id}/prizes"): public(),
    ("GET", "/login"): public(),
    ("POST", "/login"): public(),
    ("POST", "/logout"): public(),
    ("GET", "/register"): public(),
    ("POST", "/register"): public(),
    ("GET", "/password/forgot"): public(),
    ("POST", "/password/forgot"): public(),
    ("GET", "/password/reset"): public(),
    ("POST", "/password/reset"): public(),
    ("GET", "/account/password"): users(),
    ("POST", "/account/password"): users(),
    ("GET", "/account/sessions"): users(),
    ("POST", "/account/sessions/{session_id}/revoke"): users("one's own; another account's is 404"),
    ("GET", "/dashboard"): users(),
    ("GET", "/admin/users"): only(SECRETARIAT),
    ("POST", "/admin/users"): only(SECRETARIAT),
    # units over time (issue 14 item 2)
    ("GET", "/admin/units"): only(SECRETARIAT),
    ("GET", "/admin/units/new"): only(SECRETARIAT),
    ("POST", "/admin/units"): only(SECRETARIAT),
    ("GET", "/admin/units/merge"): only(SECRETARIAT),
    ("POST", "/admin/units/merge"): only(SECRETARIAT),
    ("GET", "/admin/units/{unit_id}"): only(SECRETARIAT),
    ("POST", "/admin/units/{unit_id}"): only(SECRETARIAT),
    ("POST", "/admin/units/{unit_id}/retire"): only(SECRETARIAT),
    # people (issue 14): the secretariat manages every account; a unit manager their unit's local judges
    ("GET", "/api/v1/users"): only(SECRETARIAT),
    ("PATCH", "/api/v1/users/{user_id}"): only(SECRETARIAT),
    ("POST", "/api/v1/users/{user_id}/password-reset"): only(SECRETARIAT),
    ("POST", "/admin/users/import"): only(SECRETARIAT),
    ("GET", "/admin/users/mau-giam-khao.xlsx"): only(SECRETARIAT),
    ("GET", "/admin/users/{user_id}"): only(SECRETARIAT),
    ("POST", "/admin/users/{user_id}"): only(SECRETARIAT),
    ("POST", "/admin/users/{user_id}/status"): only(SECRETARIAT),
    ("POST", "/admin/users/{user_id}/password-reset"): only(SECRETARIAT),
    ("GET", "/unit/judges"): only(MANAGERS),
    ("POST", "/unit/judges"): only(MANAGERS),
    ("POST", "/unit/judges/{user_id}/remove"): only(MANAGERS),
    # entry pages
    ("GET", "/entries/new"): only(JOURNALISTS),
    ("POST", "/entries/new"): only(JOURNALISTS),
    ("GET", "/entries/{entry_id}"): only(OWNER, OWN_UNIT, deny=404),
    ("GET", "/entries/{entry_id}/edit"): only(OWNER, deny=(403, 404)),
    ("POST", "/entries/{entry_id}/edit"): only(OWNER, deny=(403, 404)),
    ("POST", "/entries/{entry_id}/submit"): only(OWNER, deny=(403, 404)),
    ("POST", "/entries/{entry_id}/withdraw"): only(OWNER, deny=(403, 404)),
    ("POST", "/entries/{entry_id}/delete"): only(OWNER, deny=(403, 404)),
    ("POST", "/entries/{entry_id}/files/{file_id}/remove"): only(OWNER, deny=(403, 404)),
    ("GET", "/unit/entries"): only(MANAGERS, {"local_judge"}),
    # the secretariat's round console (api/pages/round_admin.py)
    ("GET", "/admin/rounds"): only(SECRETARIAT),
    ("POST", "/admin/rounds"): only(SECRETARIAT),
    ("GET", "/admin/rounds/{round_id}"): only(SECRETARIAT),
    ("POST", "/admin/rounds/{round_id}/settings/{section}"): only(SECRETARIAT),
    ("POST", "/admin/rounds/{round_id}/open"): only(SECRETARIAT),
    ("POST", "/admin/rounds/{round_id}/end-phase"): only(SECRETARIAT),
    ("GET", "/admin/rounds/{round_id}/quotas"): only(SECRETARIAT),
    ("POST", "/admin/rounds/{round_id}/quotas"): only(SECRETARIAT),
    ("GET", "/admin/rounds/{round_id}/quotas.xlsx"): only(SECRETARIAT),
    ("POST", "/admin/rounds/{round_id}/quotas/import"): only(SECRETARIAT),
    # outline administration and themes
    ("GET", "/admin/rounds/{round_id}/outline"): only(SECRETARIAT),
    ("POST", "/admin/rounds/{round_id}/outline/preview"): only(SECRETARIAT),
    ("POST", "/admin/rounds/{round_id}/outline"): only(SECRETARIAT),
    ("GET", "/rounds/{round_id}/coverage"): only(SECRETARIAT, {"approver"}),
    ("POST", "/rounds/{round_id}/thematic-prizes"): only(SECRETARIAT),
    ("GET", "/rounds/{round_id}/themes/{code}"): only(SECRETARIAT, {"approver"}),
    ("POST", "/entries/{entry_id}/themes"): only(OWNER, deny=404),
    ("POST", "/rounds/{round_id}/retag"): only(SECRETARIAT),
    ("GET", "/retag-jobs/{job_id}"): only(SECRETARIAT),
    # contest pages
    ("GET", "/unit/contest"): only(MANAGERS),
    ("POST", "/unit/entries/{entry_id}/screening"): only(MANAGER, deny=(403, 404)),
    ("POST", "/unit/entries/{entry_id}/return"): only(MANAGER, deny=(403, 404)),
    ("POST", "/unit/entries/{entry_id}/local-prize"): only(MANAGER, deny=(403, 404)),
    ("POST", "/unit/rubric"): only(MANAGERS),
    ("POST", "/unit/contest/forward"): only(MANAGERS),
    # the signed list names every forwarded work and its authors: not for the unit's local judges
    ("GET", "/batches/{batch_id}"): only(MANAGER, SECRETARIAT, deny=404),
    ("GET", "/batches/{batch_id}/danh-sach.pdf"): only(MANAGER, SECRETARIAT, deny=404),
    ("GET", "/secretariat/batches"): only(SECRETARIAT),
    ("POST", "/secretariat/batches/{batch_id}/receipt"): only(SECRETARIAT),
    ("POST", "/secretariat/entries/{entry_id}/eligibility"): only(SECRETARIAT),
    # judging pages
    ("GET", "/judging"): only(JUDGES),
    ("GET", "/judging/{assignment_id}"): only(JUDGES),
    ("POST", "/judging/{assignment_id}"): only(JUDGES),
    ("GET", "/unit/judging"): only(MANAGERS),
    ("POST", "/unit/judging/judges"): only(MANAGERS),
    ("POST", "/unit/judging/judges/{membership_id}/remove"): only(MANAGERS),
    ("POST", "/unit/judging/propose"): only(MANAGERS),
    ("POST", "/unit/judging/apply"): only(MANAGERS),
    # central judging: panels, finalists, the final council's ballots (issue 6)
    ("GET", "/api/v1/rounds/{round_id}/panels"): users(),
    ("POST", "/api/v1/rounds/{round_id}/panels/route"): only(SECRETARIAT),
    ("PUT", "/api/v1/entries/{entry_id}/panel"): only(SECRETARIAT),
    ("POST", "/api/v1/rounds/{round_id}/stages/{stage}/advance"): only(SECRETARIAT),
    ("GET", "/api/v1/rounds/{round_id}/finalists"): only(SECRETARIAT, APPROVER),
    ("POST", "/api/v1/rounds/{round_id}/finalists/withdraw"): only(SECRETARIAT),
    ("GET", "/api/v1/rounds/{round_id}/ballots"): only({"judge"}),
    ("PUT", "/api/v1/rounds/{round_id}/ballots/{entry_id}"): only({"judge"}),
    ("GET", "/api/v1/rounds/{round_id}/tally"): only(SECRETARIAT, APPROVER),
    ("GET", "/central/{round_id}"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/route"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/judges"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/members/{membership_id}/remove"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/propose"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/apply"): only(SECRETARIAT),
    ("GET", "/central/{round_id}/panels/{code}"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/panels/{code}/advance"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/panels/{code}/move"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/panels/{code}/withdraw"): only(SECRETARIAT),
    ("GET", "/ballots/{round_id}"): only({"judge"}),
    ("POST", "/ballots/{round_id}/{entry_id}"): only({"judge"}),
    # a finalist's file in the council's dossier: a member without a conflict (others 404)
    ("GET", "/ballots/{round_id}/{entry_id}/files/{file_id}"): only({"judge"}),
    # results: proposed by the secretariat, approved (or returned) by the steering committee, then public
    ("GET", "/api/v1/rounds/{round_id}/results/proposal"): only(SECRETARIAT, APPROVER),
    ("GET", "/api/v1/rounds/{round_id}/results/minutes.pdf"): only(SECRETARIAT, APPROVER),
    ("POST", "/api/v1/rounds/{round_id}/results/propose"): only(SECRETARIAT),
    ("POST", "/api/v1/rounds/{round_id}/results/approve"): only(APPROVER),
    ("POST", "/api/v1/rounds/{round_id}/results/return"): only(APPROVER),
    ("POST", "/api/v1/rounds/{round_id}/results/publish"): only(SECRETARIAT),
    ("POST", "/api/v1/rounds/{round_id}/results/corrections"): only(SECRETARIAT),
    ("GET", "/central/{round_id}/council"): only(SECRETARIAT, APPROVER),
    ("POST", "/central/{round_id}/council/propose"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/council/approve"): only(APPROVER),
    ("POST", "/central/{round_id}/council/return"): only(APPROVER),
    ("POST", "/central/{round_id}/council/publish"): only(SECRETARIAT),
    ("POST", "/central/{round_id}/council/correct"): only(SECRETARIAT),
    ("GET", "/api/v1/rounds/{round_id}/results"): public("404 until published"),
    ("GET", "/api/v1/rounds/{round_id}/results.csv"): public("404 until published"),
    ("GET", "/api/v1/rounds/{round_id}/results.xlsx"): public("404 until published"),
    ("GET", "/api/v1/rounds/{round_id}/results/verify"): public("anyone may check the published list"),
    ("GET", "/api/v1/entries/{entry_id}/certificate.pdf"): public("404 unless the work won a published prize"),
    ("GET", "/rounds/{round_id}/results"): public("404 until published"),
    ("GET", "/rounds/{round_id}/results/{entry_id}"): public("404 until published"),
    ("GET", "/rounds/{round_id}/results/verify"): public("404 until published; the integrity check as a page"),
    ("GET", "/rounds/{round_id}/statistics"): Access(SECRETARIAT | {"approver"}, deny=(404,), anonymous=404,
                                                     note="public once published; central roles before"),
    # records (issue 14 item 5): the audit log, the outbox, the round's list of works
    ("GET", "/api/v1/audit"): only(SECRETARIAT),
    ("GET", "/api/v1/outbox"): only(SECRETARIAT),
    ("POST", "/api/v1/outbox/{message_id}/retry"): only(SECRETARIAT),
    ("GET", "/api/v1/rounds/{round_id}/entries.xlsx"): only(SECRETARIAT, MANAGERS),
    ("GET", "/admin/audit"): only(SECRETARIAT),
    ("GET", "/admin/audit/verify"): only(SECRETARIAT),
    ("GET", "/admin/outbox"): only(SECRETARIAT),
    ("POST", "/admin/outbox/{message_id}/retry"): only(SECRETARIAT),
    ("POST", "/admin/jobs/{job_id}/retry"): only(SECRETARIAT),
    ("GET", "/admin/rounds/{round_id}/entries"): only(SECRETARIAT),
    ("POST", "/admin/rounds/{round_id}/entries/bulk"): only(SECRETARIAT),
}


def path_values(world) -> dict:
    return {"round_id": world.round_id, "unit_id": world.unit_id, "entry_id": world.entry_id,
            "batch_id": world.batch_id, "assignment_id": world.assignment_id, "file_id": world.file_id,
            "upload_id": "khong-co-upload", "job_id": 999999, "session_id": 999999,
            "message_id": 999999, "stage": "local", "code": "1.1", "number": 1,
            "section": "limits",  # a section of a round's settings page
            # issue 6's routes: a panel code is also `{code}` (an unknown one answers 404 to the secretariat)
            "path": "khong-co.css", "role_guide": "nha-bao",
            # people (issue 14): an account no caller uses, and a jury seat that does not exist
            "user_id": getattr(world, "bystander_id", 999999), "membership_id": 999999}


def fill(path: str, values: dict) -> str:
    def value(match):
        name = match.group(1)
        if name not in values:
            pytest.fail(f"no test value for path parameter {{{name}}} in {path}: add it to path_values()")
        return str(values[name])

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def test_every_route_is_classified():
    routes = set(app_routes())
    missing = sorted(routes - ACCESS.keys())
    assert not missing, ("routes without a line in ACCESS (tests/security/test_authorization_matrix.py); "
                         f"classify each as public(), users() or only(...): {missing}")
    stale = sorted(set(ACCESS) - routes)
    assert not stale, f"ACCESS lists routes the app no longer has: {stale}"


def order(route: tuple[str, str]) -> tuple[int, str]:
    """Reads first, then changes, deletions last: an earlier request must not remove what a later needs."""
    return ({"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}[route[0]], route[1])


def check(who: str, access: Access, method: str, path: str, response) -> str | None:
    """What is wrong with this answer, or None."""
    status = response.status_code
    is_api = path.startswith("/api/")
    if status >= 500:
        return f"{status} server error"
    if who in access.allow:
        if status in (401, 403) or (status == 303 and "/login" in response.headers.get("location", "")):
            return f"allowed but got {status}"
        return None
    if who == "anonymous":
        if access.anonymous is not None:
            return None if status == access.anonymous else f"anonymous got {status}, expected {access.anonymous}"
        if is_api:
            if status != 401 or response.json()["detail"]["code"] != "not_authenticated":
                return f"anonymous got {status}, expected 401"
        elif status != 303 or "/login?next=" not in response.headers.get("location", ""):
            return f"anonymous got {status}, expected a redirect to the login page"
        return None
    if status not in access.deny:
        return f"denied caller got {status}, expected {access.deny}"
    if is_api:
        detail = response.json()["detail"]
        if set(detail) - {"field"} != {"code", "message"} or detail["message"].isascii():
            return f"error body {detail} is not {{code, message}} with a Vietnamese message"
    elif status == 403 and "không có quyền" not in response.text and "Chỉ hệ thống giám sát" not in response.text:
        return "403 page without the Vietnamese explanation"
    return None


def test_every_route_answers_every_caller_as_classified(client, session, clock):
    world = build_world(client, session)
    values = path_values(world)
    problems = []
    for method, path in sorted((r for r in app_routes() if r in ACCESS), key=order):
        access = ACCESS[(method, path)]
        url = fill(path, values)
        # the caller allowed to act goes last, so a denied attempt never meets an already-changed state
        for who in sorted(IDENTITIES, key=lambda w: w in access.allow):
            response = request_as(client, session, world.callers[who], method, url, clock.now, body=access.body)
            problem = check(who, access, method, path, response)
            if problem:
                problems.append(f"{method} {path} as {who}: {problem}")
    assert not problems, "\n".join(problems)


def test_own_entry_is_invisible_to_another_journalist_and_another_unit(client, session, clock):
    world = build_world(client, session)
    for path in ("/api/v1/entries/{entry_id}", "/api/v1/entries/{entry_id}/files/{file_id}", "/entries/{entry_id}"):
        url = fill(path, path_values(world))
        assert request_as(client, session, world.callers["journalist"], "GET", url, clock.now).status_code == 200
        for who in ("journalist_other", "unit_manager_other"):
            response = request_as(client, session, world.callers[who], "GET", url, clock.now)
            assert response.status_code == 404, (path, who)
    listing = request_as(client, session, world.callers["unit_manager_other"], "GET", "/api/v1/entries", clock.now)
    assert world.entry_id not in [e["id"] for e in listing.json()["items"]]
    mine = request_as(client, session, world.callers["unit_manager"], "GET", "/api/v1/entries", clock.now)
    assert world.entry_id in [e["id"] for e in mine.json()["items"]]


def test_a_signed_part_url_is_refused_without_its_token(client, session, clock):
    response = client.put("/api/v1/storage/parts/khong-co/1?token=gia-mao", content=b"x")
    assert response.status_code == 403
    assert response.json()["detail"]["code"]


def test_the_assigned_judge_with_a_conflict_is_refused_on_the_sheet_and_the_page(client, session, clock):
    """Judge with and without a conflict: the same assignment is scorable until the judge declares one."""
    world = build_world(client, session)
    judge = world.callers["local_judge"]
    sheet_api = f"/api/v1/judging/assignments/{world.assignment_id}/score"
    body = {"scores": {"content": 20}, "submit": False}
    free = request_as(client, session, judge, "PUT", sheet_api, clock.now, body=body)
    assert free.status_code == 200, free.text
    declared = request_as(client, session, judge, "POST", f"/api/v1/rounds/{world.round_id}/conflicts", clock.now,
                          body={"entry_id": world.entry_id, "reason": "Người thân của tác giả"})
    assert declared.status_code == 201, declared.text
    refused = request_as(client, session, judge, "PUT", sheet_api, clock.now, body=body)
    assert refused.status_code == 403
    assert set(refused.json()["detail"]) >= {"code", "message"}
    assert "xung đột lợi ích" in refused.json()["detail"]["message"]
    page = request_as(client, session, judge, "POST", f"/judging/{world.assignment_id}", clock.now,
                      body={"content": "20"})
    assert page.status_code in (403, 409) and "xung đột lợi ích" in page.text
