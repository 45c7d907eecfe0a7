"""The secretariat's units: list (search, kind, valid on a day or in a round), add, edit, merge, retire."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlmodel import select

from award import units
from award.calendar import today
from award.errors import AwardError, FieldErrors, NotFound
from award.models import UNIT_KIND_LABELS, Role, Round, Unit, UnitKind
from api.deps import NowDep, SessionDep, WebUser, web_role
from api.forms import submit
from api.openapi import Id
from api.queries import Choice, IdList, IdOrBlank
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf), web_role(Role.secretariat)], include_in_schema=False)

KIND_OPTIONS = [(k.value, UNIT_KIND_LABELS[k]) for k in UnitKind]
Text = Annotated[str, Form(max_length=1000)]
DateText = Annotated[str, Form(max_length=32)]


def _date(raw: str, field: str, errors: dict[str, str]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = "Ngày không hợp lệ (dd/mm/yyyy)."
        return None


def _ids(raw: list[str]) -> list[int]:
    return [int(v) for v in raw if v.strip().isdigit() and len(v.strip()) < 10]


def _get_unit(session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


@router.get("/admin/units", name="units:list")
def list_page(request: Request, session: SessionDep, user: WebUser, now: NowDep,
              q: Annotated[str, Query(max_length=200)] = "", kind: Choice(UnitKind.__members__) = "",
              on: Annotated[str, Query(max_length=32)] = "", round_id: IdOrBlank = ""):
    errors: dict[str, str] = {}
    day = _date(on, "on", errors)
    round_ = session.get(Round, int(round_id)) if round_id.isdigit() and len(round_id) < 10 else None
    rows = units.list_units(session, q=q, kind=kind if kind in UnitKind.__members__ else None, on=day, round_=round_)
    rounds = session.exec(select(Round).order_by(Round.year.desc())).all()
    return render(request, "admin/units.html", {
        "rows": rows, "q": q, "kind": kind, "on": on, "round_id": round_id, "round": round_, "rounds": rounds,
        "kind_options": KIND_OPTIONS, "errors": errors, "today": today(now)})


def _form_page(request, session, *, unit: Unit | None, values: dict, errors: dict, status: int = 200):
    others = [u for u in units.list_units(session) if unit is None or u.id != unit.id]
    view = units.unit_view(session, unit.id) if unit is not None else None
    return render(request, "admin/unit_form.html", {
        "unit": unit, "view": view, "values": values, "errors": errors, "kind_options": KIND_OPTIONS,
        "others": others}, status)


@router.get("/admin/units/new", name="units:new")
def new_page(request: Request, session: SessionDep, user: WebUser):
    return _form_page(request, session, unit=None, values={"predecessor_ids": []}, errors={})


def _values(code, name, kind, valid_from, valid_to, predecessor_ids) -> dict:
    return {"code": code, "name": name, "kind": kind, "valid_from": valid_from, "valid_to": valid_to,
            "predecessor_ids": _ids(predecessor_ids)}


def _dates(valid_from: str, valid_to: str):
    """The validity period typed in a form, or FieldErrors naming each date that is not one."""
    errors: dict[str, str] = {}
    start, end = _date(valid_from, "valid_from", errors), _date(valid_to, "valid_to", errors)
    if errors:
        raise FieldErrors(errors)
    return start, end


@router.post("/admin/units", name="units:create")
def create(request: Request, session: SessionDep, user: WebUser, now: NowDep, code: Text = "", name: Text = "",
           kind: Text = "", valid_from: DateText = "", valid_to: DateText = "",
           predecessor_ids: Annotated[list[str], Form(max_length=200)] = []):  # noqa: B006 - FastAPI's form list
    values = _values(code, name, kind, valid_from, valid_to, predecessor_ids)

    def action():
        start, end = _dates(valid_from, valid_to)
        return units.create_unit(session, code=code, name=name, kind=kind, valid_from=start, valid_to=end,
                                 predecessor_ids=values["predecessor_ids"], actor=user, now=now)

    return submit(request, session, action, default_field="code",
                  redisplay=lambda errors, status: _form_page(request, session, unit=None, values=values,
                                                              errors=errors, status=status),
                  success=lambda unit: request.url_for("units:edit", unit_id=unit.id),
                  message=lambda unit: f"Đã thêm đơn vị {unit.name}.")


@router.get("/admin/units/merge", name="units:merge_form")
def merge_page(request: Request, session: SessionDep, user: WebUser, now: NowDep,
               unit_ids: IdList = []):  # noqa: B006
    return _merge_page(request, session, now, values={"unit_ids": _ids(unit_ids), "kind": "province"}, errors={})


def _merge_page(request, session, now, *, values, errors, status=200):
    current = units.list_units(session, on=today(now))
    chosen = set(values.get("unit_ids", []))
    # units already chosen stay offered even if they are not current (a form sent back with an error)
    extra = [v for v in units.list_units(session) if v.id in chosen and v.id not in {c.id for c in current}]
    return render(request, "admin/unit_merge.html", {
        "candidates": current + extra, "values": values, "errors": errors, "kind_options": KIND_OPTIONS}, status)


@router.post("/admin/units/merge", name="units:merge")
def merge(request: Request, session: SessionDep, user: WebUser, now: NowDep, code: Text = "", name: Text = "",
          kind: Text = "", valid_from: DateText = "",
          unit_ids: Annotated[list[str], Form(max_length=200)] = []):  # noqa: B006
    values = {"code": code, "name": name, "kind": kind, "valid_from": valid_from, "unit_ids": _ids(unit_ids)}

    def action():
        errors: dict[str, str] = {}
        start = _date(valid_from, "valid_from", errors)
        if errors:
            raise FieldErrors(errors)
        return units.merge_units(session, unit_ids=values["unit_ids"], code=code, name=name, kind=kind,
                                 valid_from=start, actor=user, now=now)

    def message(unit):
        return (f"Đã hợp nhất {len(values['unit_ids'])} đơn vị thành {unit.name} (từ {unit.valid_from:%d/%m/%Y}); "
                f"các đơn vị cũ kết thúc ngày {unit.valid_from - timedelta(days=1):%d/%m/%Y}.")

    return submit(request, session, action, default_field="unit_ids",
                  redisplay=lambda errors, status: _merge_page(request, session, now, values=values, errors=errors,
                                                               status=status),
                  success=lambda unit: request.url_for("units:edit", unit_id=unit.id), message=message)


@router.get("/admin/units/{unit_id}", name="units:edit")
def edit_page(unit_id: Id, request: Request, session: SessionDep, user: WebUser):
    unit = _get_unit(session, unit_id)
    view = units.unit_view(session, unit.id)
    values = {"code": unit.code, "name": unit.name, "kind": unit.kind.value,
              "valid_from": unit.valid_from.isoformat() if unit.valid_from else "",
              "valid_to": unit.valid_to.isoformat() if unit.valid_to else "", "predecessor_ids": view.predecessor_ids}
    return _form_page(request, session, unit=unit, values=values, errors={})


@router.post("/admin/units/{unit_id}", name="units:update")
def update(unit_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep, code: Text = "",
           name: Text = "", kind: Text = "", valid_from: DateText = "", valid_to: DateText = "",
           predecessor_ids: Annotated[list[str], Form(max_length=200)] = []):  # noqa: B006
    unit = _get_unit(session, unit_id)
    values = _values(code, name, kind, valid_from, valid_to, predecessor_ids)

    def action():
        start, end = _dates(valid_from, valid_to)
        return units.update_unit(session, unit=unit, code=code, name=name, kind=kind, valid_from=start,
                                 valid_to=end, predecessor_ids=values["predecessor_ids"], actor=user, now=now)

    return submit(request, session, action, default_field="code",
                  redisplay=lambda errors, status: _form_page(request, session, unit=unit, values=values,
                                                              errors=errors, status=status),
                  success=request.url_for("units:edit", unit_id=unit_id),
                  message=lambda u: f"Đã lưu đơn vị {u.name}.")


@router.post("/admin/units/{unit_id}/retire", name="units:retire")
def retire(unit_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
           valid_to: DateText = ""):
    unit = _get_unit(session, unit_id)
    view = units.unit_view(session, unit.id)
    values = {"code": unit.code, "name": unit.name, "kind": unit.kind.value,
              "valid_from": unit.valid_from.isoformat() if unit.valid_from else "",
              "valid_to": unit.valid_to.isoformat() if unit.valid_to else "",
              "predecessor_ids": view.predecessor_ids, "retire_on": valid_to}

    def action():
        errors: dict[str, str] = {}
        end = _date(valid_to, "retire_on", errors)
        if errors:
            raise FieldErrors(errors)
        try:
            return units.retire_unit(session, unit=unit, valid_to=end, actor=user, now=now)
        except AwardError as exc:  # the retire form's date is its own field
            if exc.field in ("valid_to", "valid_from"):
                exc.field = "retire_on"
            raise

    return submit(request, session, action, default_field="retire_on",
                  redisplay=lambda errors, status: _form_page(request, session, unit=unit, values=values,
                                                              errors=errors, status=status),
                  success=request.url_for("units:edit", unit_id=unit_id),
                  message=lambda u: f"Đơn vị {u.name} ngừng hoạt động sau ngày {u.valid_to:%d/%m/%Y}.")
