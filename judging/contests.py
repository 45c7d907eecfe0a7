"""Local contests: screening by the unit, forwarding under quota, and the centre's receipt and
eligibility ruling."""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from award import audit, entry_status, notifications, permissions
from award.calendar import Phase, phase, require_phase
from award.entries import accepts_entries
from award.errors import Conflict, Forbidden, Invalid, NotFound, fitting
from award.models import Entry, EntryAuthor, EntryStatus, Round, Unit, User
from award.rules import RoundRules
from judging import panels
from judging.models import ForwardedEntry, ForwardingBatch, LocalContest, LocalPrize, Screening, Stage

log = logging.getLogger(__name__)

REASONS = {
    "outside_window": "Đăng, phát ngoài thời gian quy định",
    "wrong_topic": "Không đúng chủ đề xây dựng Đảng",
    "incomplete": "Hồ sơ, tệp không đầy đủ",
    "duplicate": "Trùng tác phẩm đã gửi",
    "prior_national_award": "Đã đoạt Giải Báo chí Quốc gia",
    "author_not_eligible": "Tác giả không thuộc diện dự giải",
    "over_limit": "Vượt số tác phẩm cho phép",
    "other": "Lý do khác",
}


def contest_for(session: Session, *, round_: Round, unit: Unit) -> LocalContest:
    """The unit's contest in the round, created with the unit's default quota on first use."""
    query = select(LocalContest).where(LocalContest.round_id == round_.id, LocalContest.unit_id == unit.id)
    contest = session.exec(query).first()
    if contest is not None:
        return contest
    try:
        with session.begin_nested():
            contest = LocalContest(round_id=round_.id, unit_id=unit.id, quota=unit.default_quota)
            session.add(contest)
    except IntegrityError:  # another process created it at the same moment
        contest = session.exec(query).one()
    return contest


@dataclass
class ContestSummary:
    quota: int
    forwarded: int
    submitted: int
    status: str


def summary(session: Session, *, round_: Round, unit: Unit, now: datetime) -> ContestSummary:
    contest = contest_for(session, round_=round_, unit=unit)
    submitted = session.exec(select(func.count()).where(
        Entry.round_id == round_.id, Entry.unit_id == unit.id,
        Entry.status.notin_((EntryStatus.draft, EntryStatus.withdrawn)))).one()
    has_batch = session.exec(select(ForwardingBatch.id).where(
        ForwardingBatch.round_id == round_.id, ForwardingBatch.unit_id == unit.id).limit(1)).first()
    status = "forwarded" if has_batch else ("open" if accepts_entries(round_, now) else
                                            "judging" if phase(round_, now) == Phase.local_judging else "closed")
    return ContestSummary(quota=contest.quota, forwarded=contest.forwarded, submitted=submitted, status=status)


def set_quota(session: Session, *, round_: Round, unit: Unit, quota: int, actor: User, now: datetime) -> LocalContest:
    require_phase(round_, now, "quota.set")
    if quota < 0:
        raise Invalid("Chỉ tiêu không được âm.", field="quota", code="invalid_quota")
    contest = contest_for(session, round_=round_, unit=unit)
    if quota < contest.forwarded:
        raise Conflict(f"Đơn vị đã gửi {contest.forwarded} tác phẩm; chỉ tiêu không thể thấp hơn.",
                       field="quota", code="quota_below_forwarded")
    old = contest.quota
    contest.quota = quota
    session.add(contest)
    session.flush()
    audit.record(session, actor_id=actor.id, action="contest.quota", object_type="unit", object_id=unit.id, now=now,
                 data={"round_id": round_.id, "from": old, "to": quota})
    return contest


def _reason(eligible: bool, reason_code: str | None) -> str | None:
    if eligible:
        return None
    if reason_code not in REASONS:
        raise Invalid("Hãy chọn lý do không đủ điều kiện.", field="reason_code", code="reason_required")
    return reason_code


def _decide(session: Session, *, entry: Entry, stage: Stage, eligible: bool, reason_code: str | None, note: str,
            actor: User, now: datetime) -> Screening:
    note = fitting(note, 2000, field="note", label="Ghi chú")  # refused whole, never cut
    row = session.exec(select(Screening).where(Screening.entry_id == entry.id, Screening.stage == stage)).first()
    row = row or Screening(entry_id=entry.id, stage=stage, eligible=eligible, decided_by=actor.id)
    row.eligible, row.reason_code, row.note = eligible, reason_code, note
    row.decided_by, row.decided_at = actor.id, now
    session.add(row)
    return row


def _rule(session: Session, *, entry: Entry, stage: Stage, eligible: bool, reason_code: str | None, note: str,
          actor: User, now: datetime, statuses: tuple[EntryStatus, EntryStatus]) -> Screening:
    """Record an eligibility decision and move the entry to the stage's eligible or ineligible status."""
    reason = _reason(eligible, reason_code)
    target = statuses[0] if eligible else statuses[1]
    if entry.status != target:
        entry_status.check(entry.id, entry.status, target)
    row = _decide(session, entry=entry, stage=stage, eligible=eligible, reason_code=reason, note=note, actor=actor,
                  now=now)
    if entry.status != target:
        entry_status.apply(session, entry=entry, to=target, actor=actor, now=now, data={"reason_code": reason})
    return row


def _own_unit_entry(entry: Entry, actor: User) -> None:
    if not permissions.can_run_contest(actor, entry.unit_id):
        raise NotFound("Không tìm thấy tác phẩm.", code="entry_not_found")


def screen_locally(session: Session, *, entry: Entry, eligible: bool, reason_code: str | None, note: str,
                   actor: User, now: datetime) -> Screening:
    """The unit rules on a submitted work of its contest (with a reason when it is not eligible); only a work
    screened eligible can be forwarded. Not after the work was forwarded, nor outside the local phases."""
    _own_unit_entry(entry, actor)
    require_phase(session.get(Round, entry.round_id), now, "local.screen")
    if entry.status not in (EntryStatus.submitted, EntryStatus.screened, EntryStatus.ineligible_local):
        raise entry_status.InvalidTransition("Chỉ xét được tác phẩm đã nộp và chưa gửi về Trung ương.",
                                             field="status", code="not_screenable")
    return _rule(session, entry=entry, stage=Stage.local, eligible=eligible, reason_code=reason_code, note=note,
                 actor=actor, now=now, statuses=(EntryStatus.screened, EntryStatus.ineligible_local))


def return_to_author(session: Session, *, entry: Entry, note: str, actor: User, now: datetime) -> Entry:
    """The unit sends a work back to its author for completion (the note says what is missing); the author
    edits and submits it again before the local deadline."""
    _own_unit_entry(entry, actor)
    round_ = session.get(Round, entry.round_id)
    require_phase(round_, now, "local.return")
    note = " ".join((note or "").split())[:2000]
    if not note:
        raise Invalid("Hãy ghi rõ tác giả cần bổ sung gì.", field="note", code="required")
    entry_status.check(entry.id, entry.status, EntryStatus.returned)
    _decide(session, entry=entry, stage=Stage.local, eligible=False, reason_code="incomplete", note=note,
            actor=actor, now=now)
    entry_status.apply(session, entry=entry, to=EntryStatus.returned, actor=actor, now=now, data={"note": note})
    notifications.entry_returned(session, entry=entry, note=note, now=now)
    return entry


def _signature(round_id: int, unit_id: int, actor_id: int, at: datetime, entry_ids: list[int]) -> str:
    payload = json.dumps({"round": round_id, "unit": unit_id, "by": actor_id, "at": at.isoformat(),
                          "entries": entry_ids}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _check_forwardable(session: Session, *, round_: Round, unit: Unit, entries: list[Entry], ids: list[int]) -> None:
    found = {e.id: e for e in entries}
    for i, entry_id in enumerate(ids):
        entry = found.get(entry_id)
        if entry is None or entry.round_id != round_.id or entry.unit_id != unit.id or entry.status == EntryStatus.draft:
            raise Invalid(f"Tác phẩm #{entry_id} không thuộc cuộc thi của đơn vị.", field=f"entry_ids.{i}",
                          code="not_in_contest")
        if entry.status in (EntryStatus.submitted, EntryStatus.returned):
            raise Conflict(f"Tác phẩm “{entry.title}” chưa được đơn vị xét đủ điều kiện; hãy xét trước khi gửi.",
                           field=f"entry_ids.{i}", code="not_screened")
        if not entry_status.allowed(entry.status, EntryStatus.forwarded):
            raise Conflict(f"Tác phẩm “{entry.title}” không gửi được (đã rút, không đủ điều kiện hoặc đã gửi).",
                           field=f"entry_ids.{i}", code="not_forwardable")
    rules = RoundRules.model_validate(round_.rules)
    authors = session.exec(select(EntryAuthor).where(EntryAuthor.entry_id.in_(ids))).all()
    by_entry: dict[int, list[EntryAuthor]] = {}
    for a in authors:
        by_entry.setdefault(a.entry_id, []).append(a)
    for i, entry_id in enumerate(ids):
        if len(by_entry.get(entry_id, [])) > rules.max_authors:
            raise Conflict(f"Tác phẩm “{found[entry_id].title}” có quá {rules.max_authors} tác giả để gửi về Trung ương.",
                           field=f"entry_ids.{i}", code="too_many_authors")
    _check_forwarded_per_author(session, round_=round_, ids=ids, authors=authors, limit=rules.works_per_author_forwarded)


def _check_forwarded_per_author(session: Session, *, round_: Round, ids: list[int], authors: list[EntryAuthor],
                                limit: int) -> None:
    """Each author (or group) may have at most `limit` works at the centre in the round."""
    seen: dict[str, int] = {}
    for a in authors:
        keys = {a.name_key} | ({a.email} if a.email else set())
        already = session.exec(
            select(func.count(func.distinct(Entry.id))).join(EntryAuthor, EntryAuthor.entry_id == Entry.id)
            .join(ForwardedEntry, ForwardedEntry.entry_id == Entry.id)
            .where(Entry.round_id == round_.id, Entry.id.notin_(ids),
                   or_(EntryAuthor.name_key == a.name_key, EntryAuthor.email == (a.email or "\x00")))).one()
        mine = max(seen.get(k, 0) for k in keys) + 1
        for k in keys:
            seen[k] = mine
        if already + mine > limit:
            raise Conflict(f"Tác giả {a.full_name} chỉ được có {limit} tác phẩm gửi về Trung ương.",
                           field="entry_ids", code="author_forward_limit")


def forward(session: Session, *, round_: Round, unit: Unit, entry_ids: list[int], actor: User,
            now: datetime) -> ForwardingBatch:
    """Send works to the centre as one batch. The whole request is refused if the unit's forwarded total
    would pass its quota; the check is one guarded UPDATE, so concurrent requests cannot pass it together."""
    if not permissions.can_run_contest(actor, unit.id):
        raise Forbidden("Chỉ cán bộ của đơn vị mới gửi được tác phẩm của đơn vị.", code="not_your_unit")
    require_phase(round_, now, "local.forward")
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        raise Invalid("Hãy chọn ít nhất một tác phẩm để gửi.", field="entry_ids", code="required")
    entries = session.exec(select(Entry).where(Entry.id.in_(ids)).order_by(Entry.id)).all()
    _check_forwardable(session, round_=round_, unit=unit, entries=list(entries), ids=ids)
    contest = contest_for(session, round_=round_, unit=unit)
    taken = session.exec(
        update(LocalContest)
        .where(LocalContest.id == contest.id, LocalContest.forwarded + len(ids) <= LocalContest.quota)
        .values(forwarded=LocalContest.forwarded + len(ids))
    ).rowcount
    if taken != 1:
        session.refresh(contest)
        raise Conflict(f"Vượt chỉ tiêu: đơn vị đã gửi {contest.forwarded}/{contest.quota} tác phẩm, "
                       f"không thể gửi thêm {len(ids)}.", field="entry_ids", code="quota_exceeded")
    # Every entry was checked against the lifecycle table above (screened -> forwarded); the guarded UPDATE
    # makes the move for the whole batch at once, so a concurrent change is refused rather than lost.
    moved = session.exec(
        update(Entry).where(Entry.id.in_(ids), Entry.status == EntryStatus.screened)
        .values(status=EntryStatus.forwarded, updated_at=now, version=Entry.version + 1)
    ).rowcount
    if moved != len(ids):
        raise Conflict("Một số tác phẩm vừa thay đổi trạng thái. Hãy tải lại danh sách.", code="concurrent_change")
    batch = ForwardingBatch(round_id=round_.id, unit_id=unit.id, forwarded_by=actor.id, forwarded_at=now,
                            entry_ids=ids, digest=_signature(round_.id, unit.id, actor.id, now, ids))
    session.add(batch)
    session.flush()
    for position, entry_id in enumerate(ids):
        session.add(ForwardedEntry(entry_id=entry_id, batch_id=batch.id, position=position))
    session.flush()
    for entry in entries:
        session.refresh(entry)
        entry_status.record(session, entry_id=entry.id, old=EntryStatus.screened, new=EntryStatus.forwarded,
                            actor=actor, now=now, data={"batch_id": batch.id})
    audit.record(session, actor_id=actor.id, action="contest.forwarded", object_type="batch", object_id=batch.id,
                 now=now, data={"unit_id": unit.id, "round_id": round_.id, "entry_ids": ids, "digest": batch.digest})
    notifications.entries_forwarded(session, entries=entries, batch_id=batch.id, unit_name=unit.name, now=now)
    log.info("contest.forwarded batch_id=%s unit_id=%s n=%s", batch.id, unit.id, len(ids))
    return batch


def record_receipt(session: Session, *, batch: ForwardingBatch, actor: User, now: datetime,
                   postmark_date: date | None = None) -> ForwardingBatch:
    """The secretariat records that a batch arrived (and, for works still sent on paper, the postmark)."""
    require_phase(session.get(Round, batch.round_id), now, "central.receipt")
    if batch.received_at is not None:
        raise Conflict("Lô tác phẩm này đã được ghi nhận.", code="already_received")
    batch.received_at, batch.received_by, batch.postmark_date = now, actor.id, postmark_date
    session.add(batch)
    for entry in session.exec(select(Entry).where(Entry.id.in_(batch.entry_ids),
                                                  Entry.status == EntryStatus.forwarded)).all():
        entry_status.apply(session, entry=entry, to=EntryStatus.received, actor=actor, now=now,
                           data={"batch_id": batch.id})
    audit.record(session, actor_id=actor.id, action="contest.received", object_type="batch", object_id=batch.id,
                 now=now, data={"postmark_date": postmark_date.isoformat() if postmark_date else None})
    return batch


def receive_entries(session: Session, *, round_: Round, entries: list[Entry], actor: User, now: datetime) -> int:
    """The secretariat records works as received one by one (the works list's bulk action), each a checked
    move forwarded → received; a batch none of whose works is still waiting is recorded as received too.
    One work that cannot move refuses them all (the caller's transaction is rolled back)."""
    require_phase(round_, now, "central.receipt")
    for entry in entries:
        if entry.round_id != round_.id:
            raise NotFound("Không tìm thấy tác phẩm.", code="entry_not_found")
        entry_status.check(entry.id, entry.status, EntryStatus.received)
    ids = [e.id for e in entries]
    batch_of = dict(session.exec(select(ForwardedEntry.entry_id, ForwardedEntry.batch_id)
                                 .where(ForwardedEntry.entry_id.in_(ids))).all()) if ids else {}
    for entry in entries:
        entry_status.apply(session, entry=entry, to=EntryStatus.received, actor=actor, now=now,
                           data={"batch_id": batch_of.get(entry.id)})
    for batch_id in sorted(set(batch_of.values())):
        batch = session.get(ForwardingBatch, batch_id)
        waiting = session.exec(select(Entry.id).where(Entry.id.in_(batch.entry_ids),
                                                      Entry.status == EntryStatus.forwarded).limit(1)).first()
        if batch.received_at is None and waiting is None:
            batch.received_at, batch.received_by = now, actor.id
            session.add(batch)
            audit.record(session, actor_id=actor.id, action="contest.received", object_type="batch",
                         object_id=batch.id, now=now, data={"postmark_date": None, "by_works": True})
    log.info("contest.works_received round_id=%s count=%s", round_.id, len(entries))
    return len(entries)


def rule_eligibility(session: Session, *, entry: Entry, eligible: bool, reason_code: str | None, note: str,
                     actor: User, now: datetime) -> Screening:
    """The secretariat's eligibility ruling on a forwarded work, with a reason code for a rejection."""
    require_phase(session.get(Round, entry.round_id), now, "central.receipt")
    if entry.status not in (EntryStatus.forwarded, EntryStatus.received, EntryStatus.eligible, EntryStatus.ineligible):
        raise entry_status.InvalidTransition("Chỉ xét điều kiện tác phẩm đã được gửi về Trung ương và chưa vào "
                                             "chung khảo.", field="status", code="not_forwarded")
    row = _rule(session, entry=entry, stage=Stage.preliminary, eligible=eligible, reason_code=reason_code,
                note=note, actor=actor, now=now, statuses=(EntryStatus.eligible, EntryStatus.ineligible))
    notifications.eligibility_decided(session, entry=entry, eligible=eligible,
                                      reason=REASONS.get(row.reason_code) if row.reason_code else None, now=now)
    if eligible:  # an eligible work goes straight to its subpanel
        panels.place(session, entry=entry, round_=session.get(Round, entry.round_id), actor=actor, now=now)
    return row


LOCAL_LEVELS = ("Nhất", "Nhì", "Ba", "KK", "A", "B", "C")
# Screened eligible by the unit, and every later state (the unit's prize stands whatever the centre decides).
AWARDABLE_LOCALLY = (EntryStatus.screened, EntryStatus.forwarded, EntryStatus.received, EntryStatus.eligible,
                     EntryStatus.ineligible, EntryStatus.finalist, EntryStatus.awarded, EntryStatus.no_prize)


def _snapshot(session: Session, entry: Entry) -> tuple[str, list[str], str]:
    """Title, authors and first outlet of a work as it is when the unit awards it."""
    from award.entries import children

    authors, parts = children(session, entry)
    names = [a.full_name + (f" ({a.pen_name})" if a.pen_name else "") for a in authors]
    return entry.title[:500], names, (parts[0].outlet if parts else "")[:200]


def set_unit_rubric(session: Session, *, round_: Round, unit: Unit, criteria: list, actor: User,
                    now: datetime) -> LocalContest:
    """A unit manager adjusts the rubric of the unit's own contest (the round's is the default)."""
    from award.rules import Criterion

    if not permissions.can_set_unit_rubric(actor, unit.id):
        raise Forbidden("Chỉ sửa được thang điểm của đơn vị mình.", code="not_your_unit")
    # the rubric is part of setting up the local jury: changing it under scored sheets would change their totals
    require_phase(round_, now, "local.jury")
    if not criteria:
        raise Invalid("Thang điểm cần ít nhất một tiêu chí.", field="criteria", code="required")
    parsed = [Criterion.model_validate(c) for c in criteria]
    if len({c.code for c in parsed}) != len(parsed):
        raise Invalid("Hai tiêu chí trùng mã.", field="criteria", code="duplicate_criterion")
    contest = contest_for(session, round_=round_, unit=unit)
    contest.rubric = [c.model_dump(mode="json") for c in parsed]
    session.add(contest)
    session.flush()
    audit.record(session, actor_id=actor.id, action="contest.rubric", object_type="unit", object_id=unit.id, now=now,
                 data={"round_id": round_.id, "criteria": contest.rubric})
    return contest


def award_local_prize(session: Session, *, entry: Entry, level: str | None, actor: User, now: datetime) -> LocalPrize | None:
    """Record (or remove, with None) the prize the unit's own contest gave a work."""
    _own_unit_entry(entry, actor)
    require_phase(session.get(Round, entry.round_id), now, "local.prize")
    if entry.status not in AWARDABLE_LOCALLY:
        raise Conflict("Chỉ trao giải của đơn vị cho tác phẩm đơn vị đã xét đủ điều kiện.", code="not_awardable")
    row = session.get(LocalPrize, entry.id)
    if level is None:
        if row is not None:
            session.delete(row)
    else:
        if level not in LOCAL_LEVELS:
            raise Invalid(f"Mức giải phải là một trong: {', '.join(LOCAL_LEVELS)}.", field="level", code="invalid_level")
        row = row or LocalPrize(entry_id=entry.id, round_id=entry.round_id, unit_id=entry.unit_id, level=level,
                                awarded_by=actor.id)
        row.level, row.awarded_by, row.awarded_at = level, actor.id, now
        row.title, row.authors, row.outlet = _snapshot(session, entry)
        session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id, action="contest.local_prize", object_type="entry", object_id=entry.id,
                 now=now, data={"level": level})
    return row


def local_prizes(session: Session, *, round_id: int, unit_id: int) -> list[tuple[LocalPrize, Entry]]:
    order = {level: i for i, level in enumerate(LOCAL_LEVELS)}
    rows = session.exec(select(LocalPrize, Entry).join(Entry, Entry.id == LocalPrize.entry_id).where(
        LocalPrize.round_id == round_id, LocalPrize.unit_id == unit_id)).all()
    return sorted(rows, key=lambda r: (order.get(r[0].level, 99), r[1].id))
