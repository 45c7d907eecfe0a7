"""Route-by-phase matrix: every state-changing route of the app, in each phase of round IX.

The routes come from the application itself (tests/security/routes.py), so a new POST, PUT, PATCH or DELETE
fails `test_every_state_changing_route_is_classified` until it has a line in ROUTE_PHASES: either the action
of the process it takes (a key of award.calendar.ACTIONS, which names the phases it belongs to) or `free(why)`,
the reason it does not depend on the round's phase.

For each gated route and each Phase, round IX is moved into that phase (the clock, and `draft`,
`results_published_at` or `closed_at` on its row), the route is called by a caller the authorization matrix
lets through, with a body the route's schema accepts, and:
- in a phase the action belongs to, the answer is anything but 409 `phase_closed`;
- in every other phase it is 409: `phase_closed` with the Vietnamese refusal for the API, a page (the error
  page or the form shown again) with the same refusal for the browser; and nothing was written to the
  database (no INSERT, UPDATE or DELETE but the caller's own session row).

Every call runs inside a savepoint of the test's connection that is rolled back afterwards, so the one
world built for the test is the same for every route and phase, and an allowed call changes nothing later.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, func
from sqlmodel import select

from award.calendar import ACTIONS, Phase, phase
from award.models import AuditEvent, Entry, EntryStatus, Role, Round, Unit
from award.outlines import outline_text, outline_tree
from judging.models import Assignment, AssignmentPlan, JudgeMembership, Stage
from tests.factories import csrf_from, entry_payload, make_user, web_login
from tests.security.routes import app_routes
from tests.security.test_authorization_matrix import ACCESS, fill
from tests.security.world import World, build_world, request_as
from tests.support.samples import Samples

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
PANEL = "print2"  # the subpanel of Hà Tĩnh's print series (award.rules default panels)


@dataclass(frozen=True)
class Gate:
    """A route that takes `action` (award.calendar.ACTIONS). `who` is the caller (else the first of PREFERRED
    that ACCESS lets through); `body` (or a function of the context giving it) goes as JSON to /api and as
    a form to pages; `form` sends a multipart form to /api; `values` overrides path parameters."""

    action: str
    who: str | None = None
    body: Any = None
    form: Any = None
    files: Any = None
    values: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Free:
    """A route that does not depend on the round's phase, and why."""

    reason: str


def free(reason: str) -> Free:
    return Free(reason)


PREFERRED = ("journalist", "unit_manager", "secretariat", "local_judge", "judge", "approver", "anonymous")


@dataclass
class Ctx:
    """What a body needs: the world, the phase being tried and the test's session."""

    world: World
    session: Any
    phase: Phase
    extra: dict


def _entry_fields(ctx: Ctx) -> dict:
    body = entry_payload(ctx.session)
    body.pop("round_id")
    return body


def _entry_form(ctx: Ctx) -> dict:
    """The entry form's fields (api/pages/entry_form.py) for a valid round IX series."""
    body = entry_payload(ctx.session)
    form = {k: str(body[k]) for k in ("round_id", "unit_id", "title", "media_type", "genre", "summary")}
    for i, a in enumerate(body["authors"]):
        form |= {f"authors-{i}-{k}": v for k, v in a.items()}
    for i, p in enumerate(body["parts"]):
        form |= {f"parts-{i}-{k}": v for k, v in p.items()}
    return form | {"action": "save", "client_token": f"matrix-{body['title'][-6:]}"}


def _judge_id(ctx: Ctx, who: str) -> int:
    return ctx.world.callers[who].id


ENTRY = {}  # the submitted entry of the world (editable by its author, visible to its unit)
DRAFT = {"entry_id": "draft"}  # a draft of the same author
FORWARDED = {"entry_id": "forwarded"}  # forwarded to the centre: visible to the secretariat
PRELIMINARY = {"stage": "preliminary"}

# One line per state-changing route. Routes with `{stage}` are tried on the local stage and, where the
# central stages differ, once more as a tuple of gates.
UNITS_FREE = free("units are the reference data of every round (award.units): changed in any phase; an end date "
                  "that takes a unit out of a round using it is refused whatever the phase")

ROUTE_PHASES: dict[tuple[str, str], Gate | Free | tuple[Gate, ...]] = {
    # accounts: a person's own account works whatever the round does
    ("POST", "/api/v1/auth/token"): free("logging in"),
    ("POST", "/api/v1/auth/register"): free("registering an account"),
    ("DELETE", "/api/v1/auth/tokens/{session_id}"): free("ending one's own sign-in or token"),
    ("POST", "/account/sessions/{session_id}/revoke"): free("ending one's own sign-in or token"),
    ("POST", "/api/v1/auth/password-reset"): free("asking for a password reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"): free("resetting a password"),
    ("POST", "/api/v1/users"): free("the secretariat creates accounts for every round"),
    ("POST", "/login"): free("logging in"),
    ("POST", "/logout"): free("logging out"),
    ("POST", "/register"): free("registering an account"),
    ("POST", "/account/password"): free("changing one's password"),
    ("POST", "/password/forgot"): free("asking for a password reset"),
    ("POST", "/password/reset"): free("resetting a password"),
    ("POST", "/admin/users"): free("the secretariat creates accounts for every round"),
    ("POST", "/api/v1/units"): UNITS_FREE,
    ("PATCH", "/api/v1/units/{unit_id}"): UNITS_FREE,
    ("POST", "/admin/units"): UNITS_FREE,
    ("POST", "/admin/units/merge"): UNITS_FREE,
    ("POST", "/admin/units/{unit_id}"): UNITS_FREE,
    ("POST", "/admin/units/{unit_id}/retire"): UNITS_FREE,
    ("PATCH", "/api/v1/users/{user_id}"): free("accounts are fixed and locked whatever the round does"),
    ("POST", "/api/v1/users/{user_id}/password-reset"): free("a reset link helps a person, not a round"),
    ("POST", "/admin/users/import"): free("the secretariat invites judges for every round"),
    ("POST", "/admin/users/{user_id}"): free("accounts are fixed and locked whatever the round does"),
    ("POST", "/admin/users/{user_id}/status"): free("accounts are fixed and locked whatever the round does"),
    ("POST", "/admin/users/{user_id}/password-reset"): free("a reset link helps a person, not a round"),
    ("POST", "/unit/judges"): free("a unit invites its judges for every round; juries are built per round"),
    ("POST", "/unit/judges/{user_id}/remove"): free(
        "a person leaves the unit's judges; refused once they submitted a sheet, whatever the phase"),
    # the round itself
    ("PATCH", "/api/v1/rounds/{round_id}"): Gate("round.settings",
                                                 body=lambda c: {"name": c.extra["round_name"]}),
    ("POST", "/api/v1/rounds/{round_id}/end-phase"): Gate("round.end_phase", body=lambda c: {"phase": c.phase}),
    ("POST", "/api/v1/outlines/parse"): free("a preview: parses the text sent and stores nothing"),
    ("PUT", "/api/v1/rounds/{round_id}/outline"): Gate("round.outline", form=lambda c: {"text": c.extra["outline"]}),
    ("POST", "/admin/rounds/{round_id}/outline/preview"): free("a preview: parses the text sent and stores nothing"),
    ("POST", "/admin/rounds/{round_id}/outline"): Gate("round.outline", body=lambda c: {"text": c.extra["outline"]}),
    ("POST", "/rounds/{round_id}/thematic-prizes"): Gate("round.settings", body={}),
    ("POST", "/api/v1/rounds"): free("launching a new round: it starts in preparation, whatever the others' phases"),
    ("POST", "/admin/rounds"): free("launching a new round: it starts in preparation, whatever the others' phases"),
    ("POST", "/admin/rounds/{round_id}/settings/{section}"): Gate("round.settings", body=lambda c: {
        "rules.max_parts": "4", "rules.max_authors": "5", "rules.max_authors_local": "7",
        "rules.works_per_author_local": "2", "rules.works_per_author_forwarded": "1", "rules.default_quota": "30"}),
    ("POST", "/admin/rounds/{round_id}/open"): Gate("round.settings", body={}),
    ("POST", "/admin/rounds/{round_id}/end-phase"): Gate("round.end_phase", body=lambda c: {"expected": c.phase}),
    # entries
    ("POST", "/api/v1/entries"): Gate("entry.create", body=lambda c: entry_payload(c.session)),
    ("PATCH", "/api/v1/entries/{entry_id}"): Gate("entry.edit", body=_entry_fields, values=DRAFT),
    ("DELETE", "/api/v1/entries/{entry_id}"): free(
        "deleting one's own draft: it never entered the contest (award.entries.delete_draft takes drafts only)"),
    ("POST", "/api/v1/entries/{entry_id}/submit"): Gate("entry.submit", values=DRAFT),
    ("POST", "/api/v1/entries/{entry_id}/withdraw"): Gate("entry.withdraw"),
    ("POST", "/api/v1/entries/{entry_id}/files"): Gate(
        "entry.edit", files=lambda c: {"file": ("bai-du-thi-2.pdf", Samples.pdf(), "application/pdf")}),
    ("POST", "/api/v1/entries/{entry_id}/uploads"): Gate("entry.edit", body=ACCESS[
        ("POST", "/api/v1/entries/{entry_id}/uploads")].body),
    ("POST", "/api/v1/entries/{entry_id}/uploads/{upload_id}/complete"): Gate(
        "entry.edit", body={"parts": [{"number": 1, "etag": "x"}]}),
    ("DELETE", "/api/v1/entries/{entry_id}/uploads/{upload_id}"): free(
        "cancelling an unfinished upload: the file never counted, the work does not change"),
    ("PUT", "/api/v1/storage/parts/{upload_id}/{number}"): free(
        "a part of a direct upload, authorised by its signed expiring URL; the file counts only when the "
        "upload is completed, which is gated (entry.edit)"),
    ("DELETE", "/api/v1/entries/{entry_id}/files/{file_id}"): Gate("entry.edit"),
    ("PUT", "/api/v1/entries/{entry_id}/themes"): (
        Gate("entry.edit", body={"codes": []}),
        Gate("themes.curate", who="secretariat", body={"codes": []}, values=FORWARDED)),
    ("POST", "/entries/new"): Gate("entry.create", body=_entry_form),
    ("POST", "/entries/{entry_id}/edit"): Gate("entry.edit", body=_entry_form, values=DRAFT),
    ("POST", "/entries/{entry_id}/submit"): Gate("entry.submit", values=DRAFT),
    ("POST", "/entries/{entry_id}/withdraw"): Gate("entry.withdraw"),
    ("POST", "/entries/{entry_id}/delete"): free(
        "deleting one's own draft: it never entered the contest (award.entries.delete_draft takes drafts only)"),
    ("POST", "/entries/{entry_id}/files/{file_id}/remove"): Gate("entry.edit"),
    ("POST", "/entries/{entry_id}/themes"): (
        Gate("entry.edit", body={"codes": []}),
        Gate("themes.curate", who="secretariat", body={"codes": []}, values=FORWARDED)),
    # theme suggestions
    ("POST", "/api/v1/rounds/{round_id}/theme-suggestions"): free(
        "suggestions while a summary is typed: nothing is stored"),
    ("POST", "/api/v1/rounds/{round_id}/retag"): free(
        "recomputes the machine's suggestions; no confirmed theme or decision changes"),
    ("POST", "/rounds/{round_id}/retag"): free(
        "recomputes the machine's suggestions; no confirmed theme or decision changes"),
    # local contests and the receipt desk
    ("PUT", "/api/v1/rounds/{round_id}/quotas/{unit_id}"): Gate("quota.set", body={"quota": 5}),
    ("PUT", "/api/v1/rounds/{round_id}/quotas"): Gate("quota.set", body=lambda c: {
        "quotas": [{"unit_id": c.world.unit_id, "quota": 31}]}),
    ("POST", "/admin/rounds/{round_id}/quotas"): Gate("quota.set", body=lambda c: {f"quota-{c.world.unit_id}": "31"}),
    ("POST", "/admin/rounds/{round_id}/quotas/import"): Gate("quota.set", body={}),
    ("POST", "/api/v1/units/{unit_id}/rounds/{round_id}/forward"): Gate(
        "local.forward", body=lambda c: {"entry_ids": [c.world.entry_id]}),
    ("POST", "/api/v1/entries/{entry_id}/screening"): Gate("local.screen", body={"eligible": True}),
    ("POST", "/api/v1/entries/{entry_id}/return"): Gate("local.return", body={"note": "Bổ sung bản PDF kỳ 2"}),
    ("POST", "/api/v1/entries/{entry_id}/eligibility"): Gate("central.receipt", body={"eligible": True},
                                                             values=FORWARDED),
    ("POST", "/api/v1/batches/{batch_id}/receipt"): Gate("central.receipt", body={}),
    ("PUT", "/api/v1/units/{unit_id}/rounds/{round_id}/rubric"): Gate("local.jury", body={"criteria": [
        {"code": "content", "label": "Nội dung", "max_points": 100}]}),
    ("PUT", "/api/v1/entries/{entry_id}/local-prize"): Gate("local.prize", body={"level": "Nhất"}, values=FORWARDED),
    ("POST", "/unit/entries/{entry_id}/screening"): Gate("local.screen", body={"eligible": "yes"}),
    ("POST", "/unit/entries/{entry_id}/return"): Gate("local.return", body={"note": "Bổ sung bản PDF kỳ 2"}),
    ("POST", "/unit/entries/{entry_id}/local-prize"): Gate("local.prize", body={"level": "Nhất"}, values=FORWARDED),
    ("POST", "/unit/rubric"): Gate("local.jury", body=lambda c: {
        "round_id": str(c.world.round_id), "c-0-code": "content", "c-0-label": "Nội dung", "c-0-max_points": "100"}),
    ("POST", "/unit/contest/forward"): Gate("local.forward", body=lambda c: {
        "round_id": str(c.world.round_id), "entry_ids": [str(c.world.entry_id)]}),
    ("POST", "/secretariat/batches/{batch_id}/receipt"): Gate("central.receipt", body={}),
    ("POST", "/secretariat/entries/{entry_id}/eligibility"): Gate("central.receipt", body={"eligible": "yes"},
                                                                  values=FORWARDED),
    # juries, assignments and score sheets (local stage as the unit; central stages as the secretariat)
    ("POST", "/api/v1/rounds/{round_id}/judges"): (
        Gate("local.jury", body=lambda c: {"user_id": _judge_id(c, "local_judge"), "stage": "local"}),
        Gate("preliminary.setup", who="secretariat", body=lambda c: {
            "user_id": _judge_id(c, "judge"), "stage": "preliminary", "panel_code": PANEL}),
        Gate("final.setup", who="secretariat", body=lambda c: {"user_id": _judge_id(c, "judge"), "stage": "final"})),
    ("DELETE", "/api/v1/rounds/{round_id}/stages/{stage}/judges/{user_id}"): (
        Gate("local.jury", values={"user_id": "local_judge_user"}),
        Gate("preliminary.setup", who="secretariat", values={"stage": "preliminary", "user_id": "judge_user"}),
        Gate("final.setup", who="secretariat", values={"stage": "final", "user_id": "judge_user"})),
    ("POST", "/api/v1/rounds/{round_id}/conflicts"): free(
        "a judge declares a conflict of interest whenever it becomes known"),
    ("POST", "/api/v1/rounds/{round_id}/stages/{stage}/assignments/propose"): (
        Gate("local.jury", body={"judges_per_entry": 1}),
        Gate("preliminary.setup", who="secretariat", body={"judges_per_entry": 1}, values=PRELIMINARY)),
    ("POST", "/api/v1/rounds/{round_id}/stages/{stage}/assignments/apply"): (
        Gate("local.jury", body=lambda c: {"plan_id": c.extra["local_plan"]}),
        Gate("preliminary.setup", who="secretariat", body=lambda c: {"plan_id": c.extra["preliminary_plan"]},
             values=PRELIMINARY)),
    ("POST", "/api/v1/rounds/{round_id}/stages/{stage}/assignments"): (
        Gate("local.jury", body=lambda c: {"entry_id": c.world.entry_id, "judge_id": _judge_id(c, "local_judge")}),
        Gate("preliminary.setup", who="secretariat", values=PRELIMINARY,
             body=lambda c: {"entry_id": c.world.forwarded_entry_id, "judge_id": _judge_id(c, "judge")})),
    ("DELETE", "/api/v1/judging/assignments/{assignment_id}"): (
        Gate("local.jury"),
        Gate("preliminary.setup", who="secretariat", values={"assignment_id": "preliminary_assignment"})),
    ("PUT", "/api/v1/judging/assignments/{assignment_id}/score"): (
        Gate("local.score", body={"scores": {"content": 20}, "submit": False}),
        Gate("preliminary.score", who="judge", body={"scores": {"content": 20}, "submit": False},
             values={"assignment_id": "preliminary_assignment"})),
    ("POST", "/api/v1/judging/assignments/{assignment_id}/reopen"): (
        Gate("local.score"),
        Gate("preliminary.score", who="secretariat", values={"assignment_id": "preliminary_assignment"})),
    ("POST", "/judging/{assignment_id}"): (
        Gate("local.score", who="local_judge", body={"score-content": "20"}),
        Gate("preliminary.score", who="judge", body={"score-content": "20"},
             values={"assignment_id": "preliminary_assignment"})),
    ("POST", "/unit/judging/judges"): Gate("local.jury", body=lambda c: {
        "round_id": str(c.world.round_id), "user_id": str(_judge_id(c, "local_judge"))}),
    ("POST", "/unit/judging/judges/{membership_id}/remove"): Gate("local.jury",
                                                                  values={"membership_id": "local_membership"}),
    ("POST", "/unit/judging/propose"): Gate("local.jury", body=lambda c: {
        "round_id": str(c.world.round_id), "judges_per_entry": "1"}),
    ("POST", "/unit/judging/apply"): Gate("local.jury", body=lambda c: {"plan_id": c.extra["local_plan"]}),
    # central judging
    ("POST", "/api/v1/rounds/{round_id}/panels/route"): Gate("preliminary.setup"),
    ("PUT", "/api/v1/entries/{entry_id}/panel"): Gate("preliminary.setup", body={"panel_code": PANEL},
                                                      values=FORWARDED),
    ("POST", "/api/v1/rounds/{round_id}/stages/{stage}/advance"): Gate(
        "preliminary.advance", body=lambda c: {"entry_ids": [c.world.forwarded_entry_id]}, values=PRELIMINARY),
    ("POST", "/api/v1/rounds/{round_id}/finalists/withdraw"): Gate(
        "preliminary.advance", body=lambda c: {"entry_ids": [c.world.forwarded_entry_id]}),
    ("PUT", "/api/v1/rounds/{round_id}/ballots/{entry_id}"): Gate("final.score", body={"level": "A"},
                                                                  values=FORWARDED),
    ("POST", "/central/{round_id}/route"): Gate("preliminary.setup"),
    ("POST", "/central/{round_id}/judges"): (
        Gate("preliminary.setup", body=lambda c: {"user_id": str(_judge_id(c, "judge")), "place": PANEL}),
        Gate("final.setup", body=lambda c: {"user_id": str(_judge_id(c, "judge")), "place": "final"})),
    ("POST", "/central/{round_id}/members/{membership_id}/remove"): (
        Gate("preliminary.setup", values={"membership_id": "preliminary_membership"}),
        Gate("final.setup", values={"membership_id": "final_membership"})),
    ("POST", "/central/{round_id}/propose"): Gate("preliminary.setup", body={"judges_per_entry": "1"}),
    ("POST", "/central/{round_id}/apply"): Gate("preliminary.setup",
                                               body=lambda c: {"plan_id": c.extra["preliminary_plan"]}),
    ("POST", "/central/{round_id}/panels/{code}/advance"): Gate(
        "preliminary.advance", body=lambda c: {"entry_id": str(c.world.forwarded_entry_id)}),
    ("POST", "/central/{round_id}/panels/{code}/withdraw"): Gate(
        "preliminary.advance", body=lambda c: {"entry_id": str(c.world.forwarded_entry_id)}),
    ("POST", "/central/{round_id}/panels/{code}/move"): Gate(
        "preliminary.setup", body=lambda c: {"entry_id": str(c.world.forwarded_entry_id), "panel_code": "print1"}),
    ("POST", "/ballots/{round_id}/{entry_id}"): Gate("final.score", body={"level": "A"}, values=FORWARDED),
    # results
    ("POST", "/api/v1/rounds/{round_id}/results/propose"): Gate("results.decide", body={}),
    ("POST", "/api/v1/rounds/{round_id}/results/approve"): Gate("results.decide"),
    ("POST", "/api/v1/rounds/{round_id}/results/return"): Gate("results.decide", body={"note": "Xem lại mức giải."}),
    ("POST", "/api/v1/rounds/{round_id}/results/publish"): Gate("results.decide", body={}),
    ("POST", "/api/v1/rounds/{round_id}/results/corrections"): Gate("results.correct", body=lambda c: {
        "entry_id": c.world.forwarded_entry_id, "level": "B", "reason": "Sai mức giải khi nhập."}),
    ("POST", "/central/{round_id}/council/propose"): Gate("results.decide", body={}),
    ("POST", "/central/{round_id}/council/approve"): Gate("results.decide"),
    ("POST", "/central/{round_id}/council/return"): Gate("results.decide", body={"note": "Xem lại mức giải."}),
    ("POST", "/central/{round_id}/council/publish"): Gate("results.decide", body={}),
    ("POST", "/central/{round_id}/council/correct"): Gate("results.correct", body=lambda c: {
        "entry_id": str(c.world.forwarded_entry_id), "level": "B", "reason": "Sai mức giải khi nhập."}),
    # records: resending a mail decides nothing; the works list's bulk actions are the steps they take
    ("POST", "/api/v1/outbox/{message_id}/retry"): free("resending an e-mail that failed changes no decision"),
    ("POST", "/admin/outbox/{message_id}/retry"): free("resending an e-mail that failed changes no decision"),
    ("POST", "/admin/jobs/{job_id}/retry"): free("running a failed background job again changes no decision"),
    ("POST", "/admin/rounds/{round_id}/entries/bulk"): (
        Gate("central.receipt", body=lambda c: {"action": "receive", "entry_id": [str(c.world.forwarded_entry_id)]}),
        Gate("central.receipt", body=lambda c: {"action": "eligible", "entry_id": [str(c.world.forwarded_entry_id)]}),
        Gate("preliminary.setup", body=lambda c: {"action": "panel", "entry_id": [str(c.world.forwarded_entry_id)],
                                                  "panel_code": "print1"})),
}


def state_changing_routes() -> set[tuple[str, str]]:
    return {r for r in app_routes() if r[0] in STATE_CHANGING}


def gates(route) -> tuple[Gate, ...]:
    line = ROUTE_PHASES[route]
    return () if isinstance(line, Free) else (line,) if isinstance(line, Gate) else line


def caller(route, gate: Gate) -> str:
    allowed = ACCESS[route].allow
    return gate.who or next(w for w in PREFERRED if w in allowed)


def test_every_state_changing_route_is_classified():
    routes = state_changing_routes()
    missing = sorted(routes - ROUTE_PHASES.keys())
    assert not missing, ("state-changing routes without a line in ROUTE_PHASES (tests/security/test_phase_matrix.py): "
                         f"name the action of award.calendar.ACTIONS each one takes, or free(why): {missing}")
    stale = sorted(set(ROUTE_PHASES) - routes)
    assert not stale, f"ROUTE_PHASES lists routes the app no longer has: {stale}"
    for route in ROUTE_PHASES:
        for gate in gates(route):
            assert gate.action in ACTIONS, (route, gate.action)
            # ACCESS is about the world's own objects; a gate on another object (the forwarded work, which
            # the secretariat sees) names its caller itself
            if not gate.values:
                assert caller(route, gate) in ACCESS[route].allow, (route, gate.who, "is not let through by ACCESS")


# --- the phases of round IX -------------------------------------------------------------------------

def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


# (clock, draft, results published at, closed at): round IX's calendar is in the module docstring of
# award.calendar; the clock sits well inside each dated phase.
PHASE_SETTINGS = {
    Phase.draft: ("2024-09-20T09:00:00+07:00", True, None, None),
    Phase.submission: ("2024-09-20T09:00:00+07:00", False, None, None),
    Phase.local_judging: ("2024-10-20T09:00:00+07:00", False, None, None),
    Phase.preliminary: ("2024-11-20T09:00:00+07:00", False, None, None),
    Phase.final: ("2024-12-20T09:00:00+07:00", False, None, None),
    Phase.approval: ("2025-01-25T09:00:00+07:00", False, None, None),
    Phase.published: ("2025-01-25T09:00:00+07:00", False, "2025-01-24T10:00:00+07:00", None),
    Phase.closed: ("2025-01-25T09:00:00+07:00", False, "2025-01-24T10:00:00+07:00", "2025-01-24T12:00:00+07:00"),
}


def move_round(session, clock, round_id: int, target: Phase) -> None:
    now, draft, published, closed = PHASE_SETTINGS[target]
    clock.set(now)
    round_ = session.get(Round, round_id)
    round_.draft = draft
    round_.results_published_at = _at(published) if published else None
    round_.closed_at = _at(closed) if closed else None
    session.add(round_)
    session.commit()
    assert phase(round_, clock.now) == target


# Rows that any request writes whatever it does (the caller's session and its last use, the rate limiter)
# are not the route's.
VOLATILE = {"auth_session", "login_attempt", "rate_event"}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)


class Writes:
    """Every INSERT, UPDATE and DELETE sent to the database while it listens, by table: "nothing written"
    is stricter than "nothing changed" (a write later rolled back is still a check made too late), and one
    listener costs far less than reading every table before and after each of the matrix's calls."""

    def __init__(self, engine):
        self.engine, self.tables = engine, []

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        m = WRITE.match(statement)
        if m and m.group(1).lower() not in VOLATILE:
            self.tables.append(m.group(1).lower())

    def __enter__(self):
        self.tables = []
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


# --- the world the routes act on --------------------------------------------------------------------

def build_phase_world(client, session) -> tuple[World, dict]:
    """The authorization matrix's world (a submitted entry with a file and a local assignment, a forwarded
    one in a batch), plus a draft, the central judge on a subpanel and on the final council with a
    preliminary sheet, and a proposed assignment plan per stage."""
    world = build_world(client, session)
    owner = world.callers["journalist"]
    draft = request_as(client, session, owner, "POST", "/api/v1/entries", _now(),
                       body=entry_payload(session, title="Bản nháp: Chi bộ giữa đại ngàn"))
    assert draft.status_code == 201, draft.text
    judge, manager = world.callers["judge"], world.callers["unit_manager"]
    seats = {"preliminary_membership": JudgeMembership(round_id=world.round_id, user_id=judge.id,
                                                       stage=Stage.preliminary, panel_code=PANEL),
             "final_membership": JudgeMembership(round_id=world.round_id, user_id=judge.id, stage=Stage.final),
             # a local judge of the unit with no sheet, whom the manager may take off the unit's jury
             "local_membership": JudgeMembership(
                 round_id=world.round_id, stage=Stage.local, unit_id=world.unit_id,
                 user_id=make_user(session, role=Role.local_judge,
                                   unit_code=session.get(Unit, world.unit_id).code).id)}
    session.add_all(seats.values())
    now = _now()
    sheet = Assignment(round_id=world.round_id, stage=Stage.preliminary, entry_id=world.forwarded_entry_id,
                       judge_id=judge.id, created_at=now, updated_at=now)
    session.add(sheet)
    plans = {}
    for stage, unit_id, by in ((Stage.local, world.unit_id, manager),
                               (Stage.preliminary, None, world.callers["secretariat"])):
        plan = AssignmentPlan(id=f"matrix{stage.value}", round_id=world.round_id, stage=stage, unit_id=unit_id,
                              judges_per_entry=1, assignments=[], unassignable=[], created_by=by.id, created_at=now)
        session.add(plan)
        plans[stage] = plan.id
    session.commit()
    round_ = session.get(Round, world.round_id)
    extra = {"draft": draft.json()["id"], "forwarded": world.forwarded_entry_id,
             "preliminary_assignment": sheet.id, "local_plan": plans[Stage.local],
             "preliminary_plan": plans[Stage.preliminary], "round_name": round_.name,
             "outline": outline_text(outline_tree(session, round_id=world.round_id)),
             "judge_user": judge.id, "local_judge_user": world.callers["local_judge"].id,
             **{name: seat.id for name, seat in seats.items()}}
    return world, extra


def _now() -> datetime:
    return _at(PHASE_SETTINGS[Phase.submission][0])


def path_values(world: World, extra: dict, gate: Gate) -> dict:
    values = {"round_id": world.round_id, "unit_id": world.unit_id, "entry_id": world.entry_id,
              "batch_id": world.batch_id, "assignment_id": world.assignment_id, "file_id": world.file_id,
              "upload_id": "khong-co-upload", "stage": "local", "code": PANEL, "number": 1, "section": "limits"}
    for name, value in gate.values.items():
        values[name] = extra.get(value, value) if isinstance(value, str) else value
    return values


def _resolve(value, ctx: Ctx):
    return value(ctx) if callable(value) else value


def refusal_problem(route, gate: Gate, response) -> str | None:
    """What is wrong with the answer to an action outside its phase, or None."""
    status = response.status_code
    expected = f"Không thể {ACTIONS[gate.action].label} lúc này"
    if status != 409:
        return f"expected 409 phase_closed, got {status}: {response.text[:300]}"
    if route[1].startswith("/api/"):
        detail = response.json()["detail"]
        if detail.get("code") != "phase_closed" or expected not in detail.get("message", ""):
            return f"409 without phase_closed and its message: {detail}"
    elif expected not in response.text:
        return "409 page without the Vietnamese refusal naming the action"
    return None


def test_every_state_changing_route_answers_each_phase_as_its_action_allows(client, session, clock):
    world, extra = build_phase_world(client, session)
    connection = session.connection()
    session.commit()
    problems = []
    cases = [(route, gate) for route in sorted(ROUTE_PHASES) for gate in gates(route) if route in ACCESS]
    assert len(cases) > 60
    for route, gate in cases:
        method, path = route
        who = caller(route, gate)
        url = fill(path, path_values(world, extra, gate))
        for target in Phase:
            savepoint = connection.begin_nested()
            try:
                move_round(session, clock, world.round_id, target)
                ctx = Ctx(world, session, target, extra)
                allowed = target in ACTIONS[gate.action].phases
                session.commit()
                body, form, files = _resolve(gate.body, ctx), _resolve(gate.form, ctx), _resolve(gate.files, ctx)
                with Writes(connection.engine) as writes:
                    response = request_as(client, session, world.callers[who], method, url, clock.now, body=body,
                                          form=form, files=files)
                label = f"{method} {path} [{gate.action}] as {who} in {target}"
                if response.status_code >= 500:
                    problems.append(f"{label}: {response.status_code} server error")
                elif allowed:
                    # this action's own refusal (a page may also say why *other* actions are closed now)
                    if response.status_code == 409 and ('"phase_closed"' in response.text or
                                                        f"Không thể {ACTIONS[gate.action].label} lúc này"
                                                        in response.text):
                        problems.append(f"{label}: refused with phase_closed in a phase the action belongs to")
                else:
                    problem = refusal_problem(route, gate, response)
                    if problem:
                        problems.append(f"{label}: {problem}")
                    elif writes.tables:
                        problems.append(f"{label}: refused, yet it wrote to {sorted(set(writes.tables))}")
                session.commit()
            finally:
                savepoint.rollback()
                session.expire_all()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


# --- a stale form: loaded before a phase ended, sent after it --------------------------------------------

def _refused_page(response, action: str) -> None:
    assert response.status_code == 409, response.text[:500]
    text = response.text
    assert f"Không thể {ACTIONS[action].label} lúc này" in text
    assert "đợt giải đang ở giai đoạn “Chấm sơ tuyển ở đơn vị”" in text or "giai đoạn “Chấm sơ khảo”" in text
    assert "giờ Việt Nam" in text


def test_an_entry_form_loaded_before_midnight_on_the_local_deadline_and_sent_after_it_is_refused(client, session,
                                                                                                 clock):
    """The journalist opens the edit form and the entry page (with its submit button) at 23:59 on 10 October
    2024 in Vietnam, sends both after midnight: each answers 409 with the phase and the dates, and the draft
    is exactly as it was."""
    journalist = make_user(session, role=Role.journalist)
    session.commit()
    clock.set("2024-10-10T23:59:00+07:00")
    draft = request_as(client, session, journalist, "POST", "/api/v1/entries", clock.now,
                       body=entry_payload(session, title="Loạt bài: Đảng viên trẻ ở bản xa"))
    assert draft.status_code == 201, draft.text
    entry_id = draft.json()["id"]
    web_login(client, journalist)
    form_page = client.get(f"/entries/{entry_id}/edit")
    assert form_page.status_code == 200 and "không thể lưu" not in form_page.text
    version = re.search(r'name="version" value="(\d+)"', form_page.text).group(1)
    token = csrf_from(form_page.text)
    detail = client.get(f"/entries/{entry_id}")
    assert f'/entries/{entry_id}/submit"' in detail.text and "Nộp tác phẩm" in detail.text  # the submit button
    before = session.get(Entry, entry_id)
    state = (before.title, before.version, before.status, before.updated_at)
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()

    clock.set("2024-10-11T00:00:30+07:00")  # thirty seconds after the deadline, in Vietnam
    form = _entry_form(Ctx(None, session, Phase.local_judging, {}))
    form |= {"title": "Loạt bài: Đảng viên trẻ ở bản xa (sửa)", "version": version, "csrf_token": token}
    edited = client.post(f"/entries/{entry_id}/edit", data=form, follow_redirects=False)
    _refused_page(edited, "entry.edit")
    assert "03/02/2024 – 10/10/2024" in edited.text  # the submission phase's dates
    assert 'value="Loạt bài: Đảng viên trẻ ở bản xa (sửa)"' in edited.text  # what was typed is not lost
    submitted = client.post(f"/entries/{entry_id}/submit", data={"csrf_token": token}, follow_redirects=False)
    _refused_page(submitted, "entry.submit")

    session.expire_all()
    after = session.get(Entry, entry_id)
    assert (after.title, after.version, after.status, after.updated_at) == state
    assert after.status == EntryStatus.draft
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == events


def test_a_local_score_sheet_loaded_before_local_judging_ended_and_sent_after_it_is_refused(client, session, clock):
    """The local judge opens the sheet at 23:59 on the central deadline (10 November 2024, the last day of
    local judging) and sends it after midnight: 409 with the phase, the sheet as stored before."""
    world = build_world(client, session)
    judge = world.callers["local_judge"]
    clock.set("2024-11-10T23:59:00+07:00")
    saved = request_as(client, session, judge, "PUT", f"/api/v1/judging/assignments/{world.assignment_id}/score",
                       clock.now, body={"scores": {"content": 18}, "submit": False})
    assert saved.status_code == 200, saved.text
    web_login(client, judge)
    sheet_page = client.get(f"/judging/{world.assignment_id}")
    assert sheet_page.status_code == 200
    token = csrf_from(sheet_page.text)
    events = session.exec(select(func.count()).select_from(AuditEvent)).one()

    clock.set("2024-11-11T00:00:30+07:00")
    for action in ("save", "submit"):
        sent = client.post(f"/judging/{world.assignment_id}", follow_redirects=False, data={
            "csrf_token": token, "score-content": "27", "comment": "Bài viết tốt.", "action": action})
        assert sent.status_code == 409, sent.text[:500]
        assert f"Không thể {ACTIONS['local.score'].label} lúc này" in sent.text
        assert "giai đoạn “Chấm sơ khảo”" in sent.text and "giờ Việt Nam" in sent.text
        assert 'value="27"' in sent.text  # the judge's typing is shown again, not stored

    session.expire_all()
    sheet = session.get(Assignment, world.assignment_id)
    assert sheet.scores == saved.json()["scores"] and sheet.comment == "" and sheet.submitted_at is None
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == events
