"""Who may do what in judging: small named predicates, and the facts about judges they need.

Like award/permissions.py, each rule is one function taking plain values and returning a bool; routers,
pages and the tests call them. Two facts come from judging's tables and are looked up here for both
layers: which works are assigned to a judge (a local judge sees only those, ../shared/API.md) and in
which stages a judge judges a work (a judge of a blind stage never sees who wrote it).
"""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from award import entries, permissions
from award.calendar import STAGE_ACTIONS, allows
from award.entries import EntryFilters
from award.models import Entry, EntryStatus, Role, Round, User
from judging.models import Assignment, JudgeMembership, ResultStatus, Stage
from judging.stages import JUDGE_ROLE, stage_settings

JUDGE_ROLES = permissions.JUDGE_ROLES
CENTRAL_STAGES = (Stage.preliminary, Stage.final)


# --- facts --------------------------------------------------------------------------------------

def assigned_entry_ids(user: User):
    """The ids of the works assigned to `user` in any stage, as a subquery."""
    return select(Assignment.entry_id).where(Assignment.judge_id == user.id)


def is_assigned(session: Session, *, user: User, entry_id: int) -> bool:
    return session.exec(select(Assignment.id).where(Assignment.judge_id == user.id,
                                                    Assignment.entry_id == entry_id).limit(1)).first() is not None


def judged_stages(session: Session, *, user: User, entries_: list[Entry]) -> dict[int, set[Stage]]:
    """For each work, the stages in which `user` judges it: their sheets, and the final if they sit on the
    round's council and the work is a finalist. Two queries for any number of works."""
    found: dict[int, set[Stage]] = {e.id: set() for e in entries_}
    if user.role not in JUDGE_ROLES or not found:
        return found
    for entry_id, stage in session.exec(select(Assignment.entry_id, Assignment.stage).where(
            Assignment.judge_id == user.id, Assignment.entry_id.in_(list(found)))):
        found[entry_id].add(Stage(stage))
    finals = {e.round_id for e in entries_ if e.status in (EntryStatus.finalist, EntryStatus.awarded,
                                                            EntryStatus.no_prize)}
    if finals:
        council = set(session.exec(select(JudgeMembership.round_id).where(
            JudgeMembership.user_id == user.id, JudgeMembership.stage == Stage.final,
            JudgeMembership.round_id.in_(finals))).all())
        for e in entries_:
            if e.round_id in council and e.status in (EntryStatus.finalist, EntryStatus.awarded, EntryStatus.no_prize):
                found[e.id].add(Stage.final)
    return found


# --- seeing works -------------------------------------------------------------------------------

def viewable_entry(session: Session, *, user: User, entry_id: int) -> Entry:
    """The entry if award.permissions.can_view_entry lets `user` see it (judges: only their assigned
    works), else 404 as if it did not exist."""
    return entries.get_visible_entry(session, user=user, entry_id=entry_id, assigned_ids=assigned_entry_ids(user))


def viewable_entries(session: Session, *, user: User, filters: EntryFilters, page: int,
                     per_page: int) -> tuple[list[Entry], int]:
    return entries.list_entries(session, user=user, filters=filters, page=page, per_page=per_page,
                                assigned_ids=assigned_entry_ids(user))


def can_see_authors(user: User, round_: Round, *, stages: Iterable[Stage]) -> bool:
    """Who wrote a work (authors, pen names, e-mails, owner id, the names of its files) is hidden from its
    judges when any stage in which they judge it is blind. A judge with no stage on the work sees no
    author either (they should not see the work at all). Everyone else who may see the work sees them."""
    if user.role not in JUDGE_ROLES:
        return True
    stages = set(stages)
    return bool(stages) and not any(stage_settings(round_, s).blind for s in stages)


def authors_hidden(session: Session, *, user: User, entries_: list[Entry]) -> set[int]:
    """The ids among `entries_` whose authors `user` may not see (can_see_authors for each)."""
    if user.role not in JUDGE_ROLES:
        return set()
    stages = judged_stages(session, user=user, entries_=entries_)
    rounds = {r: session.get(Round, r) for r in {e.round_id for e in entries_}}
    return {e.id for e in entries_ if not can_see_authors(user, rounds[e.round_id], stages=stages[e.id])}


# --- sheets -------------------------------------------------------------------------------------

def can_see_sheet(user: User, sheet: Assignment) -> bool:
    """A score sheet is its judge's own."""
    return sheet.judge_id == user.id


def stage_scoring_open(round_: Round, stage: Stage, now: datetime) -> bool:
    """Sheets of a stage take scores in the stage's phase, unless the secretariat closed the stage."""
    return allows(round_, now, STAGE_ACTIONS[Stage(stage).value][1]) and not stage_settings(round_, Stage(stage)).closed


def can_score(user: User, sheet: Assignment, round_: Round, now: datetime) -> bool:
    """The sheet's judge, while its stage takes scores and until they submit it."""
    return can_see_sheet(user, sheet) and sheet.submitted_at is None and stage_scoring_open(round_, sheet.stage, now)


def managed_unit(user: User) -> int | None:
    """The unit whose local stage `user` runs: a unit manager's own; None for the secretariat (any unit,
    named per request) and for everyone else (who runs none)."""
    return user.unit_id if user.role == Role.unit_manager else None


def can_manage_stage(user: User, stage: Stage, unit_id: int | None) -> bool:
    """Running a stage's jury (judges, plans, sheets by hand, reopening, its ranking): the secretariat for
    every stage; a unit manager only the local stage of their own unit."""
    if user.role == Role.secretariat:
        return True
    return user.role == Role.unit_manager and Stage(stage) == Stage.local and unit_id == user.unit_id


def can_manage_sheet(user: User, sheet: Assignment, entry: Entry) -> bool:
    return can_manage_stage(user, sheet.stage, entry.unit_id)


def can_reopen(user: User, sheet: Assignment, entry: Entry, round_: Round, now: datetime) -> bool:
    """Whoever runs the stage unlocks a submitted sheet while the stage still takes scores."""
    return (can_manage_sheet(user, sheet, entry) and sheet.submitted_at is not None
            and stage_scoring_open(round_, sheet.stage, now))


def can_add_judge(actor: User, judge: User, stage: Stage) -> bool:
    """A unit manager adds only their own unit's local judges; the secretariat anyone to any stage."""
    if actor.role == Role.secretariat:
        return True
    return can_manage_stage(actor, stage, actor.unit_id) and judge.unit_id == actor.unit_id


def can_remove_judge(actor: User, membership: JudgeMembership) -> bool:
    """Taking a judge off a jury: whoever runs that stage (the secretariat; a unit manager their unit's)."""
    return can_manage_stage(actor, membership.stage, membership.unit_id)


def can_manage_local_judge(actor: User, judge: User) -> bool:
    """A unit manager invites and removes the local judges of their own unit, and no one else."""
    return (actor.role == Role.unit_manager and actor.unit_id is not None and judge.role == Role.local_judge
            and judge.unit_id == actor.unit_id)


def can_judge(user: User, stage: Stage) -> bool:
    """Who may sit on a stage's jury: the local stage takes the units' local judges, the central stages
    the central judges."""
    return user.role == JUDGE_ROLE[Stage(stage)]


def can_declare_for(actor: User, judge: User) -> bool:
    """A judge declares their own conflicts; the secretariat records one for any judge."""
    if judge.role not in JUDGE_ROLES:
        return False
    return actor.role == Role.secretariat or actor.id == judge.id


# --- the final council --------------------------------------------------------------------------

def can_see_panels_overview(user: User) -> bool:
    """Works, finalists and judges per subpanel: the centre's roles; others get the panels' definitions."""
    return user.role in (Role.secretariat, Role.approver, Role.judge)


def can_see_finalists(user: User, *, is_member: bool) -> bool:
    """The secretariat and the steering committee; a central judge only as a council member."""
    return user.role in (Role.secretariat, Role.approver) or (user.role == Role.judge and is_member)


def can_vote(user: User, round_: Round, now: datetime, *, is_member: bool) -> bool:
    return user.role == Role.judge and is_member and stage_scoring_open(round_, Stage.final, now)


def can_view_tally(user: User) -> bool:
    return user.role in (Role.secretariat, Role.approver)


def can_run_central_desk(user: User) -> bool:
    """Subpanels, routing, central juries and plans, advancing to the final: the secretariat."""
    return user.role == Role.secretariat


def can_propose_results(user: User, status: ResultStatus | None) -> bool:
    """The secretariat proposes the list, first or again after the steering committee returned it."""
    return user.role == Role.secretariat and status in (None, ResultStatus.returned)


def can_decide_results(user: User, status: ResultStatus | None) -> bool:
    """The steering committee approves or returns a proposed list."""
    return user.role == Role.approver and status == ResultStatus.proposed


def can_publish_results(user: User, status: ResultStatus | None) -> bool:
    return user.role == Role.secretariat and status == ResultStatus.approved


def can_correct_results(user: User, status: ResultStatus | None) -> bool:
    """A published list is frozen: the secretariat records corrections, each with its reason."""
    return user.role == Role.secretariat and status == ResultStatus.published
