"""The "scores due" reminder: before a stage's scoring deadline, every judge who still has unsubmitted
score sheets there gets one e-mail a day (Vietnam time) naming the round, the stage, the number of works
left and the deadline, with a link to their queue.

Run by `award reminders scores-due` (cron, or the compose service with `--every`). Running it twice the
same day queues nothing more: the outbox key carries the round, stage, judge and day, and the outbox
refuses a key twice, even from two processes at once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from award import notifications
from award.models import Entry, Round, RoundStatus, User
from award.outbox import OutboxMessage
from award.timezone import VN_TZ, end_of_day
from judging.models import Assignment, Stage
from judging.stages import STAGE_ENTRIES, STAGE_LABELS, stage_settings

PRELIMINARY_AFTER_CENTRAL = timedelta(days=25)  # "scoring runs for about three weeks from mid-November"
QUIET = (RoundStatus.draft, RoundStatus.published, RoundStatus.closed)  # no judging going on


def scoring_deadline(round_: Round, stage: Stage) -> date | None:
    """The stage's last day of scoring: set in the round's rules, else a default from the round's timeline."""
    settings = stage_settings(round_, stage)
    if settings.deadline is not None:
        return settings.deadline
    if stage == Stage.local:
        return round_.central_deadline  # units forward their best works by then: local scores come first
    if stage == Stage.preliminary:
        return round_.central_deadline + PRELIMINARY_AFTER_CENTRAL
    return None  # the final council votes in session; its deadline, if any, is set in the rules


def deadline_at(day: date, tz: ZoneInfo = VN_TZ) -> datetime:
    """Sheets are due by the end of the deadline's day in Vietnam time."""
    return end_of_day(day, tz)


@dataclass
class ReminderReport:
    queued: int = 0  # new reminders written to the outbox
    already: int = 0  # judges already reminded today for that stage
    stages: list[str] = field(default_factory=list)  # "IX/preliminary" for every stage in its reminder window

    def as_dict(self) -> dict:
        return {"queued": self.queued, "already_today": self.already, "stages": self.stages}


def queue_scores_due(session: Session, *, now: datetime, queue_url: str, tz: ZoneInfo = VN_TZ) -> ReminderReport:
    """Write today's reminders to the outbox (in the caller's transaction)."""
    report = ReminderReport()
    today = now.astimezone(tz).date()
    for round_ in session.exec(select(Round).where(Round.status.notin_(QUIET)).order_by(Round.year)).all():
        for stage in Stage:
            deadline = scoring_deadline(round_, stage)
            settings = stage_settings(round_, stage)
            if deadline is None or settings.closed or now > deadline_at(deadline, tz):
                continue
            if today < deadline - timedelta(days=settings.remind_days):
                continue
            report.stages.append(f"{round_.number}/{stage.value}")
            _remind_stage(session, round_=round_, stage=stage, deadline=deadline, today=today, now=now,
                          queue_url=queue_url, report=report)
    return report


def _remind_stage(session: Session, *, round_: Round, stage: Stage, deadline: date, today: date, now: datetime,
                  queue_url: str, report: ReminderReport) -> None:
    # Unsubmitted sheets on works still in the stage (a work withdrawn or ruled out no longer waits).
    open_sheets = session.exec(
        select(Assignment.judge_id, Assignment.scores).join(Entry, Entry.id == Assignment.entry_id)
        .join(User, User.id == Assignment.judge_id)
        .where(Assignment.round_id == round_.id, Assignment.stage == stage, Assignment.submitted_at == None,  # noqa: E711
               Entry.status.in_(STAGE_ENTRIES[stage]), User.is_active == True)  # noqa: E712
    ).all()
    left: dict[int, list[int]] = {}
    for judge_id, scores in open_sheets:
        counts = left.setdefault(judge_id, [0, 0])
        counts[0] += 1
        counts[1] += 1 if scores else 0
    if not left:
        return
    stage_key = f"{round_.id}:{stage.value}"
    keys = {f"scores_due:{stage_key}:{judge_id}:{today.isoformat()}": judge_id for judge_id in left}
    sent = set(session.exec(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys))).all())
    judges = {u.id: u for u in session.exec(select(User).where(User.id.in_(list(left))))}
    for key, judge_id in sorted(keys.items(), key=lambda kv: kv[1]):
        if key in sent:
            report.already += 1
            continue
        n, drafts = left[judge_id]
        notifications.scores_due(session, judge=judges[judge_id], round_name=round_.name,
                                 stage_label=STAGE_LABELS[stage], left=n, drafts=drafts, deadline=deadline,
                                 today=today, queue_url=queue_url, key=stage_key, now=now)
        report.queued += 1
