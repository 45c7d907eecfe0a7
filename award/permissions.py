"""Who may do what with entries, their files and themes, and a unit's contest: small named predicates.

Each rule is one function here (pretalx's rules.py), taking plain values (the user, the entry, the round,
the clock, and facts the caller looks up, such as `is_assigned`) and returning a bool. Routers and pages
call them and raise or pass the booleans to templates; templates never decide. Where the process's phase
matters the predicate asks award.calendar.allows, so a button is shown exactly when the action would pass.

The role guards on routes (api.deps.api_role / web_role) stay the coarse gate; these are the fine rules.
Judging's rules (sheets, juries, ballots, blind stages) are in judging/permissions.py, which also supplies
the "assigned to this judge" fact: award/ cannot see judging's tables.
"""

from datetime import datetime

from sqlalchemy import false

from award import entry_status
from award.calendar import allows
from award.models import Entry, EntryStatus, Role, Round, User

UNIT_ROLES = (Role.unit_manager, Role.local_judge)
JUDGE_ROLES = (Role.local_judge, Role.judge)
AT_CENTRE = entry_status.AT_CENTRE
# Before a work is submitted it is its author's alone; after, the unit (and later the centre) sees it.
SUBMITTABLE = (EntryStatus.draft, EntryStatus.returned)


def can_manage_accounts(user: User) -> bool:
    """Creating and listing accounts of every role: the secretariat."""
    return user.role == Role.secretariat


def can_manage_rounds(user: User) -> bool:
    """The rounds console (a round's settings, quotas and outline): the secretariat. A page that belongs to a
    round links its crumb to the console for them, to the round's public page for everyone else."""
    return user.role == Role.secretariat


def can_see_round_in_preparation(user: User | None) -> bool:
    """A round the secretariat keeps in preparation (`draft`) is shown to the secretariat and the steering
    committee only: its rules and dates are not yet checked, so nobody else should read them as announced."""
    return user is not None and user.role in (Role.secretariat, Role.approver)


def can_invite_local_judges(user: User) -> bool:
    """A unit manager invites local judges into their own unit (the unit is theirs, never chosen)."""
    return user.role == Role.unit_manager and user.unit_id is not None


def can_edit_account(actor: User, account: User) -> bool:
    """Changing an account's name, role, unit, outlet or status, or sending it a reset link: the secretariat."""
    return can_manage_accounts(actor)


def is_owner(user: User, entry: Entry) -> bool:
    return user.id is not None and entry.owner_id == user.id


# --- seeing an entry ----------------------------------------------------------------------------

def can_view_entry(user: User, entry: Entry, *, is_assigned: bool = False) -> bool:
    """A journalist sees their own works; a unit manager the unit's submitted works; a judge (local or
    central) only the works assigned to them; the secretariat the works forwarded to the centre."""
    if user.role == Role.journalist:
        return is_owner(user, entry)
    if user.role == Role.unit_manager:
        return entry.unit_id == user.unit_id and entry.status != EntryStatus.draft
    if user.role == Role.local_judge:
        return is_assigned and entry.unit_id == user.unit_id and entry.status != EntryStatus.draft
    if user.role == Role.judge:
        return is_assigned
    if user.role == Role.secretariat:
        return entry.status in AT_CENTRE
    return False


def entry_filter(user: User, *, assigned_ids=None):
    """`can_view_entry` as a WHERE clause over Entry, for lists. `assigned_ids` is a subquery of the entry
    ids assigned to `user` (judging.permissions.assigned_entry_ids); a judge without it sees nothing."""
    if user.role == Role.journalist:
        return Entry.owner_id == user.id
    if user.role == Role.unit_manager:
        return (Entry.unit_id == user.unit_id) & (Entry.status != EntryStatus.draft)
    if user.role in JUDGE_ROLES:
        if assigned_ids is None:
            return false()
        clause = Entry.id.in_(assigned_ids)
        if user.role == Role.local_judge:
            clause = clause & (Entry.unit_id == user.unit_id) & (Entry.status != EntryStatus.draft)
        return clause
    if user.role == Role.secretariat:
        return Entry.status.in_(AT_CENTRE)
    return false()


# --- the author's changes -----------------------------------------------------------------------

def can_change_entry(user: User, entry: Entry) -> bool:
    """Only the author changes a work (fields, files, themes, submit, withdraw, delete); whether the
    change is possible now is the rule of each action below."""
    return user.role == Role.journalist and is_owner(user, entry)


def can_edit_entry(user: User, entry: Entry, round_: Round, now: datetime) -> bool:
    """The author edits fields and files while the round takes entries and the unit has not screened it."""
    return (can_change_entry(user, entry) and entry.status in entry_status.AUTHOR_EDITABLE
            and allows(round_, now, "entry.edit"))


def can_submit_entry(user: User, entry: Entry, round_: Round, now: datetime) -> bool:
    """A draft, or a work the unit returned for completion, until the local deadline."""
    return can_change_entry(user, entry) and entry.status in SUBMITTABLE and allows(round_, now, "entry.submit")


def can_withdraw_entry(user: User, entry: Entry, round_: Round, now: datetime) -> bool:
    """A submitted work the unit has not forwarded, until the central deadline."""
    return (can_change_entry(user, entry) and entry_status.allowed(entry.status, EntryStatus.withdrawn)
            and allows(round_, now, "entry.withdraw"))


def can_delete_entry(user: User, entry: Entry) -> bool:
    return can_change_entry(user, entry) and entry.status == EntryStatus.draft


# --- themes -------------------------------------------------------------------------------------

def can_tag_entry(user: User, entry: Entry, round_: Round, now: datetime) -> bool:
    """The author confirms themes while the work is editable; the secretariat curates any work it sees."""
    if user.role == Role.secretariat:
        return can_view_entry(user, entry) and allows(round_, now, "themes.curate")
    return can_edit_entry(user, entry, round_, now)


def curates_themes(user: User) -> bool:
    """Themes set by the secretariat are recorded as its curation, not the author's choice."""
    return user.role == Role.secretariat


def can_link_thematic_prizes(user: User) -> bool:
    return user.role == Role.secretariat


# --- the unit's contest -------------------------------------------------------------------------

def can_see_contest(user: User, unit_id: int) -> bool:
    """The contest's summary (quota, counts): the secretariat, and the unit's own roles."""
    return user.role == Role.secretariat or (user.role in UNIT_ROLES and user.unit_id == unit_id)


def can_run_contest(user: User, unit_id: int) -> bool:
    """Screening, forwarding, the unit's rubric and local prizes: the unit's manager."""
    return user.role == Role.unit_manager and user.unit_id == unit_id


def can_set_unit_rubric(user: User, unit_id: int) -> bool:
    """The unit's own rubric: its manager, or the secretariat for any unit."""
    return user.role == Role.secretariat or can_run_contest(user, unit_id)


def can_screen(user: User, entry: Entry) -> bool:
    return can_run_contest(user, entry.unit_id) and can_view_entry(user, entry)


def can_award_local_prize(user: User, entry: Entry) -> bool:
    return can_run_contest(user, entry.unit_id) and can_view_entry(user, entry)


def can_view_batch(user: User, unit_id: int) -> bool:
    """A forwarding list (page and signed PDF) names every forwarded work and its authors: the secretariat
    and the unit's manager. Not the unit's local judges, who see only the works assigned to them."""
    return user.role == Role.secretariat or can_run_contest(user, unit_id)


def can_rule_eligibility(user: User, entry: Entry) -> bool:
    return user.role == Role.secretariat and can_view_entry(user, entry)


def can_see_statistics_early(user: User | None) -> bool:
    """Statistics before the results are public: the secretariat and the steering committee."""
    return user is not None and user.role in (Role.secretariat, Role.approver)


# What a work's author follows on its page: their own edits and the unit's decisions, up to the centre's
# receipt. The centre's judging (assignments, ballots, finalist lists) stays out of it until results are
# published, when the page shows the outcome instead (judging.publication.outcome).
AUTHOR_VISIBLE_STATUSES = {"draft", "submitted", "withdrawn", "returned", "screened", "ineligible_local", "forwarded",
                           "received", "ineligible"}


def can_see_history_event(user: User, entry: Entry, action: str, data: dict) -> bool:
    """Whether `user` reads this audit event in the work's history. The secretariat and the steering committee
    read everything; others only the work's own steps (edits, files, themes) and its status moves, and an author
    or a unit only the moves up to the centre's eligibility ruling; judging events never."""
    if user.role in (Role.secretariat, Role.approver):
        return True
    if action.startswith(("judging.", "results.")):
        return False
    if action == "entry.status":
        return str(data.get("to")) in AUTHOR_VISIBLE_STATUSES if user.role in (
            Role.journalist, Role.unit_manager, Role.local_judge) else False
    return action.startswith("entry.")
