"""Judging section of the API: judges, conflicts, assignments (propose → apply), scores, ranking."""

import json
from datetime import datetime
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import select

from award.errors import Forbidden, NotFound
from award.models import Entry, Role, User
from judging import juries, permissions, plans, sheets, stages
from judging.models import Assignment, AssignmentPlan, JudgeMembership, Stage
from api.deps import ApiUser, NowDep, SessionDep, api_role, load_round
from api.openapi import API_ERRORS, Id

router = APIRouter(prefix="/api/v1", tags=["judging"], responses=API_ERRORS)


class JudgeIn(BaseModel):
    user_id: Id
    stage: Stage
    panel_code: str | None = Field(default=None, max_length=32)


class JudgeOut(BaseModel):
    id: int
    round_id: Id
    user_id: Id
    stage: Stage
    panel_code: str | None
    unit_id: Id | None


class ConflictIn(BaseModel):
    entry_id: Id
    judge_id: Id | None = None
    reason: str = Field(default="", max_length=500)


class ProposeIn(BaseModel):
    judges_per_entry: int = Field(ge=1, le=20)
    unit_id: Id | None = None


class PlanOut(BaseModel):
    plan_id: str
    assignments: list[dict]
    unassignable: list[dict]


class ApplyIn(BaseModel):
    plan_id: str = Field(max_length=32)


class AssignmentOut(BaseModel):
    id: int
    entry_id: Id
    stage: Stage
    status: str
    scores: dict[str, str] = {}
    comment: str = ""
    submitted_at: datetime | None = None


class ScoreIn(BaseModel):
    scores: dict[str, float | int | str | None] = Field(max_length=50)
    comment: str = Field(default="", max_length=5000)
    submit: bool = False


class RankedOut(BaseModel):
    entry_id: Id
    rank: int | None
    score: Decimal | None
    n_scores: int
    stdev: Decimal | None
    flags: list[str]


def _scope_unit(user: User, stage: Stage, unit_id: Id | None) -> int | None:
    """The unit of the local stage the caller acts on (a unit manager: always their own), None for a
    central stage; refused unless judging.permissions.can_manage_stage lets the caller run it."""
    unit_id = permissions.managed_unit(user) or unit_id
    if not permissions.can_manage_stage(user, stage, unit_id):
        raise Forbidden("Cán bộ đơn vị chỉ điều hành vòng sơ tuyển của đơn vị.", code="role_forbidden")
    if stage == Stage.local and unit_id is None:
        raise NotFound("Hãy chọn đơn vị của vòng sơ tuyển.", code="unit_required")
    return unit_id if stage == Stage.local else None


def _managed_assignment(session, user: User, assignment_id: Id) -> Assignment:
    """An assignment the caller runs (judging.permissions.can_manage_sheet), else 404."""
    row = session.get(Assignment, assignment_id)
    entry = session.get(Entry, row.entry_id) if row else None
    if row is None or not permissions.can_manage_sheet(user, row, entry):
        raise NotFound("Không tìm thấy phiếu chấm.", code="assignment_not_found")
    return row


def assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(id=a.id, entry_id=a.entry_id, stage=a.stage, scores=a.scores, comment=a.comment,
                         submitted_at=a.submitted_at, status="submitted" if a.submitted_at else
                         ("in_progress" if a.scores else "assigned"))


@router.post("/rounds/{round_id}/judges", status_code=201, response_model=JudgeOut, name="api:judges:add",
             dependencies=[api_role(Role.secretariat, Role.unit_manager)])
def add_judge(round_id: Id, body: JudgeIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_ = load_round(round_id, session)
    if not permissions.can_manage_stage(user, body.stage, permissions.managed_unit(user)):
        raise Forbidden("Cán bộ đơn vị chỉ thêm giám khảo sơ tuyển.", code="role_forbidden")
    judge = session.get(User, body.user_id)
    if judge is None:
        raise NotFound("Không tìm thấy tài khoản.", field="user_id", code="user_not_found")
    membership = juries.add_judge(session, round_=round_, user=judge, stage=body.stage, panel_code=body.panel_code,
                                   actor=user, now=now)
    return JudgeOut.model_validate(membership, from_attributes=True)


@router.delete("/rounds/{round_id}/stages/{stage}/judges/{user_id}", status_code=204, name="api:judges:remove",
               dependencies=[api_role(Role.secretariat, Role.unit_manager)])
def remove_judge(round_id: Id, stage: Stage, user_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    """Takes the judge off the stage's jury (a unit manager: their unit's local jury); 409 `judge_has_sheets` (or
    `judge_has_ballots`) once they submitted one. Their unsubmitted sheets go with them."""
    load_round(round_id, session)
    membership = session.exec(select(JudgeMembership).where(
        JudgeMembership.round_id == round_id, JudgeMembership.user_id == user_id, JudgeMembership.stage == stage)).first()
    if membership is None:
        raise NotFound("Không tìm thấy giám khảo trong hội đồng.", code="membership_not_found")
    juries.remove_judge(session, membership=membership, actor=user, now=now)
    return Response(status_code=204)


@router.post("/rounds/{round_id}/conflicts", status_code=201, name="api:conflicts:declare",
             dependencies=[api_role(Role.judge, Role.local_judge, Role.secretariat)])
def declare_conflict(round_id: Id, body: ConflictIn, session: SessionDep, user: ApiUser, now: NowDep):
    entry = session.get(Entry, body.entry_id)
    if entry is None or entry.round_id != round_id:
        raise NotFound("Không tìm thấy tác phẩm.", field="entry_id", code="entry_not_found")
    judge = user if body.judge_id is None else session.get(User, body.judge_id)
    if judge is None or not permissions.can_declare_for(user, judge):
        raise NotFound("Không tìm thấy giám khảo.", field="judge_id", code="user_not_found")
    row = juries.declare_conflict(session, judge=judge, entry=entry, reason=body.reason, actor=user, now=now)
    return {"judge_id": row.judge_id, "entry_id": row.entry_id, "reason": row.reason}


@router.post("/rounds/{round_id}/stages/{stage}/assignments/propose", response_model=PlanOut,
             name="api:assignments:propose", dependencies=[api_role(Role.secretariat, Role.unit_manager)])
def propose(round_id: Id, stage: Stage, body: ProposeIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_ = load_round(round_id, session)
    plan = plans.propose_plan(session, round_=round_, stage=stage, k=body.judges_per_entry,
                                unit_id=_scope_unit(user, stage, body.unit_id), actor=user, now=now)
    return PlanOut(plan_id=plan.id, assignments=plan.assignments, unassignable=plan.unassignable)


@router.post("/rounds/{round_id}/stages/{stage}/assignments/apply", response_model=list[AssignmentOut],
             name="api:assignments:apply", dependencies=[api_role(Role.secretariat, Role.unit_manager)])
def apply(round_id: Id, stage: Stage, body: ApplyIn, session: SessionDep, user: ApiUser, now: NowDep):
    plan = session.get(AssignmentPlan, body.plan_id)
    if plan is None or plan.round_id != round_id or plan.stage != stage:
        raise NotFound("Không tìm thấy phương án phân công.", field="plan_id", code="plan_not_found")
    if not permissions.can_manage_stage(user, plan.stage, plan.unit_id):
        raise NotFound("Không tìm thấy phương án phân công.", field="plan_id", code="plan_not_found")
    return [assignment_out(a) for a in plans.apply_plan(session, plan=plan, actor=user, now=now)]


class ManualIn(BaseModel):
    entry_id: Id
    judge_id: Id


@router.post("/rounds/{round_id}/stages/{stage}/assignments", status_code=201, response_model=AssignmentOut,
             name="api:assignments:add", dependencies=[api_role(Role.secretariat, Role.unit_manager)])
def add_by_hand(round_id: Id, stage: Stage, body: ManualIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_ = load_round(round_id, session)
    entry, judge = session.get(Entry, body.entry_id), session.get(User, body.judge_id)
    if entry is None or entry.round_id != round_id or judge is None:
        raise NotFound("Không tìm thấy tác phẩm hoặc giám khảo.", code="not_found")
    _scope_unit(user, stage, entry.unit_id)
    if stage == Stage.local and not permissions.can_manage_stage(user, stage, entry.unit_id):
        raise NotFound("Không tìm thấy tác phẩm.", code="entry_not_found")
    return assignment_out(plans.add_assignment(session, round_=round_, stage=stage, entry=entry, judge=judge,
                                                 actor=user, now=now))


@router.delete("/judging/assignments/{assignment_id}", status_code=204, name="api:assignments:remove",
               dependencies=[api_role(Role.secretariat, Role.unit_manager)])
def remove(assignment_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    row = _managed_assignment(session, user, assignment_id)
    plans.remove_assignment(session, assignment=row, actor=user, now=now)
    return Response(status_code=204)


@router.get("/judging/assignments", response_model=list[AssignmentOut], name="api:judging:mine")
def my_assignments(session: SessionDep, user: ApiUser):
    rows = session.exec(select(Assignment).where(Assignment.judge_id == user.id).order_by(Assignment.id)).all()
    return [assignment_out(a) for a in rows]


def _own_assignment(session, user: User, assignment_id: Id) -> Assignment:
    row = session.get(Assignment, assignment_id)
    if row is None:
        raise NotFound("Không tìm thấy phiếu chấm.", code="assignment_not_found")
    if not permissions.can_see_sheet(user, row):
        raise Forbidden("Đây không phải bài được phân công cho anh/chị.", code="not_your_assignment")
    return row


@router.put("/judging/assignments/{assignment_id}/score", response_model=AssignmentOut, name="api:judging:score",
            dependencies=[api_role(Role.judge, Role.local_judge)])
def score(assignment_id: Id, body: ScoreIn, session: SessionDep, user: ApiUser, now: NowDep):
    row = _own_assignment(session, user, assignment_id)
    sheets.save_score(session, assignment=row, judge=user, scores=body.scores, comment=body.comment,
                       submit=body.submit, now=now)
    return assignment_out(row)


@router.post("/judging/assignments/{assignment_id}/reopen", response_model=AssignmentOut, name="api:judging:reopen",
             dependencies=[api_role(Role.secretariat, Role.unit_manager)])
def reopen(assignment_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    row = _managed_assignment(session, user, assignment_id)
    sheets.reopen(session, assignment=row, actor=user, now=now)
    return assignment_out(row)


@router.get("/rounds/{round_id}/stages/{stage}/ranking", response_model=list[RankedOut], name="api:ranking",
            dependencies=[api_role(Role.secretariat, Role.unit_manager)])
def ranking(round_id: Id, stage: Stage, session: SessionDep, user: ApiUser,
            method: Literal["mean", "median", "trimmed", "zscore"] = "mean",
            panel: str | None = Query(default=None, max_length=32), unit_id: Id | None = None,
            offset: int = Query(default=0, ge=0, le=1_000_000), limit: int | None = Query(default=None, ge=1, le=1000)):
    round_ = load_round(round_id, session)
    scoped = _scope_unit(user, stage, unit_id)  # the secretariat may also narrow a central ranking to a unit
    headers = {}
    if limit is None and not offset:
        rows = stages.ranking(session, round_=round_, stage=stage, method=method,
                              unit_id=scoped if stage == Stage.local else unit_id, panel=panel)
    else:  # one page, cut by the database; the whole ranking's length in X-Total-Count
        rows, total = stages.ranking_page(session, round_=round_, stage=stage, method=method, offset=offset,
                                          limit=limit or 1000, unit_id=scoped if stage == Stage.local else unit_id,
                                          panel=panel)
        headers["X-Total-Count"] = str(total)
    # A whole round is tens of thousands of rows: written as RankedOut would be (decimals as strings), without
    # building and validating a model per row, which took longer than the ranking itself.
    return Response(json.dumps([
        {"entry_id": r.entry_id, "rank": r.rank, "score": None if r.score is None else str(r.score),
         "n_scores": r.n_sheets, "stdev": None if r.stdev is None else str(r.stdev), "flags": list(r.flags)}
        for r in rows], ensure_ascii=False, separators=(",", ":")), media_type="application/json", headers=headers)
