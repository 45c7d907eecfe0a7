"""The permission predicates (award/permissions.py, judging/permissions.py) on plain values: role ×
ownership (or assignment) × phase, each rule against the answer a reader of ../shared/API.md expects."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from award import permissions as P
from award.models import Entry, EntryStatus, Role, User
from award.rules import RoundRules
from judging import permissions as J
from judging.models import Assignment, ResultStatus, Stage

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SUBMISSION = datetime(2024, 9, 20, 9, tzinfo=VN)
LOCAL_JUDGING = datetime(2024, 10, 20, 9, tzinfo=VN)
PRELIMINARY = datetime(2024, 11, 20, 9, tzinfo=VN)
FINAL = datetime(2025, 1, 10, 9, tzinfo=VN)
UNIT, OTHER_UNIT = 10, 20


def round_ix(**stages) -> SimpleNamespace:
    """Round IX's calendar (what award.calendar reads) and rules, with the stages' settings given."""
    rules = RoundRules()
    for name, settings in stages.items():
        for key, value in settings.items():
            setattr(rules.stages[name], key, value)
    return SimpleNamespace(
        draft=False, closed_at=None, results_published_at=None, ended_early={},
        submission_opens=datetime(2024, 2, 3).date(), local_deadline=datetime(2024, 10, 10).date(),
        central_deadline=datetime(2024, 11, 10).date(), preliminary_ends=datetime(2024, 12, 5).date(),
        final_ends=datetime(2025, 1, 20).date(), ceremony_on=datetime(2025, 2, 3).date(),
        rules=rules.model_dump(mode="json"))


def user(role: Role, uid: int = 1, unit_id: int | None = UNIT) -> User:
    return User(id=uid, email=f"{role}{uid}@example.vn", full_name="Người Dùng", role=role, unit_id=unit_id,
                password_hash="x")


def entry(status: EntryStatus = EntryStatus.submitted, owner_id: int = 1, unit_id: int = UNIT) -> Entry:
    return Entry(id=7, round_id=4, owner_id=owner_id, unit_id=unit_id, status=status, title="T", media_type="print",
                 genre="phóng sự")


# --- seeing a work --------------------------------------------------------------------------------

@pytest.mark.parametrize("role, uid, unit_id, status, assigned, visible", [
    (Role.journalist, 1, None, EntryStatus.draft, False, True),  # own draft
    (Role.journalist, 2, None, EntryStatus.submitted, False, False),  # someone else's work
    (Role.unit_manager, 5, UNIT, EntryStatus.submitted, False, True),
    (Role.unit_manager, 5, UNIT, EntryStatus.draft, False, False),  # drafts stay the author's
    (Role.unit_manager, 5, OTHER_UNIT, EntryStatus.submitted, False, False),
    (Role.local_judge, 6, UNIT, EntryStatus.submitted, True, True),
    (Role.local_judge, 6, UNIT, EntryStatus.submitted, False, False),  # the incident: unit's works, not assigned
    (Role.local_judge, 6, OTHER_UNIT, EntryStatus.submitted, True, False),
    (Role.judge, 8, None, EntryStatus.eligible, True, True),
    (Role.judge, 8, None, EntryStatus.eligible, False, False),
    (Role.secretariat, 9, None, EntryStatus.forwarded, False, True),
    (Role.secretariat, 9, None, EntryStatus.submitted, False, False),  # still the unit's
    (Role.approver, 3, None, EntryStatus.eligible, False, False),
])
def test_who_sees_a_work(role, uid, unit_id, status, assigned, visible):
    assert P.can_view_entry(user(role, uid, unit_id), entry(status), is_assigned=assigned) is visible


@pytest.mark.parametrize("uid, status, now, edit, submit, withdraw, delete", [
    (1, EntryStatus.draft, SUBMISSION, True, True, False, True),
    (1, EntryStatus.submitted, SUBMISSION, True, False, True, False),
    (1, EntryStatus.returned, SUBMISSION, True, True, True, False),
    (1, EntryStatus.screened, SUBMISSION, False, False, True, False),  # frozen once the unit screened it
    (1, EntryStatus.forwarded, SUBMISSION, False, False, False, False),
    (1, EntryStatus.draft, LOCAL_JUDGING, False, False, False, True),  # past the local deadline
    (1, EntryStatus.submitted, LOCAL_JUDGING, False, False, True, False),  # withdrawal runs to the central deadline
    (1, EntryStatus.submitted, PRELIMINARY, False, False, False, False),
    (2, EntryStatus.draft, SUBMISSION, False, False, False, False),  # not the author
])
def test_the_authors_actions_by_state_and_phase(uid, status, now, edit, submit, withdraw, delete):
    author, work, round_ = user(Role.journalist, uid, None), entry(status), round_ix()
    assert P.can_edit_entry(author, work, round_, now) is edit
    assert P.can_submit_entry(author, work, round_, now) is submit
    assert P.can_withdraw_entry(author, work, round_, now) is withdraw
    assert P.can_delete_entry(author, work) is delete


def test_only_the_author_or_the_secretariat_tags_and_only_the_unit_manager_runs_its_contest():
    round_ = round_ix()
    assert P.can_tag_entry(user(Role.journalist, 1, None), entry(), round_, SUBMISSION)
    assert not P.can_tag_entry(user(Role.local_judge, 6), entry(), round_, SUBMISSION)
    assert P.can_tag_entry(user(Role.secretariat, 9, None), entry(EntryStatus.eligible), round_, PRELIMINARY)
    assert P.can_screen(user(Role.unit_manager, 5), entry())
    assert not P.can_screen(user(Role.unit_manager, 5, OTHER_UNIT), entry())
    assert not P.can_screen(user(Role.local_judge, 6), entry())
    assert P.can_view_batch(user(Role.unit_manager, 5), UNIT) and P.can_view_batch(user(Role.secretariat, 9), UNIT)
    assert not P.can_view_batch(user(Role.local_judge, 6), UNIT)
    assert P.can_see_contest(user(Role.local_judge, 6), UNIT) and not P.can_see_contest(user(Role.local_judge, 6), OTHER_UNIT)


# --- judging --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, stages, blind, sees", [
    (Role.local_judge, {Stage.local}, set(), True),
    (Role.local_judge, {Stage.local}, {"local"}, False),
    (Role.judge, {Stage.preliminary}, {"local"}, True),  # blind is per stage
    (Role.judge, {Stage.preliminary, Stage.final}, {"final"}, False),  # any blind stage of theirs hides
    (Role.judge, set(), set(), False),  # a judge with no stage on the work sees no author
    (Role.unit_manager, set(), {"local"}, True),  # the organisers are not judges
    (Role.secretariat, set(), {"local", "preliminary", "final"}, True),
])
def test_who_sees_the_authors(role, stages, blind, sees):
    round_ = round_ix(**{s: {"blind": True} for s in blind})
    assert J.can_see_authors(user(role, 6), round_, stages=stages) is sees


@pytest.mark.parametrize("judge_id, submitted, now, closed, scores", [
    (6, False, SUBMISSION, False, True),
    (6, False, LOCAL_JUDGING, False, True),
    (6, False, PRELIMINARY, False, False),  # the local stage's phase is over
    (6, True, SUBMISSION, False, False),  # submitted: locked
    (6, False, SUBMISSION, True, False),  # the secretariat closed the stage
    (7, False, SUBMISSION, False, False),  # another judge's sheet
])
def test_who_scores_a_sheet(judge_id, submitted, now, closed, scores):
    round_ = round_ix(local={"closed": closed})
    sheet = Assignment(id=1, round_id=4, stage=Stage.local, entry_id=7, judge_id=judge_id,
                       submitted_at=SUBMISSION if submitted else None)
    assert J.can_score(user(Role.local_judge, 6), sheet, round_, now) is scores


def test_who_runs_a_stage_and_reopens_its_sheets():
    manager, other_manager, secretariat = user(Role.unit_manager, 5), user(Role.unit_manager, 5, OTHER_UNIT), \
        user(Role.secretariat, 9, None)
    assert J.can_manage_stage(manager, Stage.local, UNIT)
    assert not J.can_manage_stage(manager, Stage.preliminary, None)
    assert not J.can_manage_stage(other_manager, Stage.local, UNIT)
    assert J.can_manage_stage(secretariat, Stage.final, None)
    sheet = Assignment(id=1, round_id=4, stage=Stage.local, entry_id=7, judge_id=6, submitted_at=SUBMISSION)
    assert J.can_reopen(manager, sheet, entry(), round_ix(), SUBMISSION)
    assert not J.can_reopen(manager, sheet, entry(), round_ix(), PRELIMINARY)
    assert not J.can_reopen(other_manager, sheet, entry(), round_ix(), SUBMISSION)
    assert J.can_add_judge(manager, user(Role.local_judge, 6), Stage.local)
    assert not J.can_add_judge(manager, user(Role.local_judge, 6, OTHER_UNIT), Stage.local)


def test_the_council_and_the_list_steps():
    judge, round_ = user(Role.judge, 8, None), round_ix()
    assert J.can_vote(judge, round_, FINAL, is_member=True)
    assert not J.can_vote(judge, round_, PRELIMINARY, is_member=True)
    assert not J.can_vote(judge, round_, FINAL, is_member=False)
    assert J.can_see_finalists(judge, is_member=True) and not J.can_see_finalists(judge, is_member=False)
    secretariat, approver = user(Role.secretariat, 9, None), user(Role.approver, 3, None)
    assert J.can_propose_results(secretariat, None) and J.can_propose_results(secretariat, ResultStatus.returned)
    assert not J.can_propose_results(secretariat, ResultStatus.proposed)
    assert J.can_decide_results(approver, ResultStatus.proposed) and not J.can_decide_results(secretariat,
                                                                                           ResultStatus.proposed)
    assert J.can_publish_results(secretariat, ResultStatus.approved)
    assert J.can_correct_results(secretariat, ResultStatus.published) and not J.can_correct_results(
        approver, ResultStatus.published)
