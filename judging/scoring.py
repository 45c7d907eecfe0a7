"""Judging with the database: judges of a stage, declared conflicts, propose/preview/apply of
assignments, score sheets (autosave, submit locks, reopen), and the ranking of a stage.

The rules themselves are pure functions in judging.assignment and judging.results; this module loads
rows, calls them and writes what they decide, with an audit event for everything people may dispute.
"""

import json
import logging
import secrets
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from award import audit, notifications
from award.errors import Conflict, Forbidden, Invalid, NotFound
from award.models import Entry, EntryAuthor, EntryFile, EntryPart, EntryStatus, Role, Round, User
from award.rules import Criterion, RoundRules, StageSettings
from judging import assignment as plan_rules
from judging.models import (Assignment, AssignmentPlan, DeclaredConflict, JudgeMembership, LocalContest,
                            PanelPlacement, Stage)
from judging.locks import relock
from judging.panels import panels_of
from judging.results import Ranked, ScoreError, Sheet, rank_entries, validate_scores

log = logging.getLogger(__name__)

STAGE_ENTRIES = {
    Stage.local: (EntryStatus.submitted,),
    Stage.preliminary: (EntryStatus.eligible,),
    Stage.final: (EntryStatus.finalist,),
}
JUDGE_ROLE = {Stage.local: Role.local_judge, Stage.preliminary: Role.judge, Stage.final: Role.judge}


STAGE_LABELS = {Stage.local: "vòng chấm cấp cơ sở", Stage.preliminary: "vòng sơ khảo", Stage.final: "vòng chung khảo"}


def rules_of(round_: Round) -> RoundRules:
    return RoundRules.model_validate(round_.rules)


def rubric_for(session: Session, round_: Round, stage: Stage, unit_id: int | None = None) -> list[Criterion]:
    """The stage's rubric: a unit's own local rubric if it set one, else the round's."""
    rules = rules_of(round_)
    if stage == Stage.local:
        own = session.exec(select(LocalContest.rubric).where(LocalContest.round_id == round_.id,
                                                              LocalContest.unit_id == unit_id)).first()
        if own:
            return [Criterion.model_validate(c) for c in own]
        if rules.local_rubric:
            return rules.local_rubric
    return rules.rubric


def stage_settings(round_: Round, stage: Stage) -> StageSettings:
    return rules_of(round_).stages.get(stage.value) or StageSettings()


def add_judge(session: Session, *, round_: Round, user: User, stage: Stage, panel_code: str | None, actor: User,
              now: datetime) -> JudgeMembership:
    """Judges of the local stage are the unit's local judges; central stages take central judges."""
    if user.role != JUDGE_ROLE[stage]:
        raise Invalid("Tài khoản này không có vai trò giám khảo của vòng chấm này.", field="user_id",
                      code="not_a_judge")
    if stage == Stage.local and actor.role == Role.unit_manager and actor.unit_id != user.unit_id:
        raise Forbidden("Chỉ thêm được giám khảo của đơn vị mình.", code="not_your_unit")
    existing = session.exec(select(JudgeMembership).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.user_id == user.id, JudgeMembership.stage == stage)).first()
    membership = existing or JudgeMembership(round_id=round_.id, user_id=user.id, stage=stage)
    membership.panel_code = panel_code
    membership.unit_id = user.unit_id if stage == Stage.local else None
    session.add(membership)
    session.flush()
    audit.record(session, actor_id=actor.id, action="judging.judge_added", object_type="user", object_id=user.id,
                 now=now, data={"round_id": round_.id, "stage": stage, "panel": panel_code})
    return membership


def declare_conflict(session: Session, *, judge: User, entry: Entry, reason: str, actor: User,
                     now: datetime) -> DeclaredConflict:
    row = session.exec(select(DeclaredConflict).where(DeclaredConflict.judge_id == judge.id,
                                                      DeclaredConflict.entry_id == entry.id)).first()
    row = row or DeclaredConflict(judge_id=judge.id, entry_id=entry.id, declared_by=actor.id)
    row.reason, row.declared_at = reason.strip()[:500], now
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id, action="judging.conflict_declared", object_type="entry",
                 object_id=entry.id, now=now, data={"judge_id": judge.id})
    return row


# --- facts for the pure rules -------------------------------------------------------------------

def judge_info(user: User, stage: Stage) -> plan_rules.JudgeInfo:
    """A local jury judges its own unit's contest: the same-unit rule applies to central stages only."""
    return plan_rules.JudgeInfo(id=user.id, unit_id=None if stage == Stage.local else user.unit_id,
                                outlet=user.outlet, email=user.email, name_key=plan_rules.name_key(user.full_name))


def entry_infos(session: Session, entries: list[Entry]) -> dict[int, plan_rules.EntryInfo]:
    """Units, outlets and authors of each entry, in three queries whatever their number."""
    ids = [e.id for e in entries]
    outlets: dict[int, set[str]] = {i: set() for i in ids}
    emails: dict[int, set[str]] = {i: set() for i in ids}
    names: dict[int, set[str]] = {i: set() for i in ids}
    parts: dict[int, int] = {i: 0 for i in ids}
    if ids:
        for entry_id, outlet in session.exec(select(EntryPart.entry_id, EntryPart.outlet).where(EntryPart.entry_id.in_(ids))):
            outlets[entry_id].add(plan_rules.outlet_key(outlet))
            parts[entry_id] += 1
        for a in session.exec(select(EntryAuthor).where(EntryAuthor.entry_id.in_(ids))):
            if a.outlet:
                outlets[a.entry_id].add(plan_rules.outlet_key(a.outlet))
            if a.email:
                emails[a.entry_id].add(a.email.lower())
            names[a.entry_id].add(plan_rules.name_key(a.full_name))
    pages: dict[int, int] = {i: 0 for i in ids}
    if ids:
        for entry_id, n in session.exec(select(EntryFile.entry_id, func.sum(EntryFile.pages)).where(
                EntryFile.entry_id.in_(ids), EntryFile.removed_at == None).group_by(EntryFile.entry_id)):  # noqa: E711
            pages[entry_id] = int(n or 0)
    # Load, in works: a series takes longer (half a work per extra part), and so do long texts (a tenth
    # per page). Minutes of audio and video are not known to the system, so they do not count.
    return {e.id: plan_rules.EntryInfo(id=e.id, unit_id=e.unit_id, outlet_keys=frozenset(outlets[e.id] - {""}),
                                       author_emails=frozenset(emails[e.id]), author_name_keys=frozenset(names[e.id]),
                                       load=1 + 0.5 * max(0, parts[e.id] - 1) + pages[e.id] / 10) for e in entries}


def declared(session: Session, judge_ids: list[int]) -> set[tuple[int, int]]:
    if not judge_ids:
        return set()
    return set(session.exec(select(DeclaredConflict.judge_id, DeclaredConflict.entry_id)
                            .where(DeclaredConflict.judge_id.in_(judge_ids))).all())


def _stage_query(query, *, round_: Round, stage: Stage, unit_id: int | None, panel: str | None):
    """`query` (over Entry or its columns) narrowed to the works judged at `stage`, in a unit or a subpanel."""
    query = query.where(Entry.round_id == round_.id, Entry.status.in_(STAGE_ENTRIES[stage]))
    if stage == Stage.local:
        query = query.where(Entry.unit_id == unit_id)
    if panel is not None:
        query = query.join(PanelPlacement, PanelPlacement.entry_id == Entry.id).where(PanelPlacement.panel_code == panel)
    return query


def stage_entries(session: Session, *, round_: Round, stage: Stage, unit_id: int | None,
                  panel: str | None = None) -> list[Entry]:
    query = _stage_query(select(Entry), round_=round_, stage=stage, unit_id=unit_id, panel=panel)
    return list(session.exec(query.order_by(Entry.id)).all())


def stage_entry_ids(session: Session, *, round_: Round, stage: Stage, panel: str) -> set[int]:
    """The ids of a subpanel's works at a central stage (what `stage_entries` lists, without loading them)."""
    query = _stage_query(select(Entry.id), round_=round_, stage=stage, unit_id=None, panel=panel)
    return set(session.exec(query).all())


def stage_judges(session: Session, *, round_: Round, stage: Stage, unit_id: int | None,
                 panel: str | None = None) -> list[User]:
    query = select(User).join(JudgeMembership, JudgeMembership.user_id == User.id).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.stage == stage, User.is_active == True)  # noqa: E712
    if stage == Stage.local:
        query = query.where(JudgeMembership.unit_id == unit_id)
    if panel is not None:
        query = query.where(JudgeMembership.panel_code == panel)
    return list(session.exec(query.order_by(User.id)).all())


# --- propose, preview, apply ---------------------------------------------------------------------

def _propose_group(session: Session, *, round_: Round, stage: Stage, k: int, entries: list[Entry],
                   judges: list[User]) -> plan_rules.Plan:
    existing = [plan_rules.Proposed(a.entry_id, a.judge_id) for a in session.exec(select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.stage == stage,
        Assignment.entry_id.in_([e.id for e in entries])))]
    return plan_rules.propose(list(entry_infos(session, entries).values()), [judge_info(j, stage) for j in judges], k,
                              declared(session, [j.id for j in judges]), existing)


def propose_plan(session: Session, *, round_: Round, stage: Stage, k: int, unit_id: int | None, actor: User,
                 now: datetime, panel: str | None = None) -> AssignmentPlan:
    """Propose k judges per entry (conflicts are hard constraints, load balanced) and keep the plan.

    In the preliminary stage each subpanel's judges take that panel's works only: one panel when
    `panel` is given, else every panel in turn, in one plan."""
    if stage == Stage.preliminary:
        codes = [panel] if panel else [p.code for p in panels_of(round_)]
        groups = [(stage_entries(session, round_=round_, stage=stage, unit_id=None, panel=code),
                   stage_judges(session, round_=round_, stage=stage, unit_id=None, panel=code)) for code in codes]
        unplaced = [] if panel else [e for e in stage_entries(session, round_=round_, stage=stage, unit_id=None)
                                     if session.get(PanelPlacement, e.id) is None]
    else:
        groups = [(stage_entries(session, round_=round_, stage=stage, unit_id=unit_id),
                   stage_judges(session, round_=round_, stage=stage, unit_id=unit_id))]
        unplaced = []
    if not any(judges for _, judges in groups):
        raise Conflict("Vòng chấm chưa có giám khảo nào.", code="no_judges")
    assignments, unassignable = [], [{"entry_id": e.id, "reason": "Chưa được phân vào tiểu ban", "got": 0}
                                     for e in unplaced]
    for entries, judges in groups:
        if not entries:
            continue
        if not judges:
            unassignable += [{"entry_id": e.id, "reason": "Tiểu ban chưa có giám khảo", "got": 0} for e in entries]
            continue
        plan = _propose_group(session, round_=round_, stage=stage, k=k, entries=entries, judges=judges)
        assignments += [{"entry_id": p.entry_id, "judge_id": p.judge_id} for p in plan.assignments]
        unassignable += [{"entry_id": u.entry_id, "reason": u.reason_vi, "got": u.got} for u in plan.unassignable]
    row = AssignmentPlan(
        id=secrets.token_hex(16), round_id=round_.id, stage=stage, unit_id=unit_id, judges_per_entry=k,
        assignments=assignments, unassignable=unassignable, created_by=actor.id, created_at=now)
    session.add(row)
    session.flush()
    return row


def apply_plan(session: Session, *, plan: AssignmentPlan, actor: User, now: datetime) -> list[Assignment]:
    """Store exactly the previewed plan, checking each pair again (a conflict may be new since).

    The plan's row is locked first: the same plan applied twice at once (a double click, two processes)
    is applied once and the second is refused. A pair assigned since the plan was proposed (by hand, or
    by another plan) makes the plan outdated: refused, nothing stored."""
    if relock(session, plan) is None or plan.applied_at is not None:
        raise Conflict("Phương án phân công này đã được áp dụng.", code="plan_applied")
    wanted = {(p["entry_id"], p["judge_id"]) for p in plan.assignments}
    existing = set(session.exec(select(Assignment.entry_id, Assignment.judge_id).where(
        Assignment.stage == plan.stage, Assignment.entry_id.in_({e for e, _ in wanted}))).all()) if wanted else set()
    if wanted & existing:
        raise Conflict("Phương án đã cũ: có tác phẩm đã được phân công cho giám khảo này từ sau khi lập phương án. "
                       "Hãy lập phương án mới.", code="plan_outdated")
    rows = []
    judges = {u.id: u for u in session.exec(select(User).where(User.id.in_({p["judge_id"] for p in plan.assignments})))}
    entries = {e.id: e for e in session.exec(select(Entry).where(Entry.id.in_({p["entry_id"] for p in plan.assignments})))}
    infos = entry_infos(session, list(entries.values()))
    pairs = declared(session, list(judges))
    for pair in plan.assignments:
        judge, entry = judges[pair["judge_id"]], entries[pair["entry_id"]]
        try:
            plan_rules.check_assignment(judge_info(judge, Stage(plan.stage)), infos[entry.id], pairs)
        except plan_rules.AssignmentConflict as exc:
            raise Conflict(f"Không thể phân công {judge.full_name} chấm “{entry.title}”: {exc}.",
                           code="conflict_of_interest") from exc
        row = Assignment(round_id=plan.round_id, stage=plan.stage, entry_id=entry.id, judge_id=judge.id,
                         created_at=now, updated_at=now)
        session.add(row)
        rows.append(row)
    plan.applied_at = now
    session.add(plan)
    _flush_assignments(session)
    audit.record(session, actor_id=actor.id, action="judging.plan_applied", object_type="plan", object_id=plan.id,
                 now=now, data={"stage": plan.stage, "assignments": plan.assignments})
    per_judge: dict[int, list[int]] = {}
    for row in rows:
        per_judge.setdefault(row.judge_id, []).append(row.entry_id)
    for judge_id, entry_ids in per_judge.items():
        notifications.judge_assigned(session, judge=judges[judge_id], entry_ids=entry_ids,
                                     stage_label=STAGE_LABELS[Stage(plan.stage)], key=f"plan:{plan.id}", now=now)
    return rows


def _flush_assignments(session: Session) -> None:
    """Write new assignments; the unique key (stage, entry, judge) refuses a pair another process assigned
    at the same moment (one score sheet per judge, work and stage), as a conflict rather than an error."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("Giám khảo vừa được phân công chấm tác phẩm này (thao tác đồng thời). Hãy tải lại trang.",
                       code="already_assigned") from exc


def add_assignment(session: Session, *, round_: Round, stage: Stage, entry: Entry, judge: User, actor: User,
                   now: datetime) -> Assignment:
    """By hand, after the plan: the same conflict rules."""
    try:
        plan_rules.check_assignment(judge_info(judge, stage), entry_infos(session, [entry])[entry.id],
                                    declared(session, [judge.id]))
    except plan_rules.AssignmentConflict as exc:
        raise Forbidden(f"Giám khảo không được chấm tác phẩm này: {exc}.", code="conflict_of_interest") from exc
    if session.exec(select(Assignment.id).where(Assignment.stage == stage, Assignment.entry_id == entry.id,
                                                Assignment.judge_id == judge.id)).first() is not None:
        raise Conflict("Giám khảo đã được phân công chấm tác phẩm này.", code="already_assigned")
    row = Assignment(round_id=round_.id, stage=stage, entry_id=entry.id, judge_id=judge.id, created_at=now,
                     updated_at=now)
    session.add(row)
    _flush_assignments(session)
    audit.record(session, actor_id=actor.id, action="judging.assigned", object_type="entry", object_id=entry.id,
                 now=now, data={"judge_id": judge.id, "stage": stage})
    notifications.judge_assigned(session, judge=judge, entry_ids=[entry.id], stage_label=STAGE_LABELS[Stage(stage)],
                                 key=f"assignment:{row.id}", now=now)
    return row


# --- scoring -------------------------------------------------------------------------------------

def save_score(session: Session, *, assignment: Assignment, judge: User, scores: dict, comment: str, submit: bool,
               now: datetime) -> Assignment:
    """A judge saves (autosave) or submits their sheet. Submitting locks it; the conflict rules are
    checked again here, not only when assigning."""
    if assignment.judge_id != judge.id:
        raise Forbidden("Đây không phải bài được phân công cho bạn.", code="not_your_assignment")
    # The sheet is read again under a row lock: two saves of one sheet (autosave racing submit, a double
    # submit through two processes) run one after the other, and the second sees the first's outcome.
    if relock(session, assignment) is None:
        raise NotFound("Phiếu chấm không còn (phân công đã bị hủy).", code="assignment_not_found")
    round_ = session.get(Round, assignment.round_id)
    if stage_settings(round_, Stage(assignment.stage)).closed:
        raise Conflict("Vòng chấm đã đóng, không thể lưu điểm.", code="stage_closed")
    if assignment.submitted_at is not None:
        raise Conflict("Phiếu chấm đã nộp và bị khóa.", code="already_submitted")
    entry = session.get(Entry, assignment.entry_id)
    try:
        plan_rules.check_assignment(judge_info(judge, Stage(assignment.stage)), entry_infos(session, [entry])[entry.id],
                                    declared(session, [judge.id]))
    except plan_rules.AssignmentConflict as exc:
        raise Forbidden(f"Giám khảo không được chấm tác phẩm này: {exc}.", code="conflict_of_interest") from exc
    try:
        clean = validate_scores(scores, rubric_for(session, round_, Stage(assignment.stage), entry.unit_id),
                                complete=submit)
    except ScoreError as exc:
        raise Invalid(exc.message, field=f"scores.{exc.field}", code="invalid_score") from exc
    assignment.scores = {k: str(v) for k, v in clean.items()}
    assignment.comment = (comment or "").strip()[:5000]
    assignment.updated_at = now
    if submit:
        assignment.submitted_at = now
    session.add(assignment)
    session.flush()
    audit.record(session, actor_id=judge.id, action="judging.sheet_submitted" if submit else "judging.score_saved",
                 object_type="assignment", object_id=assignment.id, now=now, data={"scores": assignment.scores})
    return assignment


def remove_assignment(session: Session, *, assignment: Assignment, actor: User, now: datetime) -> None:
    """By hand; a sheet already submitted stays (reopen it first if it must go)."""
    if relock(session, assignment) is None:
        raise NotFound("Phiếu chấm không còn (phân công đã bị hủy).", code="assignment_not_found")
    if assignment.submitted_at is not None:
        raise Conflict("Phiếu chấm đã nộp, không thể bỏ phân công.", code="already_submitted")
    audit.record(session, actor_id=actor.id, action="judging.unassigned", object_type="entry",
                 object_id=assignment.entry_id, now=now, data={"judge_id": assignment.judge_id, "stage": assignment.stage})
    session.delete(assignment)
    session.flush()


def others_sheets(session: Session, *, assignment: Assignment) -> list[Assignment]:
    """Other judges' submitted sheets on the same work, for stages that share scores."""
    return list(session.exec(select(Assignment).where(
        Assignment.stage == assignment.stage, Assignment.entry_id == assignment.entry_id,
        Assignment.id != assignment.id, Assignment.submitted_at != None)).all())  # noqa: E711


def reopen(session: Session, *, assignment: Assignment, actor: User, now: datetime) -> Assignment:
    if relock(session, assignment) is None:
        raise NotFound("Phiếu chấm không còn (phân công đã bị hủy).", code="assignment_not_found")
    if assignment.submitted_at is None:
        raise Conflict("Phiếu chấm chưa nộp.", code="not_submitted")
    assignment.submitted_at = None
    assignment.updated_at = now
    session.add(assignment)
    audit.record(session, actor_id=actor.id, action="judging.sheet_reopened", object_type="assignment",
                 object_id=assignment.id, now=now)
    return assignment


def ranking(session: Session, *, round_: Round, stage: Stage, method: str, unit_id: int | None = None,
            panel: str | None = None) -> list[Ranked]:
    """The stage's ranking from submitted sheets, with the number of sheets expected per entry."""
    # A round has tens of thousands of sheets (bench/scale.py): plain columns, the scores as the JSON
    # text they are stored as (decoded here, ~4× faster than the driver's JSON and datetime types),
    # and each distinct score string turned into a Decimal once.
    query = select(Assignment.judge_id, Assignment.entry_id, sa.cast(Assignment.scores, sa.Text),
                   Assignment.submitted_at.is_not(None)).join(
        Entry, Entry.id == Assignment.entry_id).where(Assignment.round_id == round_.id, Assignment.stage == stage)
    if unit_id is not None:
        query = query.where(Entry.unit_id == unit_id)
    if panel is not None:
        query = query.join(PanelPlacement, PanelPlacement.entry_id == Assignment.entry_id).where(
            PanelPlacement.panel_code == panel)
    expected: dict[int, int] = {}
    sheets = []
    decimals: dict[str, Decimal] = {}
    for judge_id, entry_id, scores, submitted in session.execute(query):
        expected[entry_id] = expected.get(entry_id, 0) + 1
        if submitted:
            values = {}
            for code, text in json.loads(scores).items():
                value = decimals.get(text)
                if value is None:
                    value = decimals[text] = Decimal(text)
                values[code] = value
            sheets.append(Sheet(judge_id, entry_id, values))
    return rank_entries(sheets, rubric_for(session, round_, stage, unit_id), method, expected=expected)


def progress(session: Session, *, round_: Round, stage: Stage, unit_id: int | None = None) -> tuple[int, int]:
    """(submitted sheets, assigned sheets) for the stage."""
    query = select(func.count(), func.count(Assignment.submitted_at)).join(Entry, Entry.id == Assignment.entry_id).where(
        Assignment.round_id == round_.id, Assignment.stage == stage)
    if unit_id is not None:
        query = query.where(Entry.unit_id == unit_id)
    total, submitted = session.exec(query).one()
    return submitted, total


def assigned_entry(session: Session, *, judge: User, entry_id: int) -> Entry | None:
    """A judge sees an entry only while it is assigned to them."""
    return session.exec(select(Entry).join(Assignment, Assignment.entry_id == Entry.id).where(
        Assignment.judge_id == judge.id, Entry.id == entry_id)).first()
