"""Assignments: propose, preview and apply a plan (conflicts are hard constraints, load balanced), and
assign or unassign one judge by hand under the same rules, with an audit event for each."""

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from award import audit, notifications
from award.errors import Conflict, Forbidden, NotFound
from award.models import Entry, Round, User
from judging import assignment as plan_rules
from judging.juries import declared, entry_infos, judge_info, stage_judges
from judging.locks import relock
from judging.models import Assignment, AssignmentPlan, PanelPlacement, Stage
from judging.panels import panels_of
from judging.stages import STAGE_LABELS, require_setup, stage_entries

NO_ENTRIES = "Chưa có tác phẩm nào đã nộp để phân công."


def proposed_message(plan: AssignmentPlan) -> str:
    """What the page says after "propose": how many sheets the plan gives out, or, when it gives out none
    (every work lacks a judge it may have), that there is nothing to apply and why."""
    if plan.assignments:
        return f"Đã lập phương án: {len(plan.assignments)} lượt chấm. Xem lại rồi bấm “Áp dụng”."
    return (f"Phương án không có lượt chấm nào: {len(plan.unassignable)} tác phẩm không tìm được giám khảo phù hợp "
            "(xem lý do bên dưới). Hãy thêm giám khảo rồi lập lại phương án.")


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
    require_setup(round_, stage, now)
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
    if not unplaced and not any(entries for entries, _ in groups):
        raise Conflict(NO_ENTRIES, code="no_entries")
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
    if not assignments and not unassignable:  # every work already has its judges: nothing to propose
        raise Conflict("Mọi tác phẩm đã được phân công đủ giám khảo; không có lượt chấm nào cần giao thêm.",
                       code="nothing_to_assign")
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
    require_setup(session.get(Round, plan.round_id), Stage(plan.stage), now)
    if relock(session, plan) is None or plan.applied_at is not None:
        raise Conflict("Phương án phân công này đã được áp dụng.", code="plan_applied")
    if not plan.assignments:
        why = (f" {len(plan.unassignable)} tác phẩm không tìm được đủ giám khảo (xem lý do trong phương án)."
               if plan.unassignable else " Chưa có tác phẩm nào cần chấm hoặc chưa có giám khảo.")
        raise Conflict("Phương án không có lượt chấm nào nên không có gì để áp dụng." + why, code="plan_empty")
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
    require_setup(round_, stage, now)
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


def remove_assignment(session: Session, *, assignment: Assignment, actor: User, now: datetime) -> None:
    """By hand; a sheet already submitted stays (reopen it first if it must go)."""
    require_setup(session.get(Round, assignment.round_id), Stage(assignment.stage), now)
    if relock(session, assignment) is None:
        raise NotFound("Phiếu chấm không còn (phân công đã bị hủy).", code="assignment_not_found")
    if assignment.submitted_at is not None:
        raise Conflict("Phiếu chấm đã nộp, không thể bỏ phân công.", code="already_submitted")
    audit.record(session, actor_id=actor.id, action="judging.unassigned", object_type="entry",
                 object_id=assignment.entry_id, now=now, data={"judge_id": assignment.judge_id, "stage": assignment.stage})
    session.delete(assignment)
    session.flush()
