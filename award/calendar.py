"""A round's calendar and the phase it is in: the one answer to "what may happen now".

The phase is computed from the round's dates and the clock, never stored by hand (../shared/API.md,
"Round calendar and phases"). Only two states are explicit, because no date can say them: a round the
secretariat keeps in preparation (`Round.draft`) and a round it has archived (`Round.closed_at`).
Publication is a fact recorded by judging.publication (`Round.results_published_at`).

    draft ─(submission_opens)→ submission ─(local_deadline)→ local_judging ─(central_deadline)→
    preliminary ─(preliminary_ends)→ final ─(final_ends)→ approval ─(list published)→ published ─(closed)→ closed

Every date is a day in Asia/Ho_Chi_Minh: a phase that ends on a date ends at the last instant of that day
there; submission opens at its first instant. Ending a phase early sets its date to today and records
the instant in `Round.ended_early`, so the phase ends now rather than at midnight (audited by the caller).

Each action of the process names the phases it belongs to in ACTIONS; `require_phase` refuses it
elsewhere with 409 `phase_closed` and a message giving the current phase and the action's dates.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from award.errors import Conflict
from award.timezone import VN_TZ, end_of_day


class Phase(StrEnum):
    draft = "draft"
    submission = "submission"
    local_judging = "local_judging"
    preliminary = "preliminary"
    final = "final"
    approval = "approval"
    published = "published"
    closed = "closed"


PHASE_LABELS = {
    Phase.draft: "Đang chuẩn bị",
    Phase.submission: "Đang nhận tác phẩm",
    Phase.local_judging: "Chấm sơ tuyển ở đơn vị",
    Phase.preliminary: "Chấm sơ khảo",
    Phase.final: "Chấm chung khảo",
    Phase.approval: "Chờ phê duyệt kết quả",
    Phase.published: "Đã công bố kết quả",
    Phase.closed: "Đã kết thúc",
}

ORDER = list(Phase)

# The calendar's dates in order; each phase from `submission` to `final` ends on one of them.
CALENDAR_FIELDS = ("submission_opens", "local_deadline", "central_deadline", "preliminary_ends", "final_ends",
                   "ceremony_on")
CALENDAR_LABELS = {
    "submission_opens": "Mở nhận tác phẩm",
    "local_deadline": "Hạn nộp ở đơn vị",
    "central_deadline": "Hạn gửi về Trung ương",
    "preliminary_ends": "Kết thúc sơ khảo",
    "final_ends": "Kết thúc chung khảo",
    "ceremony_on": "Lễ trao giải",
}
ENDS_ON = {
    Phase.submission: "local_deadline",
    Phase.local_judging: "central_deadline",
    Phase.preliminary: "preliminary_ends",
    Phase.final: "final_ends",
}


class RoundDates(Protocol):
    """What `phase` reads of a round (award.models.Round has it all)."""

    draft: bool
    closed_at: datetime | None
    results_published_at: datetime | None
    submission_opens: date
    local_deadline: date
    central_deadline: date
    preliminary_ends: date
    final_ends: date
    ceremony_on: date
    ended_early: dict


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ)


def today(now: datetime) -> date:
    return now.astimezone(VN_TZ).date()


def ends_at(round_: RoundDates, field: str) -> datetime:
    """The instant the phase ending on calendar date `field` ends: that day's end, or when it was ended early."""
    early = (round_.ended_early or {}).get(field)
    if early:
        at = datetime.fromisoformat(early)
        if today(at) == getattr(round_, field):  # a later change of the date discards the early end
            return at
    return end_of_day(getattr(round_, field))


def phase(round_: RoundDates, now: datetime) -> Phase:
    """The round's phase at `now` (aware datetime, any zone). Pure: the same round and clock give the same phase."""
    if round_.closed_at is not None and now >= round_.closed_at:
        return Phase.closed
    if round_.results_published_at is not None and now >= round_.results_published_at:
        return Phase.published
    if round_.draft or now < start_of_day(round_.submission_opens):
        return Phase.draft
    for current, field in ENDS_ON.items():
        if now <= ends_at(round_, field):
            return current
    return Phase.approval


def window(round_: RoundDates, p: Phase) -> tuple[datetime | None, datetime | None]:
    """(start, end) of a dated phase, for messages and the timeline; None where no date bounds it."""
    if p == Phase.draft:
        return None, start_of_day(round_.submission_opens) - timedelta(microseconds=1)
    if p == Phase.submission:
        return start_of_day(round_.submission_opens), ends_at(round_, "local_deadline")
    if p in ENDS_ON:
        previous = ORDER[ORDER.index(p) - 1]
        return ends_at(round_, ENDS_ON[previous]) + timedelta(microseconds=1), ends_at(round_, ENDS_ON[p])
    if p == Phase.approval:
        return ends_at(round_, "final_ends") + timedelta(microseconds=1), None
    return None, None


@dataclass(frozen=True)
class Action:
    """A step of the process and the phases in which it may be taken."""

    label: str
    phases: tuple[Phase, ...]


P = Phase
BEFORE_RESULTS = (P.draft, P.submission, P.local_judging, P.preliminary, P.final, P.approval)
ACTIONS: dict[str, Action] = {
    # journalists
    "entry.create": Action("tạo tác phẩm dự thi", (P.submission,)),
    "entry.edit": Action("sửa tác phẩm, tệp và chủ đề", (P.submission,)),
    "entry.submit": Action("nộp tác phẩm", (P.submission,)),
    "entry.withdraw": Action("rút tác phẩm", (P.submission, P.local_judging)),
    # the unit's local contest
    "local.screen": Action("xét điều kiện ở đơn vị", (P.submission, P.local_judging)),
    # the author must be able to complete and resubmit it: only while the round takes entries
    "local.return": Action("trả tác phẩm cho tác giả bổ sung", (P.submission,)),
    "local.jury": Action("lập hội đồng và phân công chấm ở đơn vị", (P.draft, P.submission, P.local_judging)),
    "local.score": Action("chấm điểm ở đơn vị", (P.submission, P.local_judging)),
    "local.forward": Action("gửi tác phẩm về Trung ương", (P.submission, P.local_judging)),
    "local.prize": Action("trao giải của đơn vị", (P.submission, P.local_judging, P.preliminary, P.final, P.approval,
                                                  P.published)),
    # the centre
    "central.receipt": Action("tiếp nhận và xét điều kiện tác phẩm", (P.submission, P.local_judging, P.preliminary)),
    "quota.set": Action("đặt chỉ tiêu gửi tác phẩm", (P.draft, P.submission, P.local_judging)),
    "preliminary.setup": Action("lập tiểu ban và phân công chấm sơ khảo",
                                (P.draft, P.submission, P.local_judging, P.preliminary)),
    "preliminary.score": Action("chấm sơ khảo", (P.preliminary,)),
    "preliminary.advance": Action("chọn tác phẩm vào chung khảo", (P.preliminary, P.final)),
    "final.setup": Action("lập hội đồng chung khảo", (P.draft, P.submission, P.local_judging, P.preliminary, P.final)),
    "final.score": Action("chấm, bỏ phiếu chung khảo", (P.final,)),
    "results.decide": Action("trình, trả lại, phê duyệt và công bố kết quả", (P.approval,)),
    # a published list is corrected also while under embargo (before the public sees it)
    "results.correct": Action("đính chính kết quả đã công bố", (P.approval, P.published)),
    "results.import": Action("nhập kết quả đợt giải đã qua", (P.approval, P.published, P.closed)),
    # set-up of the round itself
    "round.outline": Action("thay đề cương", BEFORE_RESULTS),
    "round.end_phase": Action("kết thúc sớm giai đoạn hiện tại", (P.submission, P.local_judging, P.preliminary, P.final)),
    "round.settings": Action("sửa thể lệ và lịch của đợt giải", BEFORE_RESULTS + (P.published,)),
    "themes.curate": Action("gắn chủ đề cho tác phẩm", BEFORE_RESULTS + (P.published,)),
}
STAGE_ACTIONS = {"local": ("local.jury", "local.score"), "preliminary": ("preliminary.setup", "preliminary.score"),
                 "final": ("final.setup", "final.score")}


class PhaseClosed(Conflict):
    code = "phase_closed"


def allows(round_: RoundDates, now: datetime, action: str) -> bool:
    return phase(round_, now) in ACTIONS[action].phases


def _when(round_: RoundDates, phases: tuple[Phase, ...]) -> str:
    parts = []
    for p in phases:
        start, end = window(round_, p)
        if start and end:
            parts.append(f"“{PHASE_LABELS[p]}” ({start:%d/%m/%Y} – {end.astimezone(VN_TZ):%d/%m/%Y})")
        elif start:
            parts.append(f"“{PHASE_LABELS[p]}” (từ {start:%d/%m/%Y})")
        else:
            parts.append(f"“{PHASE_LABELS[p]}”")
    return ", ".join(parts)


def refusal(round_: RoundDates, now: datetime, action: str) -> str | None:
    """Why `action` cannot be taken now (Vietnamese, with the phase and dates), or None when it can."""
    current = phase(round_, now)
    spec = ACTIONS[action]
    if current in spec.phases:
        return None
    return (f"Không thể {spec.label} lúc này: đợt giải đang ở giai đoạn “{PHASE_LABELS[current]}”. "
            f"Việc này chỉ làm được trong giai đoạn {_when(round_, spec.phases)}, theo giờ Việt Nam.")


def require_phase(round_: RoundDates, now: datetime, action: str) -> None:
    """Raise PhaseClosed (409 `phase_closed`) unless `action` belongs to the round's phase at `now`."""
    reason = refusal(round_, now, action)
    if reason is not None:
        raise PhaseClosed(reason)


def default_calendar(year: int) -> dict[str, date]:
    """The yearly pattern of DOMAIN.md: launched at the previous ceremony (about 3 February), local deadline
    10 October, central 10 November, preliminary judging about three weeks from mid-November, final in
    January, ceremony around 3 February of the next year. A per-round setting; these are defaults."""
    return {
        "submission_opens": date(year, 2, 3),
        "local_deadline": date(year, 10, 10),
        "central_deadline": date(year, 11, 10),
        "preliminary_ends": date(year, 12, 5),
        "final_ends": date(year + 1, 1, 20),
        "ceremony_on": date(year + 1, 2, 3),
    }


def check_calendar(values: dict[str, date]) -> tuple[str, str] | None:
    """The first date out of order as (field, Vietnamese message), or None when the calendar is in order."""
    for earlier, later in zip(CALENDAR_FIELDS, CALENDAR_FIELDS[1:]):
        if values[earlier] > values[later]:
            return later, (f"“{CALENDAR_LABELS[later]}” ({values[later]:%d/%m/%Y}) không được trước "
                           f"“{CALENDAR_LABELS[earlier]}” ({values[earlier]:%d/%m/%Y}).")
    return None


def end_phase_early(round_: RoundDates, now: datetime) -> str:
    """End the current dated phase now: its date becomes today and the instant is kept. Returns the field set.
    Raises PhaseClosed when the current phase has no date to end (draft, approval, published, closed)."""
    current = phase(round_, now)
    field = ENDS_ON.get(current)
    if field is None:
        raise PhaseClosed(f"Giai đoạn “{PHASE_LABELS[current]}” không kết thúc theo lịch; không thể kết thúc sớm.")
    setattr(round_, field, today(now))
    # later dates may not fall before the new one; they keep their own values otherwise
    round_.ended_early = {**(round_.ended_early or {}), field: now.isoformat()}
    return field
