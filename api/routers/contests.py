"""Local contests and forwarding: contest summary, quotas, screening, forwarding, receipt, eligibility."""

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field, ValidationError

from award import permissions
from award.errors import Invalid, NotFound
from award.models import Entry, Role, Round, Unit, User
from judging import contests, permissions as judging_permissions
from judging.models import ForwardingBatch
from api.deps import ApiUser, NowDep, SessionDep, api_role
from api.openapi import API_ERRORS, Id

router = APIRouter(prefix="/api/v1", tags=["contests"], responses=API_ERRORS)


class ContestOut(BaseModel):
    quota: int
    forwarded: int
    submitted: int
    status: str


class QuotaIn(BaseModel):
    quota: int = Field(ge=0, le=100_000)


class ForwardIn(BaseModel):
    entry_ids: list[Id] = Field(max_length=10_000)


class BatchOut(BaseModel):
    batch_id: Id
    entry_ids: list[Id]
    forwarded_at: datetime
    digest: str


class DecisionIn(BaseModel):
    eligible: bool
    reason_code: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", max_length=2000)


class DecisionOut(BaseModel):
    entry_id: Id
    eligible: bool
    reason_code: str | None
    status: str


class ReceiptIn(BaseModel):
    postmark_date: date | None = None


def _round_unit(session, round_id: Id, unit_id: Id) -> tuple[Round, Unit]:
    round_, unit = session.get(Round, round_id), session.get(Unit, unit_id)
    if round_ is None or unit is None:
        raise NotFound("Không tìm thấy đợt giải hoặc đơn vị.", code="not_found")
    return round_, unit


def _may_see_contest(user: User, unit: Unit) -> None:
    if not permissions.can_see_contest(user, unit.id):
        raise NotFound("Không tìm thấy cuộc thi của đơn vị.", code="not_found")


def _entry_if(session, user: User, entry_id: Id, rule) -> Entry:
    """The entry when `rule(user, entry)` (an award.permissions predicate) holds, else 404."""
    entry = judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)
    if not rule(user, entry):
        raise NotFound("Không tìm thấy tác phẩm.", code="entry_not_found")
    return entry


@router.get("/units/{unit_id}/rounds/{round_id}/contest", response_model=ContestOut, name="api:contest")
def get_contest(unit_id: Id, round_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    round_, unit = _round_unit(session, round_id, unit_id)
    _may_see_contest(user, unit)
    return ContestOut(**contests.summary(session, round_=round_, unit=unit, now=now).__dict__)


@router.put("/rounds/{round_id}/quotas/{unit_id}", response_model=ContestOut, name="api:quota",
            dependencies=[api_role(Role.secretariat)])
def put_quota(round_id: Id, unit_id: Id, body: QuotaIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_, unit = _round_unit(session, round_id, unit_id)
    contests.set_quota(session, round_=round_, unit=unit, quota=body.quota, actor=user, now=now)
    return ContestOut(**contests.summary(session, round_=round_, unit=unit, now=now).__dict__)


@router.post("/units/{unit_id}/rounds/{round_id}/forward", response_model=BatchOut, name="api:forward",
             dependencies=[api_role(Role.unit_manager)])
def forward(unit_id: Id, round_id: Id, body: ForwardIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_, unit = _round_unit(session, round_id, unit_id)
    batch = contests.forward(session, round_=round_, unit=unit, entry_ids=body.entry_ids, actor=user, now=now)
    return BatchOut(batch_id=batch.id, entry_ids=batch.entry_ids, forwarded_at=batch.forwarded_at, digest=batch.digest)


def _decision(entry: Entry, row) -> DecisionOut:
    return DecisionOut(entry_id=entry.id, eligible=row.eligible, reason_code=row.reason_code, status=entry.status)


@router.post("/entries/{entry_id}/screening", response_model=DecisionOut, name="api:screening",
             dependencies=[api_role(Role.unit_manager)])
def screen(entry_id: Id, body: DecisionIn, session: SessionDep, user: ApiUser, now: NowDep):
    entry = _entry_if(session, user, entry_id, permissions.can_screen)
    row = contests.screen_locally(session, entry=entry, eligible=body.eligible, reason_code=body.reason_code,
                                  note=body.note, actor=user, now=now)
    return _decision(entry, row)


class ReturnIn(BaseModel):
    note: str = Field(max_length=2000)  # what the author must add (required, Vietnamese message if blank)


class StatusOut(BaseModel):
    entry_id: Id
    status: str


@router.post("/entries/{entry_id}/return", response_model=StatusOut, name="api:return_to_author",
             dependencies=[api_role(Role.unit_manager)])
def return_entry(entry_id: Id, body: ReturnIn, session: SessionDep, user: ApiUser, now: NowDep):
    """The unit sends a submitted work back to its author for completion (the note says what is missing)."""
    entry = _entry_if(session, user, entry_id, permissions.can_screen)
    contests.return_to_author(session, entry=entry, note=body.note, actor=user, now=now)
    return StatusOut(entry_id=entry.id, status=entry.status)


@router.post("/entries/{entry_id}/eligibility", response_model=DecisionOut, name="api:eligibility",
             dependencies=[api_role(Role.secretariat)])
def eligibility(entry_id: Id, body: DecisionIn, session: SessionDep, user: ApiUser, now: NowDep):
    entry = _entry_if(session, user, entry_id, permissions.can_rule_eligibility)
    row = contests.rule_eligibility(session, entry=entry, eligible=body.eligible, reason_code=body.reason_code,
                                    note=body.note, actor=user, now=now)
    return _decision(entry, row)


@router.post("/batches/{batch_id}/receipt", response_model=BatchOut, name="api:receipt",
             dependencies=[api_role(Role.secretariat)])
def receipt(batch_id: Id, body: ReceiptIn, session: SessionDep, user: ApiUser, now: NowDep):
    batch = session.get(ForwardingBatch, batch_id)
    if batch is None:
        raise NotFound("Không tìm thấy lô tác phẩm.", code="batch_not_found")
    contests.record_receipt(session, batch=batch, actor=user, now=now, postmark_date=body.postmark_date)
    return BatchOut(batch_id=batch.id, entry_ids=batch.entry_ids, forwarded_at=batch.forwarded_at, digest=batch.digest)


class RubricIn(BaseModel):
    criteria: list[dict] = Field(max_length=20)


class PrizeIn(BaseModel):
    level: str | None = Field(default=None, max_length=16)


class PrizeOut(BaseModel):
    entry_id: Id
    title: str
    level: str
    authors: list[str]


@router.put("/units/{unit_id}/rounds/{round_id}/rubric", name="api:unit_rubric",
            dependencies=[api_role(Role.unit_manager, Role.secretariat)])
def put_rubric(unit_id: Id, round_id: Id, body: RubricIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_, unit = _round_unit(session, round_id, unit_id)
    try:
        contest = contests.set_unit_rubric(session, round_=round_, unit=unit, criteria=body.criteria, actor=user, now=now)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Invalid(f"Tiêu chí không hợp lệ: {first['msg']}", field="criteria", code="invalid_criterion") from exc
    return {"criteria": contest.rubric}


@router.put("/entries/{entry_id}/local-prize", name="api:local_prize", dependencies=[api_role(Role.unit_manager)])
def put_local_prize(entry_id: Id, body: PrizeIn, session: SessionDep, user: ApiUser, now: NowDep):
    entry = _entry_if(session, user, entry_id, permissions.can_award_local_prize)
    row = contests.award_local_prize(session, entry=entry, level=body.level, actor=user, now=now)
    return {"entry_id": entry.id, "level": row.level if row else None}


@router.get("/units/{unit_id}/rounds/{round_id}/prizes", response_model=list[PrizeOut], name="api:local_prizes")
def get_local_prizes(unit_id: Id, round_id: Id, session: SessionDep):
    """Public: the prizes of a unit's own contest."""
    _round_unit(session, round_id, unit_id)
    rows = contests.local_prizes(session, round_id=round_id, unit_id=unit_id)
    return [PrizeOut(entry_id=e.id, title=p.title, level=p.level, authors=p.authors) for p, e in rows]
