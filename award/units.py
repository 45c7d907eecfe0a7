"""Units over time: which units take part in a round, and the secretariat's changes (create, edit, merge,
retire), each checked and audited.

A unit is valid from `valid_from` to `valid_to`, days in Asia/Ho_Chi_Minh, both inclusive (None = open).
A round takes the units valid on its **local deadline**, the last day works are submitted to the units:
round X opened on 20 January 2025 under the 63 provinces, but its works were collected and forwarded by
the 34 of 1 July 2025 (and its plan and letters went to the new Party committees), so "valid on any day of
the submission period" would have offered both. Rounds up to IX (local deadline 10 October 2024) keep the
63 provinces; rounds from X take the 34 and the Party committees of 2025.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from award import audit
from award.calendar import Phase, phase
from award.errors import Checks, Conflict, Invalid, NotFound
from award.models import UNIT_KIND_LABELS, Entry, Round, Unit, UnitKind, UnitPredecessor, User
from award.text import clean_line, fold

log = logging.getLogger(__name__)

CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_MAX, NAME_MAX = 64, 200
NOT_IN_ROUND = "Đơn vị không tham gia đợt giải này."

# The quota table belongs to judging (judging.models.LocalContest); award does not import judging, so the
# in-use check reads it as a plain table.
_local_contest = sa.table("local_contest", sa.column("round_id", sa.Integer), sa.column("unit_id", sa.Integer))


class UnitExists(Conflict):
    code = "unit_exists"


class UnitInUse(Conflict):
    code = "unit_in_use"


def round_day(round_: Round) -> date:
    """The day on which a round's units are taken (its local deadline, see the module's docstring)."""
    return round_.local_deadline


def valid_on(day: date):
    """SQL condition: the unit exists on `day`."""
    return sa.and_(sa.or_(col(Unit.valid_from).is_(None), col(Unit.valid_from) <= day),
                   sa.or_(col(Unit.valid_to).is_(None), col(Unit.valid_to) >= day))


def is_valid(unit: Unit, day: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)


def sort_key(unit: Unit) -> tuple:
    """Kind, then the name as a Vietnamese reader sorts it (by the letters first: "Cà Mau" before "Cao Bằng",
    "Hà Nội" before "Huế", not by code point), a namesake still in being before the one that ended."""
    return (unit.kind, fold(unit.name), unit.valid_to is not None, unit.name, unit.id)


def display_name(unit: Unit) -> str:
    """The name that tells a unit from its namesake: "Tuyên Quang (đến 30/06/2025)" for the province that
    merged into the new Tuyên Quang on 1 July 2025."""
    return f"{unit.name} (đến {unit.valid_to:%d/%m/%Y})" if unit.valid_to is not None else unit.name


def choices(session: Session) -> list[tuple[int, str]]:
    """[(id, display name)] of every unit, in sort_key order: the choices of a person's unit and of filters."""
    return [(u.id, display_name(u)) for u in sorted(session.exec(select(Unit)).all(), key=sort_key)]


def units_for_round(session: Session, round_: Round) -> list[Unit]:
    """The units taking part in `round_`, by kind then name (sort_key)."""
    return sorted(session.exec(select(Unit).where(valid_on(round_day(round_)))).all(), key=sort_key)


def in_round(unit: Unit, round_: Round) -> bool:
    return is_valid(unit, round_day(round_))


def check_unit_for_round(session: Session, round_: Round, unit_id: int | None) -> None:
    """422 on `unit_id` unless the unit exists and takes part in the round (the entry form's check)."""
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        raise Invalid("Vui lòng chọn đơn vị tổ chức giải cơ sở nhận tác phẩm.", field="unit_id", code="required")
    if not in_round(unit, round_):
        raise Invalid(NOT_IN_ROUND, field="unit_id", code="unit_not_in_round")


def suggested_unit(session: Session, user: User, round_: Round) -> int | None:
    """The unit an entry form opens with: the unit of the journalist's last entry, else their account's; when
    that unit ended (a merged province), its successor taking part in the round; None if neither does."""
    last = session.exec(select(Entry.unit_id).where(Entry.owner_id == user.id)
                        .order_by(col(Entry.created_at).desc(), col(Entry.id).desc()).limit(1)).first()
    allowed = {u.id for u in units_for_round(session, round_)}
    for start in (last, user.unit_id):
        if start is None:
            continue
        seen, frontier = set(), [start]
        while frontier:  # follow successors (a merged province, then perhaps merged again)
            found = [u for u in frontier if u in allowed]
            if found:
                return found[0]
            seen.update(frontier)
            frontier = [s for s in session.exec(select(UnitPredecessor.unit_id).where(
                col(UnitPredecessor.predecessor_id).in_(frontier))).all() if s not in seen]
    return None


# --- the secretariat's list ----------------------------------------------------------------------------

@dataclass
class UnitView:
    id: int
    code: str
    name: str
    kind: UnitKind
    kind_label: str
    valid_from: date | None
    valid_to: date | None
    default_quota: int
    predecessors: list[tuple[int, str]] = field(default_factory=list)  # (id, name)
    successors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def predecessor_ids(self) -> list[int]:
        return [i for i, _ in self.predecessors]


def links(session: Session) -> list[tuple[int, int]]:
    """Every (unit_id, predecessor_id)."""
    return [(r.unit_id, r.predecessor_id) for r in session.exec(select(UnitPredecessor)).all()]


def list_units(session: Session, *, q: str = "", kind: str | None = None, on: date | None = None,
               round_: Round | None = None) -> list[UnitView]:
    """Units with their predecessors and successors, filtered by name (ignoring case and diacritics), kind,
    a day they were valid on, or a round they take part in."""
    query = select(Unit).order_by(Unit.kind, Unit.name, Unit.id)
    if kind:
        query = query.where(Unit.kind == kind)
    if round_ is not None:
        on = round_day(round_)
    if on is not None:
        query = query.where(valid_on(on))
    units = session.exec(query).all()
    needle = fold(q or "")
    if needle:  # a few hundred units at most: folded in Python, exactly as award.text folds
        units = [u for u in units if needle in fold(u.name) or needle in u.code]
    names = dict(session.exec(select(Unit.id, Unit.name)).all())
    views = {u.id: UnitView(id=u.id, code=u.code, name=u.name, kind=u.kind, kind_label=UNIT_KIND_LABELS[u.kind],
                            valid_from=u.valid_from, valid_to=u.valid_to, default_quota=u.default_quota)
             for u in units}
    for unit_id, pred_id in links(session):
        if unit_id in views:
            views[unit_id].predecessors.append((pred_id, names[pred_id]))
        if pred_id in views:
            views[pred_id].successors.append((unit_id, names[unit_id]))
    return list(views.values())


def unit_view(session: Session, unit_id: int) -> UnitView:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return next(v for v in list_units(session, kind=unit.kind) if v.id == unit_id)


# --- changes --------------------------------------------------------------------------------------------

def _checked(session: Session, checks: Checks, *, code, name, kind, valid_from, valid_to, predecessor_ids,
             unit: Unit | None = None) -> tuple[str, str, UnitKind | None, list[int]]:
    code = clean_line(code or "").lower()
    name = clean_line(name or "")
    if checks.require(bool(code), "code", "Hãy nhập mã đơn vị."):
        checks.require(len(code) <= CODE_MAX and CODE_RE.fullmatch(code) is not None, "code",
                       "Mã đơn vị chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ: tuyen-quang-2025), "
                       f"tối đa {CODE_MAX} ký tự.")
    if checks.require(bool(name), "name", "Hãy nhập tên đơn vị."):
        checks.require(len(name) <= NAME_MAX, "name", f"Tên đơn vị quá dài (tối đa {NAME_MAX} ký tự).")
    kind_value = None
    if checks.require(kind in {k.value for k in UnitKind}, "kind", "Hãy chọn loại đơn vị."):
        kind_value = UnitKind(kind)
    if valid_from is not None and valid_to is not None:
        checks.require(valid_from <= valid_to, "valid_to",
                       f"Ngày kết thúc ({valid_to:%d/%m/%Y}) không được trước ngày bắt đầu ({valid_from:%d/%m/%Y}).")
    ids = list(dict.fromkeys(predecessor_ids or []))
    if ids:
        found = set(session.exec(select(Unit.id).where(col(Unit.id).in_(ids))).all())
        missing = [i for i in ids if i not in found]
        checks.require(not missing, "predecessor_ids",
                       "Không tìm thấy đơn vị tiền thân: " + ", ".join(map(str, missing)) + ".")
        if unit is not None:
            checks.require(unit.id not in ids, "predecessor_ids", "Một đơn vị không thể là tiền thân của chính nó.")
    return code, name, kind_value, ids


def _require_code_free(session: Session, code: str, unit_id: int | None = None) -> None:
    other = session.exec(select(Unit).where(Unit.code == code)).first()
    if other is not None and other.id != unit_id:
        raise UnitExists(f"Mã đơn vị “{code}” đã được dùng cho {other.name}.", field="code")


def _set_predecessors(session: Session, unit: Unit, ids: list[int]) -> None:
    current = {r.predecessor_id: r for r in session.exec(
        select(UnitPredecessor).where(UnitPredecessor.unit_id == unit.id)).all()}
    for pred_id, row in current.items():
        if pred_id not in ids:
            session.delete(row)
    for pred_id in ids:
        if pred_id not in current:
            session.add(UnitPredecessor(unit_id=unit.id, predecessor_id=pred_id))


def usage_refusal(session: Session, unit: Unit, *, valid_from: date | None, valid_to: date | None,
                  now: datetime) -> str | None:
    """Why the unit cannot take these dates, or None: a round not yet closed that the unit takes part in and
    would leave, while the round has opened (it is past its preparation) or holds the unit's entries or quota."""
    rounds = session.exec(select(Round).order_by(Round.year)).all()
    for round_ in rounds:
        current = phase(round_, now)
        if current in (Phase.closed, Phase.published):
            continue
        day = round_day(round_)
        stays = (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)
        if not in_round(unit, round_) or stays:
            continue
        entries = session.exec(select(sa.func.count()).select_from(Entry).where(
            Entry.round_id == round_.id, Entry.unit_id == unit.id)).one()
        quota = session.exec(select(sa.func.count()).select_from(_local_contest).where(
            _local_contest.c.round_id == round_.id, _local_contest.c.unit_id == unit.id)).one()
        if entries or quota or current != Phase.draft:
            what = (f"có {entries} tác phẩm" if entries else "đã được giao chỉ tiêu" if quota
                    else "đợt giải đang diễn ra")
            return (f"Không thể cho {unit.name} ngừng hoạt động từ ngày này: đơn vị đang tham gia đợt giải "
                    f"{round_.label} và {what}. Hãy chọn ngày kết thúc sau hạn nộp ở đơn vị của "
                    f"đợt giải ({day:%d/%m/%Y}).")
    return None


def _audit(session: Session, unit: Unit, action: str, actor: User, now: datetime, **data) -> None:
    audit.record(session, actor_id=actor.id, action=action, object_type="unit", object_id=unit.id, now=now,
                 data={"code": unit.code, "name": unit.name, "kind": unit.kind, "valid_from": unit.valid_from,
                       "valid_to": unit.valid_to, **data})


def create_unit(session: Session, *, code: str, name: str, kind: str, valid_from: date | None = None,
                valid_to: date | None = None, predecessor_ids: list[int] | None = None,
                default_quota: int | None = None, actor: User, now: datetime) -> Unit:
    checks = Checks()
    code, name, kind_value, ids = _checked(session, checks, code=code, name=name, kind=kind, valid_from=valid_from,
                                           valid_to=valid_to, predecessor_ids=predecessor_ids)
    checks.done()
    _require_code_free(session, code)
    unit = Unit(code=code, name=name, kind=kind_value, valid_from=valid_from, valid_to=valid_to,
                default_quota=30 if default_quota is None else default_quota)
    session.add(unit)
    session.flush()
    _set_predecessors(session, unit, ids)
    session.flush()
    _audit(session, unit, "unit.created", actor, now, predecessor_ids=ids)
    log.info("unit.created unit_id=%s code=%s", unit.id, unit.code)
    return unit


UNSET = object()


def update_unit(session: Session, *, unit: Unit, actor: User, now: datetime, code=UNSET, name=UNSET, kind=UNSET,
                valid_from=UNSET, valid_to=UNSET, predecessor_ids=UNSET) -> Unit:
    """Change what is given (UNSET leaves a field as it is). An end date that takes the unit out of a round
    that uses it is refused (409 unit_in_use)."""
    def pick(value, current):
        return current if value is UNSET else value

    current_ids = [p for _, p in session.exec(select(UnitPredecessor.unit_id, UnitPredecessor.predecessor_id)
                                              .where(UnitPredecessor.unit_id == unit.id)).all()]
    new_from, new_to = pick(valid_from, unit.valid_from), pick(valid_to, unit.valid_to)
    checks = Checks()
    new_code, new_name, kind_value, ids = _checked(
        session, checks, code=pick(code, unit.code), name=pick(name, unit.name), kind=pick(kind, unit.kind),
        valid_from=new_from, valid_to=new_to, predecessor_ids=pick(predecessor_ids, current_ids), unit=unit)
    if ids and predecessor_ids is not UNSET:
        checks.require(not _descends_from(session, ids, unit.id), "predecessor_ids",
                       "Không thể chọn một đơn vị kế thừa của chính đơn vị này làm tiền thân.")
    checks.done()
    _require_code_free(session, new_code, unit.id)
    reason = usage_refusal(session, unit, valid_from=new_from, valid_to=new_to, now=now)
    if reason:
        raise UnitInUse(reason, field="valid_to" if new_to != unit.valid_to else "valid_from")
    before = {"code": unit.code, "name": unit.name, "kind": unit.kind, "valid_from": unit.valid_from,
              "valid_to": unit.valid_to, "predecessor_ids": sorted(current_ids)}
    after = {"code": new_code, "name": new_name, "kind": kind_value, "valid_from": new_from, "valid_to": new_to,
             "predecessor_ids": sorted(ids)}
    changed = audit.changed_fields(before, after)
    if not changed:
        return unit  # the same form saved again: nothing written, nothing in the unit's history
    unit.code, unit.name, unit.kind, unit.valid_from, unit.valid_to = new_code, new_name, kind_value, new_from, new_to
    session.add(unit)
    _set_predecessors(session, unit, ids)
    session.flush()
    action = "unit.retired" if unit.valid_to is not None and before["valid_to"] != unit.valid_to else "unit.updated"
    _audit(session, unit, action, actor, now, fields=changed, before={k: before[k] for k in changed})
    return unit


def _descends_from(session: Session, candidates: list[int], unit_id: int) -> bool:
    """Whether any candidate is `unit_id` itself or one of its successors (a cycle in the history)."""
    frontier, seen = [unit_id], set()
    while frontier:
        if any(u in candidates for u in frontier):
            return True
        seen.update(frontier)
        frontier = [s for s in session.exec(select(UnitPredecessor.unit_id).where(
            col(UnitPredecessor.predecessor_id).in_(frontier))).all() if s not in seen]
    return False


def retire_unit(session: Session, *, unit: Unit, valid_to: date | None, actor: User, now: datetime) -> Unit:
    """The unit's last day (inclusive). Refused while a round uses it (409 unit_in_use)."""
    if valid_to is None:
        raise Invalid("Hãy chọn ngày cuối cùng đơn vị hoạt động.", field="valid_to", code="required")
    return update_unit(session, unit=unit, valid_to=valid_to, actor=actor, now=now)


def merge_units(session: Session, *, unit_ids: list[int], code: str, name: str, kind: str,
                valid_from: date | None, actor: User, now: datetime) -> Unit:
    """A new unit valid from `valid_from` formed from `unit_ids`, which end the day before; one transaction
    (the caller's): any refusal leaves nothing written."""
    checks = Checks()
    ids = list(dict.fromkeys(unit_ids))
    checks.require(len(ids) >= 2, "unit_ids", "Hãy chọn ít nhất hai đơn vị để hợp nhất.")
    checks.require(valid_from is not None, "valid_from", "Hãy chọn ngày đơn vị mới bắt đầu hoạt động.")
    _checked(session, checks, code=code, name=name, kind=kind, valid_from=valid_from, valid_to=None,
             predecessor_ids=ids)
    checks.done()
    old = [session.get(Unit, i) for i in ids]
    last_day = valid_from - timedelta(days=1)
    for unit in old:
        if unit.valid_to is not None and unit.valid_to < last_day:
            raise Invalid(f"{unit.name} đã ngừng hoạt động từ {unit.valid_to:%d/%m/%Y}, trước ngày hợp nhất.",
                          field="unit_ids", code="already_retired")
        if unit.valid_from is not None and unit.valid_from > last_day:
            raise Invalid(f"{unit.name} bắt đầu hoạt động từ {unit.valid_from:%d/%m/%Y}, không thể kết thúc trước đó.",
                          field="valid_from", code="dates_order")
    new = create_unit(session, code=code, name=name, kind=kind, valid_from=valid_from, predecessor_ids=ids,
                      default_quota=max(u.default_quota for u in old), actor=actor, now=now)
    for unit in old:
        update_unit(session, unit=unit, valid_to=last_day, actor=actor, now=now)
    audit.record(session, actor_id=actor.id, action="unit.merged", object_type="unit", object_id=new.id, now=now,
                 data={"code": new.code, "valid_from": valid_from, "predecessor_ids": ids})
    return new
