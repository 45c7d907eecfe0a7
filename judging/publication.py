"""From the council's tally to the public list: propose (trình), approve or send back, publish (with
an optional embargo), and corrections once published.

A published list is frozen: every later change is a ResultCorrection with a reason. Each published
prize carries a checksum of what the public sees (title, level, media type, outlets, authors) and the
list a checksum of those; both go into the audit log, so `verify` can show the public list is the
one that was approved and published.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, delete, select

from award import audit, entry_status, notifications
from award.calendar import Phase, phase, require_phase
from award.errors import Conflict, Invalid, NotFound, fitting
from award.models import (
    AuditEvent,
    Entry,
    EntryAuthor,
    EntryPart,
    EntryStatus,
    EntryTheme,
    OutlineNode,
    Round,
    Unit,
    User,
)
from award.rules import PRIZE_LEVELS, RoundRules
from judging import council, tally as vote
from judging.locks import lock_round
from judging.models import ResultCorrection, ResultItem, ResultList, ResultStatus

NOTE_CHARS = 2000  # a note or reason on the result list (the council page's textareas say the same)

STATUS_LABELS = {
    ResultStatus.proposed: "Đã trình, chờ phê duyệt",
    ResultStatus.returned: "Bị trả lại",
    ResultStatus.approved: "Đã phê duyệt, chờ công bố",
    ResultStatus.published: "Đã công bố",
}


def result_list(session: Session, round_id: int) -> ResultList | None:
    return session.get(ResultList, round_id)


def _decide(session: Session, round_: Round) -> ResultList | None:
    """Before any decision on the list: the round's lock (exclusive, see judging.locks), then the list as
    committed now. Ballots and finalist moves already under way finish first and are counted; later ones
    wait and are then refused. Two decisions at once (a double click) run one after the other."""
    lock_round(session, round_.id)
    return session.exec(select(ResultList).where(ResultList.round_id == round_.id)
                        .execution_options(populate_existing=True)).first()


def is_public(row: ResultList | None, now: datetime) -> bool:
    return (row is not None and row.status == ResultStatus.published
            and (row.publish_at is None or row.publish_at <= now))


def _titles(session: Session, ids: list[int]) -> str:
    names = [f"“{e.title}”" for e in session.exec(select(Entry).where(Entry.id.in_(ids)).order_by(Entry.id).limit(5))]
    more = f" và {len(ids) - 5} tác phẩm khác" if len(ids) > 5 else ""
    return ", ".join(names) + more


def tally_snapshot(state: council.CouncilState, overrides: dict[int, str], thematic: dict[str, int | None]) -> dict:
    """What the minutes print: the vote as it stood when the list was proposed."""
    return {
        "members": [{"id": m.id, "name": m.full_name} for m in state.members],
        "works": [{"entry_id": w.entry_id, "voters": w.voters, "cast": w.cast, "counts": w.counts,
                   "proposed": w.proposed, "allocated": w.allocated, "flags": sorted(w.flags),
                   "final": overrides.get(w.entry_id, w.allocated)} for w in state.tally.works],
        "thematic": [{"name": t.name, "nominations": {str(k): v for k, v in t.nominations.items()},
                      "winner": thematic.get(t.name)} for t in state.tally.thematic],
        "overrides": {str(k): v for k, v in overrides.items()},
    }


def propose(session: Session, *, round_: Round, actor: User, now: datetime, overrides: dict[int, str] | None = None,
            thematic_overrides: dict[str, int] | None = None, note: str = "") -> ResultList:
    """The secretariat proposes the council's list. Refused, with nothing written, before quorum, while
    a tie is unresolved, or when the list would give a level more often than the round allows."""
    require_phase(round_, now, "results.decide")
    note = fitting(note, NOTE_CHARS, field="note", label="Ghi chú khi trình")  # refused whole, never cut
    overrides, thematic_overrides = dict(overrides or {}), dict(thematic_overrides or {})
    row = _decide(session, round_)
    if row is not None and row.status != ResultStatus.returned:
        raise Conflict("Danh sách giải đã được đề xuất.", code="already_proposed")
    state = council.state(session, round_=round_)
    if not state.finalists:
        raise Conflict("Chưa có tác phẩm nào vào chung khảo.", code="no_finalists")
    if state.tally.without_quorum:
        ids = state.tally.without_quorum
        raise Conflict(f"Chưa đủ số phiếu tối thiểu cho {len(ids)} tác phẩm: {_titles(session, ids)}.",
                       code="no_quorum")
    finalist_ids = {e.id for e in state.finalists}
    for entry_id, level in overrides.items():
        if entry_id not in finalist_ids:
            raise Invalid("Tác phẩm không có trong danh sách chung khảo.", field=f"overrides.{entry_id}",
                          code="not_finalist")
        if level not in vote.VOTE_LEVELS:
            raise Invalid("Mức giải không hợp lệ.", field=f"overrides.{entry_id}", code="invalid_level")
    unresolved = [i for i in state.tally.ties if i not in overrides]
    if unresolved:
        raise Conflict(f"Có tác phẩm bằng phiếu ở ranh giới mức giải, Hội đồng cần quyết định: "
                       f"{_titles(session, unresolved)}.", code="unresolved_tie")
    levels = {**state.tally.allocated(), **overrides}
    over = vote.over_counts(levels, state.tally.counts)
    if over:
        text = "; ".join(f"{PRIZE_LEVELS[lv]}: {given} tác phẩm, thể lệ cho phép {allowed}"
                         for lv, (given, allowed) in over.items())
        raise Conflict(f"Số giải vượt quy định ({text}).", code="prize_counts_exceeded")
    thematic: dict[str, int | None] = {}
    for result in state.tally.thematic:
        chosen = thematic_overrides.get(result.name, result.winner)
        if result.name in thematic_overrides and chosen not in finalist_ids:
            raise Invalid("Tác phẩm không có trong danh sách chung khảo.", field=f"thematic_overrides.{result.name}",
                          code="not_finalist")
        if result.tie and result.name not in thematic_overrides:
            raise Conflict(f"{result.name}: có tác phẩm bằng số đề cử, Hội đồng cần quyết định: "
                           f"{_titles(session, result.tie)}.", code="unresolved_tie")
        thematic[result.name] = chosen
    session.exec(delete(ResultItem).where(ResultItem.round_id == round_.id))
    row = row or ResultList(round_id=round_.id, status=ResultStatus.proposed)
    row.status, row.source, row.proposed_by, row.proposed_at = ResultStatus.proposed, "council", actor.id, now
    row.proposal_note, row.decided_by, row.decided_at = note, None, None
    row.tally = tally_snapshot(state, overrides, thematic)
    session.add(row)
    session.flush()
    won = {entry_id: name for name, entry_id in thematic.items() if entry_id is not None}
    for position, entry_id in enumerate(sorted(finalist_ids)):
        level = levels.get(entry_id)
        level = level if level in vote.LEVELS else None
        if level or entry_id in won:
            session.add(ResultItem(round_id=round_.id, entry_id=entry_id, level=level, thematic=won.get(entry_id),
                                   position=position))
    session.flush()
    audit.record(session, actor_id=actor.id, action="results.proposed", object_type="round", object_id=round_.id,
                 now=now, data={"levels": {str(k): v for k, v in levels.items()}, "thematic": thematic})
    return row


def _pending(session: Session, round_: Round) -> ResultList:
    row = _decide(session, round_)
    if row is None or row.status == ResultStatus.returned:
        raise Conflict("Chưa có danh sách giải nào chờ phê duyệt.", code="not_proposed")
    if row.status != ResultStatus.proposed:
        raise Conflict("Danh sách giải đã được phê duyệt.", code="already_approved")
    return row


def approve(session: Session, *, round_: Round, actor: User, now: datetime) -> ResultList:
    require_phase(round_, now, "results.decide")
    row = _pending(session, round_)
    row.status, row.decided_by, row.decided_at, row.return_note = ResultStatus.approved, actor.id, now, ""
    session.add(row)
    audit.record(session, actor_id=actor.id, action="results.approved", object_type="round", object_id=round_.id,
                 now=now)
    return row


def send_back(session: Session, *, round_: Round, note: str, actor: User, now: datetime) -> ResultList:
    if not (note or "").strip():
        raise Invalid("Hãy ghi lý do trả lại danh sách.", field="note", code="note_required")
    require_phase(round_, now, "results.decide")
    row = _pending(session, round_)
    row.status, row.decided_by, row.decided_at = ResultStatus.returned, actor.id, now
    row.return_note = fitting(note, NOTE_CHARS, field="note", label="Lý do trả lại")
    session.add(row)
    audit.record(session, actor_id=actor.id, action="results.returned", object_type="round", object_id=round_.id,
                 now=now, data={"note": row.return_note})
    return row


# --- what the public sees, and its checksums -------------------------------------------------------

@dataclass
class Prize:
    """A published prize as the public sees it."""

    entry_id: int
    title: str
    level: str | None
    thematic: str | None
    media_type: str
    genre: str
    unit: str
    outlets: list[str]
    authors: list[dict]
    themes: list[dict] = field(default_factory=list)
    parts: list[EntryPart] = field(default_factory=list)
    checksum: str | None = None

    @property
    def level_label(self) -> str:
        return PRIZE_LEVELS.get(self.level or "", "")

    @property
    def outlet(self) -> str:
        return "; ".join(self.outlets)

    def public(self) -> dict:
        """The fields the checksum covers, in a fixed form."""
        return {"entry_id": self.entry_id, "title": self.title, "level": self.level, "thematic": self.thematic,
                "media_type": self.media_type, "outlets": self.outlets,
                "authors": [[a["full_name"], a["pen_name"] or ""] for a in self.authors]}


def item_checksum(round_id: int, prize: Prize) -> str:
    text = json.dumps({"round_id": round_id, **prize.public()}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def list_checksum(round_id: int, version: int, item_sums: dict[int, str]) -> str:
    text = f"{round_id}:{version}:" + ",".join(f"{k}={item_sums[k]}" for k in sorted(item_sums))
    return hashlib.sha256(text.encode()).hexdigest()


LEVEL_ORDER = {level: i for i, level in enumerate(vote.LEVELS)}


def prizes(session: Session, *, round_id: int, media_type: str | None = None, level: str | None = None,
           entry_id: int | None = None) -> list[Prize]:
    """The round's prizes, highest level first, in five queries whatever their number."""
    query = select(ResultItem, Entry, Unit).join(Entry, Entry.id == ResultItem.entry_id).join(
        Unit, Unit.id == Entry.unit_id).where(ResultItem.round_id == round_id)
    if media_type:
        query = query.where(Entry.media_type == media_type)
    if level:
        query = query.where(ResultItem.level == level) if level != "thematic" else query.where(
            ResultItem.thematic != None)  # noqa: E711
    if entry_id is not None:
        query = query.where(Entry.id == entry_id)
    rows = session.exec(query).all()
    ids = [e.id for _, e, _ in rows]
    authors: dict[int, list[dict]] = {i: [] for i in ids}
    parts: dict[int, list[EntryPart]] = {i: [] for i in ids}
    themes: dict[int, list[dict]] = {i: [] for i in ids}
    if ids:
        for a in session.exec(select(EntryAuthor).where(EntryAuthor.entry_id.in_(ids)).order_by(EntryAuthor.position)):
            authors[a.entry_id].append({"full_name": a.full_name, "pen_name": a.pen_name})
        for p in session.exec(select(EntryPart).where(EntryPart.entry_id.in_(ids)).order_by(EntryPart.position)):
            parts[p.entry_id].append(p)
        for entry_id_, code, title in session.exec(select(EntryTheme.entry_id, OutlineNode.code, OutlineNode.title).join(
                OutlineNode, OutlineNode.id == EntryTheme.outline_node_id).where(EntryTheme.entry_id.in_(ids))
                .order_by(OutlineNode.code)):
            themes[entry_id_].append({"code": code, "title": title})
    result = []
    for item, entry, unit in rows:
        outlets = list(dict.fromkeys(p.outlet for p in parts[entry.id]))
        result.append(Prize(entry_id=entry.id, title=entry.title, level=item.level, thematic=item.thematic,
                            media_type=entry.media_type, genre=entry.genre, unit=unit.name, outlets=outlets,
                            authors=authors[entry.id], themes=themes[entry.id], parts=parts[entry.id],
                            checksum=item.checksum))
    result.sort(key=lambda p: (LEVEL_ORDER.get(p.level, len(LEVEL_ORDER)), p.media_type, p.title, p.entry_id))
    return result


def _seal(session: Session, *, row: ResultList) -> dict[int, str]:
    """Write each prize's checksum and the list's; returns the prizes' sums."""
    items = {i.entry_id: i for i in session.exec(select(ResultItem).where(ResultItem.round_id == row.round_id))}
    sums = {p.entry_id: item_checksum(row.round_id, p) for p in prizes(session, round_id=row.round_id)}
    for entry_id, item in items.items():
        item.checksum = sums[entry_id]
        session.add(item)
    row.checksum = list_checksum(row.round_id, row.version, sums)
    session.add(row)
    session.flush()
    return sums


def publish(session: Session, *, round_: Round, actor: User, now: datetime, publish_at: datetime | None = None,
            source: str = "council") -> ResultList:
    """Make the approved list public (from `publish_at` if set: an embargo) and freeze it. The round is in
    its `published` phase from that instant; finalists without a prize are marked so."""
    require_phase(round_, now, "results.import" if source == "import" else "results.decide")
    row = _decide(session, round_)
    if row is None or row.status in (ResultStatus.proposed, ResultStatus.returned):
        raise Conflict("Danh sách giải chưa được Ban Chỉ đạo phê duyệt.", code="not_approved")
    if row.status == ResultStatus.published:
        raise Conflict("Danh sách giải đã được công bố.", code="already_published")
    if publish_at is not None and publish_at.tzinfo is None:
        raise Invalid("Thời điểm công bố phải có múi giờ.", field="publish_at", code="naive_datetime")
    row.status, row.published_by, row.published_at = ResultStatus.published, actor.id, now
    row.publish_at = max(publish_at, now) if publish_at else now
    winners = set(session.exec(select(ResultItem.entry_id).where(ResultItem.round_id == round_.id)).all())
    for entry in session.exec(select(Entry).where(Entry.round_id == round_.id, Entry.status == EntryStatus.finalist)):
        outcome = EntryStatus.awarded if entry.id in winners else EntryStatus.no_prize
        entry_status.apply(session, entry=entry, to=outcome, actor=actor, now=now, data={"results": "published"})
    round_.results_published_at = row.publish_at
    session.add(round_)
    sums = _seal(session, row=row)
    audit.record(session, actor_id=actor.id, action="results.published", object_type="round", object_id=round_.id,
                 now=now, data={"checksum": row.checksum, "version": row.version, "source": source,
                                "publish_at": row.publish_at.isoformat(), "items": {str(k): v for k, v in sums.items()}})
    if source == "council":  # a past round's imported list mails nobody
        _mail_winners(session, round_=round_, publish_at=row.publish_at, now=now)
    return row


def _mail_winners(session: Session, *, round_: Round, publish_at: datetime, now: datetime) -> None:
    for item in session.exec(select(ResultItem).where(ResultItem.round_id == round_.id).order_by(ResultItem.position)):
        prizes = [PRIZE_LEVELS.get(item.level, item.level)] if item.level else []
        if item.thematic:
            prizes.append(f"giải chuyên đề “{item.thematic}”")
        entry = session.get(Entry, item.entry_id)
        if prizes and entry is not None:
            notifications.prize_won(session, entry=entry, prize=" và ".join(prizes), round_name=round_.name,
                                    publish_at=publish_at, now=now)


def correct(session: Session, *, round_: Round, entry: Entry, level: str | None, thematic: str | None, reason: str,
            actor: User, now: datetime) -> ResultCorrection:
    """Change one prize of a published list, with a reason; the counts still hold."""
    require_phase(round_, now, "results.correct")
    row = _decide(session, round_)
    if row is None or row.status != ResultStatus.published:
        raise Conflict("Chỉ đính chính danh sách đã công bố.", code="not_published")
    if not (reason or "").strip():
        raise Invalid("Hãy ghi lý do đính chính.", field="reason", code="reason_required")
    reason = fitting(reason, NOTE_CHARS, field="reason", label="Lý do đính chính")  # refused whole, never cut
    level = None if level in (None, "", vote.NO_PRIZE) else level
    if level is not None and level not in vote.LEVELS:
        raise Invalid("Mức giải không hợp lệ.", field="level", code="invalid_level")
    rules = RoundRules.model_validate(round_.rules)
    if thematic and thematic not in [t.name for t in rules.thematic_prizes] and row.source != "import":
        raise Invalid("Giải chuyên đề không có trong thể lệ đợt giải.", field="thematic", code="invalid_thematic")
    if entry.round_id != round_.id or entry.status not in council.FINALIST:
        raise NotFound("Tác phẩm không có trong danh sách chung khảo.", field="entry_id", code="not_finalist")
    items = {i.entry_id: i for i in session.exec(select(ResultItem).where(ResultItem.round_id == round_.id))}
    levels = {k: i.level for k, i in items.items() if i.level}
    levels.pop(entry.id, None)
    if level:
        levels[entry.id] = level
    over = vote.over_counts(levels, rules.prize_counts.model_dump()) if row.source != "import" else {}
    if over:
        text = "; ".join(f"{PRIZE_LEVELS[lv]}: {given}/{allowed}" for lv, (given, allowed) in over.items())
        raise Conflict(f"Số giải vượt quy định ({text}).", code="prize_counts_exceeded")
    item = items.get(entry.id)
    fix = ResultCorrection(round_id=round_.id, entry_id=entry.id, old_level=item.level if item else None,
                           new_level=level, old_thematic=item.thematic if item else None, new_thematic=thematic or None,
                           reason=reason, corrected_by=actor.id, corrected_at=now)
    session.add(fix)
    if level or thematic:
        item = item or ResultItem(round_id=round_.id, entry_id=entry.id, position=len(items))
        item.level, item.thematic = level, thematic or None
        session.add(item)
        if entry.status != EntryStatus.awarded:
            entry_status.apply(session, entry=entry, to=EntryStatus.awarded, actor=actor, now=now,
                               data={"results": "corrected"})
    elif item is not None:
        session.delete(item)
        entry_status.apply(session, entry=entry, to=EntryStatus.no_prize, actor=actor, now=now,
                           data={"results": "corrected"})
    session.flush()
    row.version += 1
    sums = _seal(session, row=row)
    audit.record(session, actor_id=actor.id, action="results.corrected", object_type="round", object_id=round_.id,
                 now=now, data={"entry_id": entry.id, "level": level, "thematic": thematic or None,
                                "reason": fix.reason, "checksum": row.checksum, "version": row.version,
                                "items": {str(k): v for k, v in sums.items()}})
    return fix


@dataclass
class Verification:
    ok: bool
    checksum: str | None
    version: int
    items: int
    mismatched: list[int]


def verify(session: Session, *, round_id: int) -> Verification:
    """Recompute every prize's checksum from the data and compare with the last published or corrected
    list recorded in the audit log."""
    row = result_list(session, round_id)
    event = session.exec(select(AuditEvent).where(
        AuditEvent.object_type == "round", AuditEvent.object_id == str(round_id),
        AuditEvent.action.in_(("results.published", "results.corrected"))).order_by(AuditEvent.id.desc())).first()
    recorded = (event.data or {}).get("items", {}) if event else {}
    current = {str(p.entry_id): item_checksum(round_id, p) for p in prizes(session, round_id=round_id)}
    mismatched = sorted(int(k) for k in set(recorded) | set(current) if recorded.get(k) != current.get(k))
    listed = list_checksum(round_id, row.version, {int(k): v for k, v in current.items()}) if row else None
    ok = bool(event) and not mismatched and listed == event.data.get("checksum") == row.checksum
    return Verification(ok=ok, checksum=row.checksum if row else None, version=row.version if row else 0,
                        items=len(current), mismatched=mismatched)


@dataclass
class Outcome:
    """What a work's author sees of its result (the entry page): `prize` ("Giải A; Giải chuyên đề …") with the
    authors named on its certificates, or a sentence saying where the work stopped."""

    prize: str | None = None
    certificates: list[str] = field(default_factory=list)
    text: str | None = None


def outcome(session: Session, *, entry: Entry, round_: Round, now: datetime) -> Outcome | None:
    """None while there is nothing to say: before the list is public (an embargo holds for authors too), a work
    still in play, or one whose refusal the entry page already explains (returned, ineligible)."""
    if entry.status == EntryStatus.submitted and phase(round_, now) not in (Phase.draft, Phase.submission, Phase.local_judging):
        return Outcome(text="Đơn vị đã không xét và không chuyển tác phẩm này về Trung ương trước hạn "
                            f"{round_.central_deadline:%d/%m/%Y}, nên tác phẩm không dự vòng xét chọn của Trung ương.")
    if not is_public(result_list(session, entry.round_id), now):
        return None
    found = prizes(session, round_id=entry.round_id, entry_id=entry.id)
    if found:
        prize = found[0]
        return Outcome(prize="; ".join(x for x in (prize.level_label, prize.thematic) if x),
                       certificates=[a["full_name"] for a in prize.authors])
    if entry.status in (EntryStatus.finalist, EntryStatus.no_prize):
        return Outcome(text="Tác phẩm vào vòng chung khảo nhưng không đạt giải.")
    if entry.status in (EntryStatus.received, EntryStatus.eligible, EntryStatus.forwarded):
        return Outcome(text="Tác phẩm đã được Trung ương xét chọn nhưng không vào vòng chung khảo.")
    return None
