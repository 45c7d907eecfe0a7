"""Changing a round: its name, calendar, explicit states and rules, each change checked and audited."""

import logging
from datetime import date, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import Session

from award import audit, calendar
from award.calendar import CALENDAR_FIELDS, Phase, phase, require_phase
from award.errors import Conflict, Invalid
from award.models import Round, User
from award.rules import RoundRules

log = logging.getLogger(__name__)

EDITABLE_FIELDS = ("name", "publication_start", "publication_end") + CALENDAR_FIELDS


def update_round(session: Session, *, round_: Round, changes: dict[str, Any], rules: dict[str, Any] | None,
                 status: Literal["draft", "open", "closed"] | None, actor: User, now: datetime) -> Round:
    """Apply `changes` (name, publication window, calendar dates), the explicit state and a partial `rules`.

    A closed round only reopens (status "open"); everything else needs the `round.settings` phase. Dates
    must stay in calendar order (422 naming the first date out of order). Audited with the changed fields."""
    reopening = status == "open" and round_.closed_at is not None and not changes and rules is None
    if not reopening:
        require_phase(round_, now, "round.settings")
    for key, value in changes.items():
        if key not in EDITABLE_FIELDS:
            raise Invalid("Trường này không sửa được.", field=key, code="not_editable")
        if value is None or (key == "name" and not str(value).strip()):
            raise Invalid("Trường này không được để trống.", field=key, code="required")
        setattr(round_, key, value)
    if status is not None:
        round_.draft = status == "draft"
        round_.closed_at = (round_.closed_at or now) if status == "closed" else None
    wrong = calendar.check_calendar({f: getattr(round_, f) for f in CALENDAR_FIELDS})
    if wrong:
        raise Invalid(wrong[1], field=f"calendar.{wrong[0]}", code="calendar_order")
    if round_.publication_start > round_.publication_end:
        raise Invalid("Ngày bắt đầu phải trước ngày kết thúc khoảng thời gian đăng tải.", field="publication_start")
    if rules is not None:
        try:
            merged = RoundRules.model_validate({**round_.rules, **rules})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = "rules." + ".".join(str(p) for p in first["loc"])
            raise Invalid(f"Quy định của đợt giải không hợp lệ: {first['msg']}", field=field) from exc
        round_.rules = merged.model_dump(mode="json")
    session.add(round_)
    session.flush()
    audit.record(session, actor_id=actor.id, action="round.updated", object_type="round", object_id=round_.id,
                 now=now, data={"fields": sorted(changes) + (["rules"] if rules is not None else []),
                                "status": status, "phase": phase(round_, now),
                                **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items()}})
    log.info("round.updated round_id=%s fields=%s", round_.id, sorted(changes))
    return round_


def end_phase_early(session: Session, *, round_: Round, expected: Phase, actor: User, now: datetime) -> Round:
    """End the round's current dated phase now (award.calendar.end_phase_early), audited. `expected` is the
    phase the secretariat saw: if the round moved on meanwhile, nothing changes (409 `phase_changed`)."""
    current = phase(round_, now)
    if current != expected:
        raise Conflict(f"Đợt giải đã chuyển sang giai đoạn “{calendar.PHASE_LABELS[current]}”; hãy tải lại trang.",
                       field="phase", code="phase_changed")
    require_phase(round_, now, "round.end_phase")  # only a dated phase ends early
    field = calendar.end_phase_early(round_, now)
    session.add(round_)
    session.flush()
    audit.record(session, actor_id=actor.id, action="round.phase_ended", object_type="round", object_id=round_.id,
                 now=now, data={"phase": current, "field": field, "at": now.isoformat(),
                                "next": phase(round_, now)})
    log.info("round.phase_ended round_id=%s phase=%s", round_.id, current)
    return round_


def current_round(session: Session, now: datetime, action: str | None = None) -> Round | None:
    """The round a page opens on when none is named: the newest one in which `action` can be taken now,
    else the newest one out of preparation (a page about past rounds still has one to show)."""
    from sqlmodel import select

    rounds = session.exec(select(Round).order_by(Round.year.desc())).all()
    if action is not None:
        for r in rounds:
            if calendar.allows(r, now, action):
                return r
    return next((r for r in rounds if phase(r, now) != Phase.draft), rounds[0] if rounds else None)


def phases(rounds: list[Round], now: datetime) -> dict[int, Phase]:
    """{round id: phase} for a page that lists rounds with their badges."""
    return {r.id: phase(r, now) for r in rounds}
