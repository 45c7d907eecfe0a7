"""The juries: judges of a stage, their declared conflicts of interest, and the facts about judges and
works that the pure assignment rules (judging.assignment) check."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from award import audit
from award.errors import Forbidden, Invalid
from award.models import Entry, EntryAuthor, EntryFile, EntryPart, Round, User
from judging import assignment as plan_rules, permissions
from judging.models import DeclaredConflict, JudgeMembership, Stage
from judging.stages import require_setup


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


def declare_conflict(session: Session, *, judge: User, entry: Entry, reason: str, actor: User,
                     now: datetime) -> DeclaredConflict:
    row = session.exec(select(DeclaredConflict).where(DeclaredConflict.judge_id == judge.id,
                                                      DeclaredConflict.entry_id == entry.id)).first()
    row = row or DeclaredConflict(judge_id=judge.id, entry_id=entry.id, declared_by=actor.id)
    row.reason, row.declared_at = reason.strip()[:500], now
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
