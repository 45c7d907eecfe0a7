"""Score sheets: a judge's autosave and submit (which locks the sheet), the secretariat's reopen, the
other judges' sheets where a stage shares scores (which works a judge may open: judging.permissions)."""

from datetime import datetime

from sqlmodel import Session, select

from award import audit
from award.errors import Conflict, Forbidden, Invalid, NotFound
from award.models import Entry, Round, User
from judging import assignment as plan_rules, permissions
from judging.juries import declared, entry_infos, judge_info
from judging.locks import relock
from judging.models import Assignment, Stage
from judging.ranking import ScoreError, validate_scores
from judging.stages import require_scoring, rubric_for


def save_score(session: Session, *, assignment: Assignment, judge: User, scores: dict, comment: str, submit: bool,
               now: datetime) -> Assignment:
    """A judge saves (autosave) or submits their sheet. Submitting locks it; the conflict rules are
    checked again here, not only when assigning."""
    if not permissions.can_see_sheet(judge, assignment):
        raise Forbidden("Đây không phải bài được phân công cho bạn.", code="not_your_assignment")
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
    audit.record(session, actor_id=actor.id, action="judging.sheet_reopened", object_type="assignment",
                 object_id=assignment.id, now=now)
    return assignment

