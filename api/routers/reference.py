"""Reference data: rounds with their rules, units, and each round's outline of themes."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel, ValidationError
from sqlmodel import select

from award import audit
from award.errors import Conflict, Invalid
from award.models import Role, Round, RoundStatus, Unit, UnitKind
from award.outline_parser import parse_outline
from award.outlines import has_tags, outline_tree, replace_outline
from award.rules import RoundRules
from award.sandbox import extract_limited_stream
from api.deps import ApiUser, NowDep, SessionDep, api_role, load_round
from api.openapi import API_ERRORS, errors

router = APIRouter(prefix="/api/v1", tags=["reference"], responses=API_ERRORS)

MAX_OUTLINE_BYTES = 20 * 1024 * 1024


class RoundOut(BaseModel):
    id: int
    number: str
    year: int
    name: str
    status: RoundStatus
    publication_start: date
    publication_end: date
    local_deadline: date
    central_deadline: date


class RoundDetail(RoundOut):
    rules: dict[str, Any]


class RoundPatch(BaseModel):
    name: str | None = None
    status: RoundStatus | None = None
    publication_start: date | None = None
    publication_end: date | None = None
    local_deadline: date | None = None
    central_deadline: date | None = None
    rules: dict[str, Any] | None = None


class UnitOut(BaseModel):
    id: int
    code: str
    name: str
    kind: UnitKind


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
def list_rounds(session: SessionDep):
    return session.exec(select(Round).order_by(Round.year)).all()


@router.get("/rounds/{round_id}", response_model=RoundDetail, name="api:round")
def get_round(round_: RoundDep):
    return round_


@router.patch("/rounds/{round_id}", response_model=RoundDetail, name="api:round:update",
              dependencies=[api_role(Role.secretariat)])
def update_round(round_: RoundDep, body: RoundPatch, session: SessionDep, now: NowDep, actor: ApiUser):
    changes = body.model_dump(exclude_unset=True, exclude={"rules"})
    if any(v is None for v in changes.values()):
        raise Invalid("Trường này không được để trống.", field=next(k for k, v in changes.items() if v is None))
    for key, value in changes.items():
        setattr(round_, key, value)
    if body.rules is not None:
        try:
            merged = RoundRules.model_validate({**round_.rules, **body.rules})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = "rules." + ".".join(str(p) for p in first["loc"])
            raise Invalid(f"Quy định của đợt giải không hợp lệ: {first['msg']}", field=field) from exc
        round_.rules = merged.model_dump(mode="json")
    if round_.publication_start > round_.publication_end:
        raise Invalid("Ngày bắt đầu phải trước ngày kết thúc khoảng thời gian đăng tải.", field="publication_start")
    session.add(round_)
    audit.record(session, actor_id=actor.id, action="round.updated", object_type="round", object_id=round_.id,
                 now=now, data={"fields": sorted(body.model_dump(exclude_unset=True))})
    session.flush()
    return round_


@router.get("/units", response_model=list[UnitOut], name="api:units")
def list_units(session: SessionDep):
    return session.exec(select(Unit).order_by(Unit.kind, Unit.name)).all()


@router.get("/rounds/{round_id}/outline", response_model=OutlineOut, name="api:outline")
def get_outline(round_: RoundDep, session: SessionDep):
    return {"nodes": [n.to_dict() for n in outline_tree(session, round_id=round_.id)]}


def _outline_text(file: UploadFile | None, text: str | None) -> str:
    if file is not None and file.filename:
        if file.size is not None and file.size > MAX_OUTLINE_BYTES:
            raise Invalid("Tệp đề cương quá lớn (tối đa 20 MB).", field="file", code="too_large")
        return extract_limited_stream(file.file).text
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
def save_outline(round_: RoundDep, session: SessionDep, now: NowDep, actor: ApiUser,
                 file: OutlineFile = None, text: OutlineText = None):
    parsed = _parsed(file, text)
    if round_.status in (RoundStatus.published, RoundStatus.closed):
        raise Conflict("Đợt giải đã kết thúc, không thể thay đề cương.", code="round_closed")
    replace_outline(session, round_=round_, parsed=parsed, retire_missing=has_tags(session, round_id=round_.id))
    audit.record(session, actor_id=actor.id, action="outline.replaced", object_type="round", object_id=round_.id,
                 now=now, data={"themes": len(parsed.themes())})
    return {"nodes": [n.to_dict() for n in outline_tree(session, round_id=round_.id)], "warnings": parsed.warnings}
