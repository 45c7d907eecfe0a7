"""Reference data: rounds with their rules, units, and each round's outline of themes."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel, Field
from sqlmodel import select

from award import calendar, outlines, rounds, units
from award.calendar import CALENDAR_FIELDS, Phase, phase
from award.errors import Invalid, NotFound
from award.models import Role, Round, Unit, UnitKind
from award.outline_parser import parse_outline
from award.outlines import outline_tree
from judging import round_setup
from api.deps import ApiUser, NowDep, SessionDep, api_role, load_round
from api.limits import OUTLINE_FILE_MAX_BYTES
from api.openapi import API_ERRORS, Id, errors

router = APIRouter(prefix="/api/v1", tags=["reference"], responses=API_ERRORS)

MAX_OUTLINE_BYTES = OUTLINE_FILE_MAX_BYTES


class Calendar(BaseModel):
    """The round's dates, days in Asia/Ho_Chi_Minh (award.calendar)."""

    submission_opens: date
    local_deadline: date
    central_deadline: date
    preliminary_ends: date
    final_ends: date
    ceremony_on: date


class CalendarPatch(BaseModel):
    submission_opens: date | None = None
    local_deadline: date | None = None
    central_deadline: date | None = None
    preliminary_ends: date | None = None
    final_ends: date | None = None
    ceremony_on: date | None = None


class RoundOut(BaseModel):
    id: int
    number: str
    year: int
    name: str
    status: Phase  # the phase, as in v1 clients' "status"
    phase: Phase
    phase_label: str
    draft: bool
    closed_at: datetime | None
    publication_start: date
    publication_end: date
    local_deadline: date
    central_deadline: date
    calendar: Calendar


class RoundDetail(RoundOut):
    rules: dict[str, Any]


class RoundPatch(BaseModel):
    """`status` takes only the explicit states: "draft" (keep in preparation), "closed" (archive), or "open"
    (neither: the calendar decides). Every other phase follows from the calendar and the clock."""

    name: str | None = None
    status: Literal["draft", "open", "closed"] | None = None
    publication_start: date | None = None
    publication_end: date | None = None
    local_deadline: date | None = None
    central_deadline: date | None = None
    calendar: CalendarPatch | None = None
    rules: dict[str, Any] | None = None


class EndPhaseIn(BaseModel):
    phase: Phase  # the phase the caller saw: a stale page cannot end the next one


def round_out(round_: Round, now: datetime, *, detail: bool = False) -> dict:
    current = phase(round_, now)
    out = {"id": round_.id, "number": round_.number, "year": round_.year, "name": round_.name, "status": current,
           "phase": current, "phase_label": calendar.PHASE_LABELS[current], "draft": round_.draft,
           "closed_at": round_.closed_at, "publication_start": round_.publication_start,
           "publication_end": round_.publication_end, "local_deadline": round_.local_deadline,
           "central_deadline": round_.central_deadline,
           "calendar": {f: getattr(round_, f) for f in CALENDAR_FIELDS}}
    if detail:
        out["rules"] = round_.rules
    return out


class UnitOut(BaseModel):
    id: int
    code: str
    name: str
    kind: UnitKind
    valid_from: date | None  # days in Asia/Ho_Chi_Minh, inclusive; null = open
    valid_to: date | None
    predecessor_ids: list[int]


class UnitIn(BaseModel):
    code: str = Field(max_length=200)
    name: str = Field(max_length=1000)
    kind: UnitKind
    valid_from: date | None = None
    valid_to: date | None = None
    predecessor_ids: list[Id] = Field(default_factory=list, max_length=100)


class UnitPatch(BaseModel):
    """Only the fields sent change; `valid_to` retires the unit (409 unit_in_use while a round uses it)."""

    code: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=1000)
    kind: UnitKind | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    predecessor_ids: list[Id] | None = Field(default=None, max_length=100)


def unit_out(view: units.UnitView) -> dict:
    return {"id": view.id, "code": view.code, "name": view.name, "kind": view.kind, "valid_from": view.valid_from,
            "valid_to": view.valid_to, "predecessor_ids": view.predecessor_ids}


class OutlineNodeOut(BaseModel):
    code: str
    kind: str
    title: str
    children: list["OutlineNodeOut"]


class OutlineOut(BaseModel):
    nodes: list[OutlineNodeOut]
    warnings: list[str] = []


RoundDep = Annotated[Round, Depends(load_round)]


@router.get("/rounds", response_model=list[RoundOut], name="api:rounds")
def list_rounds(session: SessionDep, now: NowDep):
    return [round_out(r, now) for r in session.exec(select(Round).order_by(Round.year)).all()]


@router.get("/rounds/{round_id}", response_model=RoundDetail, name="api:round")
def get_round(round_: RoundDep, now: NowDep):
    return round_out(round_, now, detail=True)


@router.patch("/rounds/{round_id}", response_model=RoundDetail, name="api:round:update",
              dependencies=[api_role(Role.secretariat)])
def update_round(round_: RoundDep, body: RoundPatch, session: SessionDep, now: NowDep, actor: ApiUser):
    changes = body.model_dump(exclude_unset=True, exclude={"rules", "calendar", "status"})
    if body.calendar is not None:
        changes.update(body.calendar.model_dump(exclude_unset=True))
    round_setup.update_round(session, round_=round_, changes=changes, rules=body.rules, status=body.status,
                             actor=actor, now=now)
    return round_out(round_, now, detail=True)


@router.post("/rounds/{round_id}/end-phase", response_model=RoundDetail, name="api:round:end_phase",
             dependencies=[api_role(Role.secretariat)])
def end_phase(round_: RoundDep, body: EndPhaseIn, session: SessionDep, now: NowDep, actor: ApiUser):
    """End the round's current phase now (its date becomes today; audited)."""
    rounds.end_phase_early(session, round_=round_, expected=body.phase, actor=actor, now=now)
    return round_out(round_, now, detail=True)


@router.get("/units", response_model=list[UnitOut], name="api:units")
def list_units(session: SessionDep, round_id: Id | None = None):
    """Every unit, or with `round_id` the units taking part in that round (valid on its local deadline)."""
    round_ = load_round(round_id, session) if round_id is not None else None
    return [unit_out(v) for v in units.list_units(session, round_=round_)]


@router.post("/units", response_model=UnitOut, status_code=201, name="api:units:create",
             dependencies=[api_role(Role.secretariat)])
def create_unit(body: UnitIn, session: SessionDep, now: NowDep, actor: ApiUser):
    unit = units.create_unit(session, **body.model_dump(), actor=actor, now=now)
    return unit_out(units.unit_view(session, unit.id))


@router.patch("/units/{unit_id}", response_model=UnitOut, name="api:units:update",
              dependencies=[api_role(Role.secretariat)])
def update_unit(unit_id: Id, body: UnitPatch, session: SessionDep, now: NowDep, actor: ApiUser):
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.", code="unit_not_found")
    units.update_unit(session, unit=unit, **body.model_dump(exclude_unset=True), actor=actor, now=now)
    return unit_out(units.unit_view(session, unit.id))


@router.get("/rounds/{round_id}/outline", response_model=OutlineOut, name="api:outline")
def get_outline(round_: RoundDep, session: SessionDep):
    return {"nodes": [n.to_dict() for n in outline_tree(session, round_id=round_.id)]}


def _outline_text(file: UploadFile | None, text: str | None) -> str:
    if file is not None and file.filename:
        return outlines.outline_file_text(file.file, file.filename, cap=MAX_OUTLINE_BYTES, require_text=False)
    if text and text.strip():
        return text
    raise Invalid("Hãy chọn tệp đề cương hoặc dán nội dung văn bản.", field="file", code="required")


def _parsed(file: UploadFile | None, text: str | None):
    parsed = parse_outline(_outline_text(file, text))
    if not parsed.nodes:
        raise Invalid("Không tìm thấy nội dung đề cương trong tài liệu.", field="file", code="empty_outline")
    return parsed


OutlineFile = Annotated[UploadFile | None, File()]
OutlineText = Annotated[str | None, Form(max_length=2_000_000)]


@router.post("/outlines/parse", response_model=OutlineOut, name="api:outline:parse", responses=errors(413, 415),
             dependencies=[api_role(Role.secretariat)])
def preview_outline(file: OutlineFile = None, text: OutlineText = None):
    return _parsed(file, text).to_dict()


@router.put("/rounds/{round_id}/outline", response_model=OutlineOut, name="api:outline:save", responses=errors(413, 415),
            dependencies=[api_role(Role.secretariat)])
def put_outline(round_: RoundDep, session: SessionDep, now: NowDep, actor: ApiUser,
                file: OutlineFile = None, text: OutlineText = None):
    parsed = _parsed(file, text)
    outlines.save_outline(session, round_=round_, parsed=parsed, actor=actor, now=now)
    return {"nodes": [n.to_dict() for n in outline_tree(session, round_id=round_.id)], "warnings": parsed.warnings}
