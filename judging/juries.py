"""The juries: judges of a stage, their declared conflicts of interest, and the facts about judges and
works that the pure assignment rules (judging.assignment) check."""

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from award import audit, users
from award.errors import Conflict, Forbidden, Invalid, NotFound, fitting
from award.models import Entry, EntryAuthor, EntryFile, EntryPart, Role, Round, Unit, User
from judging import assignment as plan_rules, permissions
from judging.models import Assignment, Ballot, DeclaredConflict, JudgeMembership, Stage
from judging.stages import STAGE_LABELS, require_setup


def add_judge(session: Session, *, round_: Round, user: User, stage: Stage, panel_code: str | None, actor: User,
              now: datetime) -> JudgeMembership:
    """Judges of the local stage are the unit's local judges; central stages take central judges."""
    require_setup(round_, stage, now)
    if not permissions.can_judge(user, stage):
        raise Invalid("Tài khoản này không có vai trò giám khảo của vòng chấm này.", field="user_id",
                      code="not_a_judge")
    if not permissions.can_add_judge(actor, user, stage):
        raise Forbidden("Chỉ thêm được giám khảo của đơn vị mình.", code="not_your_unit")
    existing = session.exec(select(JudgeMembership).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.user_id == user.id, JudgeMembership.stage == stage)).first()
    membership = existing or JudgeMembership(round_id=round_.id, user_id=user.id, stage=stage)
    membership.panel_code = panel_code
    membership.unit_id = user.unit_id if stage == Stage.local else None
    session.add(membership)
    session.flush()
    audit.record(session, actor_id=actor.id, action="judging.judge_added", object_type="user", object_id=user.id,
                 now=now, data={"round_id": round_.id, "stage": stage, "panel": panel_code})
    return membership


def _submitted_sheets(session: Session, *, judge_id: int, stage: Stage, round_id: int | None = None,
                      unit_id: int | None = None) -> int:
    query = select(func.count()).select_from(Assignment).where(
        Assignment.judge_id == judge_id, Assignment.stage == stage, Assignment.submitted_at.is_not(None))
    if round_id is not None:
        query = query.where(Assignment.round_id == round_id)
    if unit_id is not None:
        query = query.where(Assignment.entry_id.in_(select(Entry.id).where(Entry.unit_id == unit_id)))
    return session.exec(query).one()


def _drop_open_sheets(session: Session, *, judge_id: int, stage: Stage, round_id: int | None = None,
                      unit_id: int | None = None) -> int:
    """The judge's sheets of the stage not yet submitted go with them (the works need another judge)."""
    query = delete(Assignment).where(Assignment.judge_id == judge_id, Assignment.stage == stage,
                                     Assignment.submitted_at.is_(None))
    if round_id is not None:
        query = query.where(Assignment.round_id == round_id)
    if unit_id is not None:
        query = query.where(Assignment.entry_id.in_(select(Entry.id).where(Entry.unit_id == unit_id)))
    return session.exec(query).rowcount


def remove_judge(session: Session, *, membership: JudgeMembership, actor: User, now: datetime) -> None:
    """Take a judge off a stage's jury (a subpanel, the council, a unit's local jury) while the stage is set up;
    refused with the reason once they submitted a score sheet of that stage (a ballot, for the council).
    Their unsubmitted sheets go with them."""
    round_ = session.get(Round, membership.round_id)
    stage = Stage(membership.stage)
    if not permissions.can_remove_judge(actor, membership):
        raise NotFound("Không tìm thấy giám khảo trong hội đồng.", code="membership_not_found")
    require_setup(round_, stage, now)
    judge = session.get(User, membership.user_id)
    if stage == Stage.final:
        ballots = session.exec(select(func.count()).select_from(Ballot).where(
            Ballot.round_id == round_.id, Ballot.judge_id == judge.id)).one()
        if ballots:
            raise Conflict(f"Không thể rút {judge.full_name} khỏi hội đồng chung khảo: giám khảo đã bỏ {ballots} "
                           "phiếu bầu.", field="user_id", code="judge_has_ballots")
    unit_id = membership.unit_id if stage == Stage.local else None
    sheets = _submitted_sheets(session, judge_id=judge.id, stage=stage, round_id=round_.id, unit_id=unit_id)
    if sheets:
        raise Conflict(f"Không thể rút {judge.full_name} khỏi {STAGE_LABELS[stage]}: giám khảo đã nộp {sheets} "
                       "phiếu chấm.", field="user_id", code="judge_has_sheets")
    dropped = _drop_open_sheets(session, judge_id=judge.id, stage=stage, round_id=round_.id, unit_id=unit_id)
    session.delete(membership)
    session.flush()
    audit.record(session, actor_id=actor.id, action="judging.judge_removed", object_type="user", object_id=judge.id,
                 now=now, data={"round_id": round_.id, "stage": stage, "panel": membership.panel_code,
                                "open_sheets_dropped": dropped})


def membership(session: Session, membership_id: int) -> JudgeMembership:
    row = session.get(JudgeMembership, membership_id)
    if row is None:
        raise NotFound("Không tìm thấy giám khảo trong hội đồng.", code="membership_not_found")
    return row


def memberships_of(session: Session, *, user_id: int) -> list[dict]:
    """The juries a person sits on, newest round first: what their page shows."""
    rows = session.exec(select(JudgeMembership, Round).join(Round, Round.id == JudgeMembership.round_id).where(
        JudgeMembership.user_id == user_id).order_by(Round.year.desc(), JudgeMembership.stage)).all()
    return [{"membership": m, "round": r, "stage": STAGE_LABELS[Stage(m.stage)]} for m, r in rows]


# --- a unit's own local judges ----------------------------------------------------------------------

def unit_local_judges(session: Session, *, unit_id: int) -> list[dict]:
    """The unit's local judge accounts, active first, each with its submitted sheets and juries: what the
    manager's page lists (two queries whatever their number)."""
    judges = session.exec(select(User).where(User.role == Role.local_judge, User.unit_id == unit_id)
                          .order_by(User.is_active.desc(), User.full_name_folded, User.id)).all()
    ids = [j.id for j in judges]
    sheets = dict(session.exec(select(Assignment.judge_id, func.count()).where(
        Assignment.judge_id.in_(ids), Assignment.stage == Stage.local, Assignment.submitted_at.is_not(None))
        .group_by(Assignment.judge_id)).all()) if ids else {}
    juries = dict(session.exec(select(JudgeMembership.user_id, func.count()).where(
        JudgeMembership.user_id.in_(ids), JudgeMembership.stage == Stage.local, JudgeMembership.unit_id == unit_id)
        .group_by(JudgeMembership.user_id)).all()) if ids else {}
    return [{"user": j, "submitted": sheets.get(j.id, 0), "juries": juries.get(j.id, 0),
             "invited": not users.has_password(j)} for j in judges]


def remove_local_judge(session: Session, *, judge: User, actor: User, now: datetime) -> None:
    """A unit manager removes one of the unit's local judges: off every local jury of the unit, their
    unsubmitted sheets dropped, the account locked (sessions and tokens end). Refused with the reason once
    they submitted a score sheet: their scores count, so the secretariat decides."""
    if not permissions.can_manage_local_judge(actor, judge):
        raise NotFound("Không tìm thấy giám khảo của đơn vị.", code="judge_not_found")
    sheets = _submitted_sheets(session, judge_id=judge.id, stage=Stage.local, unit_id=judge.unit_id)
    if sheets:
        raise Conflict(f"Không thể gỡ {judge.full_name}: giám khảo đã nộp {sheets} phiếu chấm của đơn vị. "
                       "Hãy liên hệ Ban Thư ký nếu cần khóa tài khoản này.", field="user_id", code="judge_has_sheets")
    dropped = _drop_open_sheets(session, judge_id=judge.id, stage=Stage.local, unit_id=judge.unit_id)
    left = session.exec(delete(JudgeMembership).where(JudgeMembership.user_id == judge.id,
                                                      JudgeMembership.stage == Stage.local,
                                                      JudgeMembership.unit_id == judge.unit_id)).rowcount
    judge.is_active = False
    session.add(judge)
    ended = users.end_sessions(session, user=judge)
    session.flush()
    audit.record(session, actor_id=actor.id, action="judging.local_judge_removed", object_type="user",
                 object_id=judge.id, now=now, data={"unit_id": judge.unit_id, "juries_left": left,
                                                    "open_sheets_dropped": dropped, "sessions_ended": ended})


def unit_of(session: Session, user: User) -> Unit:
    unit = session.get(Unit, user.unit_id) if user.unit_id else None
    if unit is None:
        raise NotFound("Tài khoản chưa gắn với đơn vị nào.", code="unit_not_found")
    return unit


def declare_conflict(session: Session, *, judge: User, entry: Entry, reason: str, actor: User,
                     now: datetime) -> DeclaredConflict:
    row = session.exec(select(DeclaredConflict).where(DeclaredConflict.judge_id == judge.id,
                                                      DeclaredConflict.entry_id == entry.id)).first()
    row = row or DeclaredConflict(judge_id=judge.id, entry_id=entry.id, declared_by=actor.id)
    reason = fitting(reason, 500, field="reason", label="Lý do")  # refused whole, never cut
    row.reason, row.declared_at = reason, now
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id, action="judging.conflict_declared", object_type="entry",
                 object_id=entry.id, now=now, data={"judge_id": judge.id})
    return row


def stage_judges(session: Session, *, round_: Round, stage: Stage, unit_id: int | None,
                 panel: str | None = None) -> list[User]:
    query = select(User).join(JudgeMembership, JudgeMembership.user_id == User.id).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.stage == stage, User.is_active == True)  # noqa: E712
    if stage == Stage.local:
        query = query.where(JudgeMembership.unit_id == unit_id)
    if panel is not None:
        query = query.where(JudgeMembership.panel_code == panel)
    return list(session.exec(query.order_by(User.id)).all())


# --- facts for the pure rules -------------------------------------------------------------------

def judge_info(user: User, stage: Stage) -> plan_rules.JudgeInfo:
    """A local jury judges its own unit's contest: the same-unit rule applies to central stages only."""
    return plan_rules.JudgeInfo(id=user.id, unit_id=None if stage == Stage.local else user.unit_id,
                                outlet=user.outlet, email=user.email, name_key=plan_rules.name_key(user.full_name))


def entry_infos(session: Session, entries: list[Entry]) -> dict[int, plan_rules.EntryInfo]:
    """Units, outlets and authors of each entry, in three queries whatever their number."""
    ids = [e.id for e in entries]
    outlets: dict[int, set[str]] = {i: set() for i in ids}
    emails: dict[int, set[str]] = {i: set() for i in ids}
    names: dict[int, set[str]] = {i: set() for i in ids}
    parts: dict[int, int] = {i: 0 for i in ids}
    if ids:
        for entry_id, outlet in session.exec(select(EntryPart.entry_id, EntryPart.outlet).where(EntryPart.entry_id.in_(ids))):
            outlets[entry_id].add(plan_rules.outlet_key(outlet))
            parts[entry_id] += 1
        for a in session.exec(select(EntryAuthor).where(EntryAuthor.entry_id.in_(ids))):
            if a.outlet:
                outlets[a.entry_id].add(plan_rules.outlet_key(a.outlet))
            if a.email:
                emails[a.entry_id].add(a.email.lower())
            names[a.entry_id].add(plan_rules.name_key(a.full_name))
    pages: dict[int, int] = {i: 0 for i in ids}
    if ids:
        for entry_id, n in session.exec(select(EntryFile.entry_id, func.sum(EntryFile.pages)).where(
                EntryFile.entry_id.in_(ids), EntryFile.removed_at == None).group_by(EntryFile.entry_id)):  # noqa: E711
            pages[entry_id] = int(n or 0)
    # Load, in works: a series takes longer (half a work per extra part), and so do long texts (a tenth
    # per page). Minutes of audio and video are not known to the system, so they do not count.
    return {e.id: plan_rules.EntryInfo(id=e.id, unit_id=e.unit_id, outlet_keys=frozenset(outlets[e.id] - {""}),
                                       author_emails=frozenset(emails[e.id]), author_name_keys=frozenset(names[e.id]),
                                       load=1 + 0.5 * max(0, parts[e.id] - 1) + pages[e.id] / 10) for e in entries}


def declared(session: Session, judge_ids: list[int]) -> set[tuple[int, int]]:
    if not judge_ids:
        return set()
    return set(session.exec(select(DeclaredConflict.judge_id, DeclaredConflict.entry_id)
                            .where(DeclaredConflict.judge_id.in_(judge_ids))).all())
