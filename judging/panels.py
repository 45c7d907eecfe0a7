"""Subpanels of the preliminary jury: routing eligible works to them, moving a work by hand, and what
each panel holds (works, judges, sheets, its shortlist target)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from award import audit
from award.calendar import require_phase
from award.entry_status import FINALISTS
from award.errors import Invalid
from award.models import Entry, EntryStatus, Round, User
from award.rules import Panel, RoundRules
from judging.models import Assignment, JudgeMembership, PanelPlacement, Stage

# Works in the subpanels: eligible and beyond (a finalist without a prize, no_prize, keeps its subpanel).
CENTRAL_STATUSES = (EntryStatus.eligible, *FINALISTS)


def route(media_type: str, genre: str, panels: Sequence[Panel]) -> str | None:
    """The panel of a work: the first listing its media type and genre, else the first listing its
    media type with no genres (that media type's catch-all), else the first listing its media type."""
    same_media = [p for p in panels if media_type in p.media_types]
    for panel in same_media:
        if genre in panel.genres:
            return panel.code
    for panel in same_media:
        if not panel.genres:
            return panel.code
    return same_media[0].code if same_media else None


def panels_of(round_: Round) -> list[Panel]:
    return RoundRules.model_validate(round_.rules).panels


def route_round(session: Session, *, round_: Round, actor: User, now: datetime) -> dict[str, int]:
    """(Re)route every eligible work of the round that was not moved by hand; returns works per panel."""
    require_phase(round_, now, "preliminary.setup")
    panels = panels_of(round_)
    placed = {p.entry_id: p for p in session.exec(select(PanelPlacement).where(PanelPlacement.round_id == round_.id))}
    moved = 0
    for entry in session.exec(select(Entry).where(Entry.round_id == round_.id, Entry.status.in_(CENTRAL_STATUSES))):
        row = placed.get(entry.id)
        if row is not None and row.manual:
            continue
        code = route(entry.media_type, entry.genre, panels)
        if code is None or (row is not None and row.panel_code == code):
            continue
        row = row or PanelPlacement(entry_id=entry.id, round_id=round_.id, panel_code=code)
        row.panel_code, row.placed_at, row.placed_by = code, now, actor.id
        session.add(row)
        moved += 1
    session.flush()
    audit.record(session, actor_id=actor.id, action="judging.panels_routed", object_type="round", object_id=round_.id,
                 now=now, data={"placed": moved})
    return works_per_panel(session, round_id=round_.id)


def place(session: Session, *, entry: Entry, round_: Round, actor: User, now: datetime) -> PanelPlacement | None:
    """Route one work, when the secretariat finds it eligible (a manual placement stays)."""
    row = session.get(PanelPlacement, entry.id)
    if row is not None and row.manual:
        return row
    code = route(entry.media_type, entry.genre, panels_of(round_))
    if code is None:
        return None
    row = row or PanelPlacement(entry_id=entry.id, round_id=round_.id, panel_code=code)
    row.panel_code, row.placed_at, row.placed_by = code, now, actor.id
    session.add(row)
    return row


def move(session: Session, *, entry: Entry, round_: Round, panel_code: str, actor: User, now: datetime) -> PanelPlacement:
    """Move a work to another panel by hand; routing leaves it there afterwards."""
    require_phase(round_, now, "preliminary.setup")
    if panel_code not in {p.code for p in panels_of(round_)}:
        raise Invalid("Tiểu ban không có trong đợt giải này.", field="panel_code", code="unknown_panel")
    if entry.status not in CENTRAL_STATUSES:
        raise Invalid("Chỉ chuyển tiểu ban cho tác phẩm đủ điều kiện chấm.", field="entry_id", code="not_eligible")
    existing = session.get(PanelPlacement, entry.id)
    old = existing.panel_code if existing else None
    row = existing or PanelPlacement(entry_id=entry.id, round_id=round_.id, panel_code=panel_code)
    row.panel_code, row.manual, row.placed_by, row.placed_at = panel_code, True, actor.id, now
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id, action="judging.panel_moved", object_type="entry", object_id=entry.id,
                 now=now, data={"from": old, "to": panel_code})
    return row


def works_per_panel(session: Session, *, round_id: int) -> dict[str, int]:
    return dict(session.exec(select(PanelPlacement.panel_code, func.count()).join(
        Entry, Entry.id == PanelPlacement.entry_id).where(
        PanelPlacement.round_id == round_id, Entry.status.in_(CENTRAL_STATUSES)).group_by(PanelPlacement.panel_code)).all())


@dataclass
class PanelSummary:
    panel: Panel
    works: int
    finalists: int
    judges: int
    sheets_done: int
    sheets: int
    target: int | None


def overview(session: Session, *, round_: Round) -> list[PanelSummary]:
    """Every panel of the round with its works, finalists, judges and sheets (a fixed number of queries)."""
    rules = RoundRules.model_validate(round_.rules)
    works = works_per_panel(session, round_id=round_.id)
    finalists = dict(session.exec(select(PanelPlacement.panel_code, func.count()).join(
        Entry, Entry.id == PanelPlacement.entry_id).where(
        PanelPlacement.round_id == round_.id, Entry.status.in_(FINALISTS))
        .group_by(PanelPlacement.panel_code)).all())
    judges = dict(session.exec(select(JudgeMembership.panel_code, func.count()).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.stage == Stage.preliminary)
        .group_by(JudgeMembership.panel_code)).all())
    sheets = {code: (done, total) for code, total, done in session.exec(
        select(PanelPlacement.panel_code, func.count(), func.count(Assignment.submitted_at))
        .join(Assignment, Assignment.entry_id == PanelPlacement.entry_id)
        .where(PanelPlacement.round_id == round_.id, Assignment.stage == Stage.preliminary)
        .group_by(PanelPlacement.panel_code)).all()}
    return [PanelSummary(panel=p, works=works.get(p.code, 0), finalists=finalists.get(p.code, 0),
                         judges=judges.get(p.code, 0), sheets_done=sheets.get(p.code, (0, 0))[0],
                         sheets=sheets.get(p.code, (0, 0))[1], target=rules.shortlist_targets.get(p.code))
            for p in rules.panels]


def unrouted(session: Session, *, round_id: int) -> int:
    return session.exec(select(func.count()).select_from(Entry).where(
        Entry.round_id == round_id, Entry.status.in_(CENTRAL_STATUSES),
        Entry.id.not_in(select(PanelPlacement.entry_id)))).one()
