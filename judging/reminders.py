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
from award.calendar import Phase, ends_at, phase
from award.models import Entry, Round, User
from award.outbox import OutboxMessage
from award.timezone import VN_TZ
from judging.models import Assignment, Stage
from judging.stages import STAGE_ENTRIES, STAGE_LABELS, stage_settings

QUIET = (Phase.draft, Phase.approval, Phase.published, Phase.closed)  # no judging going on
# A stage's scores are due when the phase they belong to ends (award.calendar): the local jury's by the central
# deadline (units forward their best works by then), the subpanels' when the preliminary ends, the council's
# when the final ends. The calendar is the one answer; the rules hold no second deadline.
SCORING_ENDS = {Stage.local: "central_deadline", Stage.preliminary: "preliminary_ends", Stage.final: "final_ends"}


def scoring_deadline(round_: Round, stage: Stage) -> date:
    """The stage's last day of scoring, from the round's calendar."""
    return getattr(round_, SCORING_ENDS[stage])


def deadline_at(round_: Round, stage: Stage) -> datetime:
    """Sheets are due by the end of the deadline's day in Vietnam time (or when the phase was ended early)."""
    return ends_at(round_, SCORING_ENDS[stage])


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
    for round_ in session.exec(select(Round).where(Round.closed_at == None).order_by(Round.year)).all():  # noqa: E711
        if phase(round_, now) in QUIET:
            continue
        for stage in Stage:
            deadline = scoring_deadline(round_, stage)
            settings = stage_settings(round_, stage)
            if settings.closed or now > deadline_at(round_, stage):
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
