"""The final stage: finalists advanced from the subpanels' shortlists, the council's ballots and their
tally (the vote rules are pure, in judging.tally)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from award import audit, entry_status
from award.calendar import require_phase
from award.errors import Conflict, Forbidden, Invalid, NotFound
from award.models import Entry, EntryStatus, EntryTheme, OutlineNode, Round, User
from award.rules import RoundRules
from judging import assignment as plan_rules, tally as vote
from judging.juries import declared, entry_infos, judge_info
from judging.locks import lock_round
from judging.models import Assignment, Ballot, JudgeMembership, PanelPlacement, ResultList, ResultStatus, Stage
from judging.ranking import Ranked, Sheet, sheet_total
from judging.stages import ranking, rubric_for, stage_settings

FINALIST = entry_status.FINALISTS


def _list_locked(session: Session, round_: Round) -> ResultList | None:
    """The prize list, when one is proposed, approved or published: the final stage is then frozen.
    Read afresh (not from the session's identity map): callers hold the round's lock and must see a
    proposal committed while they waited for it."""
    row = session.exec(select(ResultList).where(ResultList.round_id == round_.id)
                       .execution_options(populate_existing=True)).first()
    return row if row is not None and row.status != ResultStatus.returned else None


def advance(session: Session, *, round_: Round, entry_ids: list[int], actor: User, now: datetime) -> list[Entry]:
    """Send eligible works of the subpanels' shortlists to the final (all or nothing)."""
    require_phase(round_, now, "preliminary.advance")
    lock_round(session, round_.id, shared=True)
    if _list_locked(session, round_):
        raise Conflict("Danh sách giải đã được đề xuất; không thay đổi danh sách chung khảo.", code="results_proposed")
    ids = list(dict.fromkeys(entry_ids))
    entries = {e.id: e for e in session.exec(select(Entry).where(Entry.id.in_(ids), Entry.round_id == round_.id))}
    for i, entry_id in enumerate(ids):
        entry = entries.get(entry_id)
        if entry is None:
            raise NotFound("Không tìm thấy tác phẩm.", field=f"entry_ids.{i}", code="entry_not_found")
        if entry.status not in (EntryStatus.eligible, EntryStatus.finalist):
            raise Conflict(f"“{entry.title}” chưa đủ điều kiện để vào chung khảo.", field=f"entry_ids.{i}",
                           code="not_eligible")
    for entry_id in ids:
        if entries[entry_id].status == EntryStatus.eligible:
            entry_status.apply(session, entry=entries[entry_id], to=EntryStatus.finalist, actor=actor, now=now,
                               data={"stage": "final"})
    return finalists(session, round_id=round_.id)


def withdraw(session: Session, *, round_: Round, entry_ids: list[int], actor: User, now: datetime) -> list[Entry]:
    """Take works back out of the final while no ballot is cast on them."""
    require_phase(round_, now, "preliminary.advance")
    lock_round(session, round_.id)  # exclusive: no ballot on these works may land meanwhile
    if _list_locked(session, round_):
        raise Conflict("Danh sách giải đã được đề xuất; không thay đổi danh sách chung khảo.", code="results_proposed")
    voted = set(session.exec(select(Ballot.entry_id).where(Ballot.entry_id.in_(entry_ids))).all())
    for i, entry_id in enumerate(entry_ids):
        entry = session.get(Entry, entry_id)
        if entry is None or entry.round_id != round_.id or entry.status != EntryStatus.finalist:
            raise NotFound("Tác phẩm không có trong danh sách chung khảo.", field=f"entry_ids.{i}",
                           code="not_finalist")
        if entry_id in voted:
            raise Conflict(f"Hội đồng đã bỏ phiếu cho “{entry.title}”.", field=f"entry_ids.{i}", code="has_ballots")
        entry_status.apply(session, entry=entry, to=EntryStatus.eligible, actor=actor, now=now,
                           data={"stage": "preliminary"})
    return finalists(session, round_id=round_.id)


def finalists(session: Session, *, round_id: int) -> list[Entry]:
    return list(session.exec(select(Entry).where(Entry.round_id == round_id, Entry.status.in_(FINALIST))
                             .order_by(Entry.media_type, Entry.id)).all())


def finalist_panels(session: Session, *, round_id: int) -> dict[int, str]:
    return dict(session.exec(select(PanelPlacement.entry_id, PanelPlacement.panel_code).join(
        Entry, Entry.id == PanelPlacement.entry_id).where(
        PanelPlacement.round_id == round_id, Entry.status.in_(FINALIST))).all())


def council(session: Session, *, round_id: int) -> list[User]:
    return list(session.exec(select(User).join(JudgeMembership, JudgeMembership.user_id == User.id).where(
        JudgeMembership.round_id == round_id, JudgeMembership.stage == Stage.final,
        User.is_active == True).order_by(User.full_name)).all())  # noqa: E712


def is_member(session: Session, *, round_id: int, user: User) -> bool:
    return session.exec(select(JudgeMembership.id).where(
        JudgeMembership.round_id == round_id, JudgeMembership.stage == Stage.final,
        JudgeMembership.user_id == user.id)).first() is not None


def conflicts(session: Session, *, members: list[User], entries: list[Entry]) -> set[tuple[int, int]]:
    """(judge id, entry id) pairs the council members may not vote on."""
    infos = entry_infos(session, entries)
    pairs = declared(session, [m.id for m in members])
    found = set()
    for m in members:
        info = judge_info(m, Stage.final)
        for entry in entries:
            if plan_rules.conflict_reason(info, infos[entry.id], pairs) is not None:
                found.add((m.id, entry.id))
    return found


def cast(session: Session, *, round_: Round, entry: Entry, judge: User, level: str, thematic: str | None,
         now: datetime) -> Ballot:
    """A council member's ballot on a finalist; casting again replaces it until the list is proposed.

    Two locks make it safe across processes: the round's row, shared (a proposal takes it exclusively, so
    a ballot lands either wholly before the proposal, which counts it, or after it, refused), and the
    member's own row, exclusive (the same member casting twice at once: one ballot, the later one wins)."""
    require_phase(round_, now, "final.score")
    lock_round(session, round_.id, shared=True)
    membership = session.exec(select(JudgeMembership.id).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.stage == Stage.final,
        JudgeMembership.user_id == judge.id).with_for_update()).first()
    if membership is None:
        raise Forbidden("Anh/chị không phải thành viên Hội đồng chung khảo của đợt giải này.", code="not_council_member")
    if entry.round_id != round_.id or entry.status not in FINALIST:
        raise NotFound("Tác phẩm không có trong danh sách chung khảo.", code="not_finalist")
    if conflicts(session, members=[judge], entries=[entry]):
        raise Forbidden("Anh/chị có xung đột lợi ích với tác phẩm này nên không bỏ phiếu.", code="conflict_of_interest")
    if stage_settings(round_, Stage.final).closed or _list_locked(session, round_):
        raise Conflict("Vòng chung khảo đã đóng, không nhận phiếu bầu.", code="stage_closed")
    if level not in vote.VOTE_LEVELS:
        raise Invalid("Mức giải không hợp lệ.", field="level", code="invalid_level")
    names = [t.name for t in RoundRules.model_validate(round_.rules).thematic_prizes]
    if thematic and thematic not in names:
        raise Invalid("Giải chuyên đề không có trong thể lệ đợt giải.", field="thematic", code="invalid_thematic")
    row = session.exec(select(Ballot).where(Ballot.entry_id == entry.id, Ballot.judge_id == judge.id)
                       .execution_options(populate_existing=True)).first()
    row = row or Ballot(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, level=level, cast_at=now)
    row.level, row.thematic, row.updated_at = level, thematic or None, now
    session.add(row)
    session.flush()
    audit.record(session, actor_id=judge.id, action="judging.ballot_cast", object_type="entry", object_id=entry.id,
                 now=now, data={"level": level, "thematic": thematic or None})
    return row


@dataclass
class CouncilState:
    members: list[User]
    finalists: list[Entry]
    conflicts: set[tuple[int, int]]
    ballots: list[Ballot]
    tally: vote.Tally

    @property
    def not_voted(self) -> list[tuple[User, int, int]]:
        """The council members who still owe ballots: (member, ballots cast, works they may vote on), those
        without any ballot first. Works a member has a conflict with are not owed."""
        finalist_ids = {e.id for e in self.finalists}
        cast: dict[int, int] = {}
        for b in self.ballots:
            if b.entry_id in finalist_ids and (b.judge_id, b.entry_id) not in self.conflicts:
                cast[b.judge_id] = cast.get(b.judge_id, 0) + 1
        owed = []
        for m in self.members:
            due = sum(1 for e in self.finalists if (m.id, e.id) not in self.conflicts)
            if cast.get(m.id, 0) < due:
                owed.append((m, cast.get(m.id, 0), due))
        return sorted(owed, key=lambda row: (row[1] > 0, row[0].full_name))


def state(session: Session, *, round_: Round) -> CouncilState:
    """Everything the tally needs, in a fixed number of queries, and the tally itself."""
    rules = RoundRules.model_validate(round_.rules)
    members, entries = council(session, round_id=round_.id), finalists(session, round_id=round_.id)
    blocked = conflicts(session, members=members, entries=entries)
    member_ids = {m.id for m in members}
    ballots = list(session.exec(select(Ballot).where(Ballot.round_id == round_.id)).all())
    votes = [vote.Vote(b.judge_id, b.entry_id, b.level, b.thematic) for b in ballots
             if b.judge_id in member_ids and (b.judge_id, b.entry_id) not in blocked]
    voters = {e.id: sum(1 for m in members if (m.id, e.id) not in blocked) for e in entries}
    result = vote.tally(votes, voters, rules.prize_counts.model_dump(), quorum=rules.council.quorum,
                        threshold=rules.council.threshold, thematic_names=[t.name for t in rules.thematic_prizes])
    return CouncilState(members=members, finalists=entries, conflicts=blocked, ballots=ballots, tally=result)


def my_ballots(session: Session, *, round_id: int, judge: User) -> dict[int, Ballot]:
    return {b.entry_id: b for b in session.exec(select(Ballot).where(Ballot.round_id == round_id,
                                                                     Ballot.judge_id == judge.id))}


# --- the council's dossier --------------------------------------------------------------------------

@dataclass
class Review:
    """One submitted preliminary sheet as the council reads it: no judge's name, only its order."""

    number: int
    total: Decimal
    comment: str


@dataclass
class Dossier:
    """What a council member reads about a finalist besides the work itself."""

    panel: str | None  # the subpanel's name
    rank: int | None  # in its subpanel at the preliminary stage (judging.ranking, mean)
    of: int  # works ranked in that subpanel
    score: Decimal | None  # the mean of its preliminary sheet totals
    sheets: int
    reviews: list[Review]  # empty when the preliminary stage keeps its comments from the council
    comments_shown: bool
    thematic: list[str]  # the round's thematic prizes tied to an outline theme the work is tagged with


def _tagged(codes: set[str], themes: list[str]) -> bool:
    """A work tagged with a theme, or with a point under it ("1.2" covers "1.2.3"), matches that theme."""
    return any(code == theme or code.startswith(theme + ".") for code in codes for theme in themes)


def dossiers(session: Session, *, round_: Round, entries: list[Entry]) -> dict[int, Dossier]:
    """Each finalist's subpanel, preliminary rank and mean score, the preliminary judges' comments as the stage's
    settings allow (StageSettings.comments_to_council), and the thematic prizes it could take. A query per
    subpanel for the ranking, and three more for any number of works."""
    rules = RoundRules.model_validate(round_.rules)
    names = {p.code: p.name for p in rules.panels}
    ids = [e.id for e in entries]
    placed = {i: code for i, code in finalist_panels(session, round_id=round_.id).items() if i in set(ids)}
    ranked: dict[int, tuple[Ranked, int]] = {}
    for code in sorted(set(placed.values())):
        rows = [r for r in ranking(session, round_=round_, stage=Stage.preliminary, method="mean", panel=code)
                if r.rank is not None]
        ranked.update({r.entry_id: (r, len(rows)) for r in rows})
    shown = stage_settings(round_, Stage.preliminary).comments_to_council
    reviews: dict[int, list[Review]] = {i: [] for i in ids}
    if shown and ids:
        rubric = rubric_for(session, round_, Stage.preliminary)
        for entry_id, scores, comment in session.exec(
                select(Assignment.entry_id, Assignment.scores, Assignment.comment).where(
                    Assignment.round_id == round_.id, Assignment.stage == Stage.preliminary,
                    Assignment.entry_id.in_(ids), Assignment.submitted_at != None)  # noqa: E711
                .order_by(Assignment.entry_id, Assignment.id)):
            found = reviews[entry_id]
            total = sheet_total(Sheet(0, entry_id, {k: Decimal(v) for k, v in (scores or {}).items()}), rubric)
            found.append(Review(len(found) + 1, total, (comment or "").strip()))
    tags: dict[int, set[str]] = {i: set() for i in ids}
    if ids and rules.thematic_prizes:
        for entry_id, code in session.exec(select(EntryTheme.entry_id, OutlineNode.code).join(
                OutlineNode, OutlineNode.id == EntryTheme.outline_node_id).where(EntryTheme.entry_id.in_(ids))):
            tags[entry_id].add(code)
    found: dict[int, Dossier] = {}
    for e in entries:
        row, of = ranked.get(e.id, (None, 0))
        code = placed.get(e.id)
        found[e.id] = Dossier(
            panel=names.get(code, code) if code else None, rank=row.rank if row else None, of=of,
            score=row.score if row else None, sheets=row.n_sheets if row else 0, reviews=reviews[e.id],
            comments_shown=shown,
            thematic=[t.name for t in rules.thematic_prizes if t.themes and _tagged(tags[e.id], t.themes)])
    return found

