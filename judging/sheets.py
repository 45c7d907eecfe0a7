"""Score sheets: a judge's autosave and submit (which locks the sheet), the secretariat's reopen, the
other judges' sheets where a stage shares scores (which works a judge may open: judging.permissions)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from award import audit
from award.errors import Conflict, FieldErrors, Forbidden, Invalid, NotFound, fitting
from award.models import Entry, Round, User
from judging import assignment as plan_rules, entry_scores, permissions
from judging.juries import declared, entry_infos, judge_info
from judging.locks import relock
from judging.models import Assignment, Stage
from judging.ranking import ScoreError, Sheet, base_total, sheet_total, validate_scores
from judging.reminders import scoring_deadline
from judging.stages import require_scoring, rubric_for

COMMENT_CHARS = 5000  # a judge's comment on a sheet (the API's SheetIn and the page's textarea say the same)
HARDSHIP_REFUSED = "Tác phẩm không khai báo tác nghiệp khó khăn nên không có điểm thưởng “{label}”."


def sheet_rubric(rubric: list, entry: Entry) -> list:
    """The criteria a judge scores on this work: the bonus criteria (points for work made under hardship)
    only where the work declared hardship."""
    return [c for c in rubric if entry.hardship or not c.bonus]


def running_total(scores: dict, rubric: list) -> tuple[Decimal, Decimal, Decimal]:
    """(the sheet's total so far, the rubric's plain total, the bonus points possible) as the sheet shows them:
    judging.ranking.sheet_total over the scores typed so far; what is not a number yet counts as 0."""
    values = {}
    for code, raw in (scores or {}).items():
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except (InvalidOperation, ValueError):
            continue
        if value.is_finite():
            values[code] = value
    bonus = sum((Decimal(c.max_points) for c in rubric if c.bonus), Decimal(0))
    return sheet_total(Sheet(0, 0, values), rubric), base_total(rubric), bonus


def _drop_bonus(scores: dict, rubric: list, entry: Entry) -> dict:
    """A work without declared hardship takes no bonus: a blank or zero bonus is dropped, any other is
    refused (naming the criterion)."""
    if entry.hardship:
        return scores
    kept = dict(scores)
    for criterion in rubric:
        if criterion.bonus and criterion.code in kept:
            raw = kept.pop(criterion.code)
            if raw is not None and str(raw).strip() not in ("", "0", "0.0", "0,0", "0.00", "0,00"):
                raise Invalid(HARDSHIP_REFUSED.format(label=criterion.label), field=f"scores.{criterion.code}",
                              code="invalid_score")
    return kept


def save_score(session: Session, *, assignment: Assignment, judge: User, scores: dict, comment: str, submit: bool,
               now: datetime) -> Assignment:
    """A judge saves (autosave) or submits their sheet. Submitting locks it; the conflict rules are
    checked again here, not only when assigning."""
    if not permissions.can_see_sheet(judge, assignment):
        raise Forbidden("Đây không phải bài được phân công cho anh/chị.", code="not_your_assignment")
    # The sheet is read again under a row lock: two saves of one sheet (autosave racing submit, a double
    # submit through two processes) run one after the other, and the second sees the first's outcome.
    if relock(session, assignment) is None:
        raise NotFound("Phiếu chấm không còn (phân công đã bị hủy).", code="assignment_not_found")
    round_ = session.get(Round, assignment.round_id)
    require_scoring(round_, Stage(assignment.stage), now)
    if assignment.submitted_at is not None:
        raise Conflict("Phiếu chấm đã nộp và bị khóa.", code="already_submitted")
    entry = session.get(Entry, assignment.entry_id)
    try:
        plan_rules.check_assignment(judge_info(judge, Stage(assignment.stage)), entry_infos(session, [entry])[entry.id],
                                    declared(session, [judge.id]))
    except plan_rules.AssignmentConflict as exc:
        raise Forbidden(f"Giám khảo không được chấm tác phẩm này: {exc}.", code="conflict_of_interest") from exc
    rubric = rubric_for(session, round_, Stage(assignment.stage), entry.unit_id)
    scores = _drop_bonus(scores, rubric, entry)
    try:
        clean = validate_scores(scores, sheet_rubric(rubric, entry), complete=submit)
    except ScoreError as exc:
        refused = FieldErrors({f"scores.{code}": message for code, message in exc.errors.items()})
        refused.code = "invalid_score"
        raise refused from exc
    comment = fitting(comment, COMMENT_CHARS, field="comment", label="Nhận xét")  # refused whole, never cut
    assignment.scores = {k: str(v) for k, v in clean.items()}
    assignment.comment = comment
    assignment.updated_at = now
    if submit:
        assignment.submitted_at = now
    session.add(assignment)
    session.flush()
    if submit:
        entry_scores.refresh(session, round_id=assignment.round_id, stage=Stage(assignment.stage),
                             entry_id=assignment.entry_id, rubric=rubric)
    audit.record(session, actor_id=judge.id, action="judging.sheet_submitted" if submit else "judging.score_saved",
                 object_type="assignment", object_id=assignment.id, now=now, data={"scores": assignment.scores})
    return assignment


@dataclass
class QueueGroup:
    """A judge's sheets of one stage of one round: progress and the day scores are due."""

    round_label: str  # "lần thứ XI – năm 2026" (Round.label)
    round_id: int
    stage: Stage
    deadline: date
    submitted: int
    total: int
    rows: list  # (Assignment, entry title), sheets still to score first


def judge_queue(session: Session, *, judge: User) -> list[QueueGroup]:
    """What the judge's queue page shows: their sheets grouped by round and stage, each group with
    "n of m submitted" and its deadline (judging.reminders.scoring_deadline). Titles only, not whole
    works (their extracted text is large): a judge may have hundreds."""
    rows = session.exec(select(Assignment, Entry.title).join(Entry, Entry.id == Assignment.entry_id)
                        .where(Assignment.judge_id == judge.id)
                        .order_by(Assignment.submitted_at.is_not(None), Assignment.id)).all()
    rounds = {r.id: r for r in session.exec(select(Round).where(Round.id.in_({a.round_id for a, _ in rows})))}
    groups: dict[tuple[int, str], QueueGroup] = {}
    for a, title in rows:
        round_, stage = rounds[a.round_id], Stage(a.stage)
        group = groups.get((a.round_id, stage.value))
        if group is None:
            group = groups[(a.round_id, stage.value)] = QueueGroup(
                round_.label, round_.id, stage, scoring_deadline(round_, stage), 0, 0, [])
        group.total += 1
        group.submitted += a.submitted_at is not None
        group.rows.append((a, title))
    return sorted(groups.values(), key=lambda g: (g.deadline, g.round_id, list(Stage).index(g.stage)))


def next_open_sheet(session: Session, *, judge_id: int, current_id: int) -> Assignment | None:
    """The judge's next sheet not yet submitted after this one (by queue order, wrapping round to the
    first), for "next work" on the sheet page; None when every other sheet is submitted."""
    rows = session.exec(select(Assignment.id).where(Assignment.judge_id == judge_id, Assignment.id != current_id,
                                                    Assignment.submitted_at == None)  # noqa: E711
                        .order_by(Assignment.id)).all()
    chosen = next((i for i in rows if i > current_id), rows[0] if rows else None)
    return session.get(Assignment, chosen) if chosen is not None else None


def others_sheets(session: Session, *, assignment: Assignment) -> list[Assignment]:
    """Other judges' submitted sheets on the same work, for stages that share scores."""
    return list(session.exec(select(Assignment).where(
        Assignment.stage == assignment.stage, Assignment.entry_id == assignment.entry_id,
        Assignment.id != assignment.id, Assignment.submitted_at != None)).all())  # noqa: E711


def reopen(session: Session, *, assignment: Assignment, actor: User, now: datetime) -> Assignment:
    """The jury's organiser unlocks a submitted sheet for its judge, while the stage still takes scores."""
    require_scoring(session.get(Round, assignment.round_id), Stage(assignment.stage), now)
    if relock(session, assignment) is None:
        raise NotFound("Phiếu chấm không còn (phân công đã bị hủy).", code="assignment_not_found")
    if assignment.submitted_at is None:
        raise Conflict("Phiếu chấm chưa nộp.", code="not_submitted")
    assignment.submitted_at = None
    assignment.updated_at = now
    session.add(assignment)
    session.flush()
    round_ = session.get(Round, assignment.round_id)
    entry = session.get(Entry, assignment.entry_id)
    entry_scores.refresh(session, round_id=assignment.round_id, stage=Stage(assignment.stage), entry_id=entry.id,
                         rubric=rubric_for(session, round_, Stage(assignment.stage), entry.unit_id))
    audit.record(session, actor_id=actor.id, action="judging.sheet_reopened", object_type="assignment",
                 object_id=assignment.id, now=now)
    return assignment

