"""Round administration (secretariat): launching a round and setting its units' quotas at once."""

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from award.errors import Invalid
from award.models import Role, Round
from judging import round_setup
from api.deps import ApiUser, NowDep, SessionDep, api_role
from api.openapi import API_ERRORS, Id
from api.routers.reference import Calendar, RoundDep, RoundDetail, round_out

router = APIRouter(prefix="/api/v1", tags=["round administration"], responses=API_ERRORS)


class RoundIn(BaseModel):
    number: str = Field(max_length=16, description="Roman numeral, e.g. XI")
    year: int
    name: str | None = Field(default=None, max_length=300)
    copy_from_round_id: Id | None = None
    calendar: Calendar
    publication_start: date | None = None
    publication_end: date | None = None


class QuotaLine(BaseModel):
    unit_id: Id
    quota: int = Field(ge=0, le=round_setup.MAX_QUOTA)


class QuotasIn(BaseModel):
    quotas: list[QuotaLine] = Field(max_length=5000)


class QuotaRowOut(BaseModel):
    unit_id: int
    code: str
    name: str
    quota: int
    forwarded: int
    submitted: int


class QuotasOut(BaseModel):
    quotas: list[QuotaRowOut]
    changed: int


@router.post("/rounds", response_model=RoundDetail, status_code=201, name="api:round:create",
             dependencies=[api_role(Role.secretariat)])
def create_round(body: RoundIn, session: SessionDep, now: NowDep, actor: ApiUser):
    """A new round, in preparation (`draft`) until opened; with `copy_from_round_id` its rules and quotas are
    copied from that round (not its entries, outline or judges). 409 `round_exists` for a number or year
    already used; 422 naming every date out of order."""
    source = None
    if body.copy_from_round_id is not None:
        source = session.get(Round, body.copy_from_round_id)
        if source is None:
            raise Invalid("Không có đợt giải này để sao chép.", field="copy_from_round_id", code="round_not_found")
    round_ = round_setup.create_round(session, number=body.number, year=body.year, name=body.name,
                                      calendar=body.calendar.model_dump(), copy_from=source,
                                      publication_start=body.publication_start, publication_end=body.publication_end,
                                      actor_id=actor.id, now=now)
    return round_out(round_, now, detail=True)


@router.put("/rounds/{round_id}/quotas", response_model=QuotasOut, name="api:quotas",
            dependencies=[api_role(Role.secretariat)])
def put_quotas(round_: RoundDep, body: QuotasIn, session: SessionDep, now: NowDep, actor: ApiUser):
    """Many units' quotas at once, all or nothing: an unknown unit or a quota below what the unit already
    forwarded refuses the whole request (422 naming each line and the unit)."""
    changed = round_setup.set_quotas(session, round_=round_, quotas=[(q.unit_id, q.quota) for q in body.quotas],
                                     actor=actor, now=now)
    rows = round_setup.quota_rows(session, round_)
    return {"changed": changed, "quotas": [r.__dict__ for r in rows]}
