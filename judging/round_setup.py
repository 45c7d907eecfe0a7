"""Setting up a round from the secretariat's console: launching it (rules and quotas copied from another
round), changing its rules without breaking the judging already done, and its quotas (all or nothing,
also from a spreadsheet)."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, select

from award import audit, rounds, spreadsheets, units
from award.calendar import require_phase
from award.errors import Checks, Invalid
from award.models import Entry, EntryStatus, Round, User
from award.rules import PRIZE_LEVELS, RoundRules
from judging.models import Assignment, JudgeMembership, LocalContest, PanelPlacement, ResultItem, Stage

log = logging.getLogger(__name__)

MAX_QUOTA = 100_000


def _criteria(rubric) -> list[tuple]:
    return [(c.code, c.max_points, c.weight, c.bonus) for c in rubric or []]


def done_work_problems(session: Session, round_: Round, old: RoundRules, new: RoundRules) -> dict[str, str]:
    """{field: why} for each change of the rules that would break work already done in the round: the rubric
    once score sheets were filled in with it, a subpanel removed while it holds works or judges, prize counts
    below the prizes already on the list, a thematic prize removed that the list awards."""
    problems: dict[str, str] = {}
    sheets = _sheet_counts(session, round_)
    central = sheets.get(Stage.preliminary, 0) + sheets.get(Stage.final, 0)
    local = sheets.get(Stage.local, 0)
    if _criteria(old.rubric) != _criteria(new.rubric) and (central or (local and not new.local_rubric)):
        problems["rules.rubric"] = (f"Không thể đổi thang điểm: đã có {central + (0 if new.local_rubric else local)} "
                                    "phiếu chấm theo thang điểm này.")
    if _criteria(old.local_rubric) != _criteria(new.local_rubric) and local and old.local_rubric:
        problems["rules.local_rubric"] = f"Không thể đổi thang điểm sơ tuyển: đã có {local} phiếu chấm ở đơn vị."
    kept = {p.code for p in new.panels}
    placed = dict(session.exec(select(PanelPlacement.panel_code, func.count()).where(
        PanelPlacement.round_id == round_.id).group_by(PanelPlacement.panel_code)).all())
    judges = dict(session.exec(select(JudgeMembership.panel_code, func.count()).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.stage == Stage.preliminary,
        JudgeMembership.panel_code.is_not(None)).group_by(JudgeMembership.panel_code)).all())
    for panel in old.panels:
        if panel.code in kept:
            continue
        works, people = placed.get(panel.code, 0), judges.get(panel.code, 0)
        if works or people:
            held = ", ".join(x for x in (f"{works} tác phẩm" if works else "", f"{people} giám khảo" if people else "") if x)
            problems.setdefault("rules.panels", f"Không thể bỏ hay đổi mã tiểu ban “{panel.name}” ({panel.code}): "
                                                f"tiểu ban đang có {held}.")
    items = session.exec(select(ResultItem.level, ResultItem.thematic).where(ResultItem.round_id == round_.id)).all()
    for level in PRIZE_LEVELS:
        decided = sum(1 for lv, _ in items if lv == level)
        if getattr(new.prize_counts, level) < decided:
            problems[f"rules.prize_counts.{level}"] = (f"Danh sách giải đã có {decided} {PRIZE_LEVELS[level]}; "
                                                       "số giải không thể ít hơn.")
    names = {t.name for t in new.thematic_prizes}
    for thematic in sorted({t for _, t in items if t} - names):
        problems.setdefault("rules.thematic_prizes", f"Không thể bỏ giải chuyên đề “{thematic}”: "
                                                     "danh sách giải đã trao giải này.")
    return problems


def _sheet_counts(session: Session, round_: Round) -> dict[Stage, int]:
    """Score sheets with something written on them, per stage."""
    rows = session.exec(select(Assignment.stage, Assignment.scores, Assignment.submitted_at)
                        .where(Assignment.round_id == round_.id)).all()
    counts: dict[Stage, int] = {}
    for stage, scores, submitted in rows:
        if scores or submitted:
            counts[Stage(stage)] = counts.get(Stage(stage), 0) + 1
    return counts


def guard(session: Session, round_: Round):
    return lambda old, new: done_work_problems(session, round_, old, new)


def update_round(session: Session, *, round_: Round, changes: dict[str, Any], rules: dict[str, Any] | None,
                 status: Literal["draft", "open", "closed"] | None, actor: User, now: datetime) -> Round:
    """award.rounds.update_round, refusing rules that would break the judging already done."""
    return rounds.update_round(session, round_=round_, changes=changes, rules=rules, status=status, actor=actor,
                               now=now, guard=guard(session, round_))


def create_round(session: Session, *, number: str, year: int, name: str | None, calendar: dict[str, date],
                 copy_from: Round | None = None, publication_start: date | None = None,
                 publication_end: date | None = None, actor_id: int, now: datetime) -> Round:
    """award.rounds.create_round, and with `copy_from` its quotas for the units taking part in the new round."""
    round_ = rounds.create_round(session, number=number, year=year, name=name, calendar=calendar, copy_from=copy_from,
                                 publication_start=publication_start, publication_end=publication_end,
                                 actor_id=actor_id, now=now)
    if copy_from is not None:
        quotas = dict(session.exec(select(LocalContest.unit_id, LocalContest.quota)
                                   .where(LocalContest.round_id == copy_from.id)).all())
        copied = 0
        for unit in units.units_for_round(session, round_):
            if unit.id in quotas:
                session.add(LocalContest(round_id=round_.id, unit_id=unit.id, quota=quotas[unit.id]))
                copied += 1
        session.flush()
        log.info("round.quotas_copied round_id=%s from=%s units=%s", round_.id, copy_from.id, copied)
    return round_


# --- quotas ---------------------------------------------------------------------------------------------


@dataclass
class QuotaRow:
    unit_id: int
    code: str
    name: str
    kind: str
    quota: int
    forwarded: int
    submitted: int


def quota_rows(session: Session, round_: Round) -> list[QuotaRow]:
    """The round's units with their quota (the unit's default until one is set), works forwarded and works
    submitted: the quotas page and its spreadsheet. Three queries whatever the number of units."""
    contests = {c.unit_id: c for c in session.exec(select(LocalContest).where(LocalContest.round_id == round_.id))}
    submitted = dict(session.exec(select(Entry.unit_id, func.count()).where(
        Entry.round_id == round_.id, Entry.status.notin_((EntryStatus.draft, EntryStatus.withdrawn)))
        .group_by(Entry.unit_id)).all())
    rows = []
    for unit in units.units_for_round(session, round_):
        contest = contests.get(unit.id)
        rows.append(QuotaRow(unit.id, unit.code, unit.name, unit.kind,
                             contest.quota if contest else unit.default_quota,
                             contest.forwarded if contest else 0, submitted.get(unit.id, 0)))
    return rows


def set_quotas(session: Session, *, round_: Round, quotas: list[tuple[Any, Any]], actor: User, now: datetime,
               field: str = "quotas") -> int:
    """Set many units' quotas at once, all or nothing: an unknown unit, a quota that is not a whole number
    from 0 or one below what the unit already forwarded refuses the whole request, every problem named
    ("quotas.3.quota"). Returns how many quotas changed; one audit event lists them."""
    require_phase(round_, now, "quota.set")
    rows = {r.unit_id: r for r in quota_rows(session, round_)}
    checks = Checks()
    wanted: dict[int, int] = {}
    for i, (unit_id, quota) in enumerate(quotas):
        row = rows.get(unit_id) if isinstance(unit_id, int) else None
        if row is None:
            checks.add(f"{field}.{i}.unit_id", f"Đơn vị “{unit_id}” không tham gia đợt giải này.")
            continue
        if unit_id in wanted:
            checks.add(f"{field}.{i}.unit_id", f"Đơn vị “{row.name}” được ghi hai lần.")
            continue
        if not isinstance(quota, int) or isinstance(quota, bool) or not 0 <= quota <= MAX_QUOTA:
            checks.add(f"{field}.{i}.quota", f"Chỉ tiêu của “{row.name}” phải là số nguyên từ 0 đến {MAX_QUOTA}.")
            continue
        if quota < row.forwarded:
            checks.add(f"{field}.{i}.quota", f"“{row.name}” đã gửi {row.forwarded} tác phẩm; chỉ tiêu không thể "
                                             f"thấp hơn {row.forwarded}.")
            continue
        wanted[unit_id] = quota
    if not quotas:
        checks.add(field, "Chưa có chỉ tiêu nào để lưu.")
    checks.done()
    contests = {c.unit_id: c for c in session.exec(select(LocalContest).where(LocalContest.round_id == round_.id))}
    changed = {}
    for unit_id, quota in wanted.items():
        contest = contests.get(unit_id)
        if contest is None:
            if quota == rows[unit_id].quota:
                continue  # the unit's default, shown in the form and sent back unchanged: nothing changed
            contest = LocalContest(round_id=round_.id, unit_id=unit_id, quota=quota)
            changed[unit_id] = [rows[unit_id].quota, quota]
        elif contest.quota != quota:
            changed[unit_id] = [contest.quota, quota]
            contest.quota = quota
        else:
            continue
        session.add(contest)
    session.flush()
    if changed:
        audit.record(session, actor_id=actor.id, action="contest.quotas", object_type="round", object_id=round_.id,
                     now=now, data={"changes": {rows[k].code: v for k, v in changed.items()}})  # codes: readable
    log.info("contest.quotas round_id=%s changed=%s", round_.id, len(changed))
    return len(changed)


QUOTA_COLUMNS = {"code": "Mã đơn vị", "name": "Tên đơn vị", "quota": "Chỉ tiêu", "forwarded": "Đã gửi",
                 "submitted": "Đã nộp"}


def quota_sheet(session: Session, round_: Round) -> bytes:
    rows = quota_rows(session, round_)
    return spreadsheets.write(list(QUOTA_COLUMNS.values()),
                              ([r.code, r.name, r.quota, r.forwarded, r.submitted] for r in rows),
                              sheet_title=f"Chỉ tiêu lần {round_.number}",  # headings on row 1: it reads back
                              widths=(24, 48, 12, 10, 10))


def import_quotas(session: Session, *, round_: Round, data: bytes, actor: User, now: datetime) -> int:
    """Quotas from a spreadsheet (the exported one, edited): every row checked first (a unit code the round
    does not have, a quota that is not a whole number, one below what the unit forwarded), every problem
    listed by row and column, nothing saved while any remains."""
    require_phase(round_, now, "quota.set")
    rows = {r.code.casefold(): r for r in quota_rows(session, round_)}
    errors: list[spreadsheets.RowError] = []
    quotas: list[tuple[int, int]] = []
    seen: dict[int, int] = {}
    for number, cells in spreadsheets.read(data, QUOTA_COLUMNS, required=("code", "quota")):
        code = spreadsheets.text(cells.get("code"))
        row = rows.get(code.casefold())
        if row is None:
            errors.append(spreadsheets.RowError(number, QUOTA_COLUMNS["code"],
                                                f"không có đơn vị mã “{code}” trong đợt giải." if code else
                                                "thiếu mã đơn vị."))
        quota = spreadsheets.whole_number(cells.get("quota"), row=number, column=QUOTA_COLUMNS["quota"], errors=errors,
                                          maximum=MAX_QUOTA)
        if row is None or quota is None:
            continue
        if row.unit_id in seen:
            errors.append(spreadsheets.RowError(number, QUOTA_COLUMNS["code"],
                                                f"đơn vị “{code}” đã có ở dòng {seen[row.unit_id]}."))
            continue
        seen[row.unit_id] = number
        if quota < row.forwarded:
            errors.append(spreadsheets.RowError(number, QUOTA_COLUMNS["quota"],
                                                f"“{row.name}” đã gửi {row.forwarded} tác phẩm; chỉ tiêu không thể "
                                                f"thấp hơn."))
            continue
        quotas.append((row.unit_id, quota))
    if errors:
        raise spreadsheets.ImportFailed(errors)
    if not quotas:
        raise Invalid("Tệp không có dòng chỉ tiêu nào.", field="file", code="empty_file")
    return set_quotas(session, round_=round_, quotas=quotas, actor=actor, now=now)
