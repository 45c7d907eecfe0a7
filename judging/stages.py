"""The stages of judging with the database: which works and which rubric each stage takes, its settings,
and its ranking from the submitted sheets (the pure ranking is judging.ranking)."""

import json
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, select

from award.calendar import STAGE_ACTIONS, require_phase
from award.errors import Conflict
from award.models import Entry, EntryStatus, Role, Round
from award.rules import Criterion, RoundRules, StageSettings
from judging import entry_scores
from judging.models import Assignment, LocalContest, PanelPlacement, Stage
from judging.ranking import Ranked, Sheet, rank_entries

STAGE_ENTRIES = {
    Stage.local: (EntryStatus.submitted, EntryStatus.screened),
    Stage.preliminary: (EntryStatus.eligible,),
    Stage.final: (EntryStatus.finalist,),
}
JUDGE_ROLE = {Stage.local: Role.local_judge, Stage.preliminary: Role.judge, Stage.final: Role.judge}


STAGE_LABELS = {Stage.local: "vòng chấm cấp cơ sở", Stage.preliminary: "vòng sơ khảo", Stage.final: "vòng chung khảo"}


def rules_of(round_: Round) -> RoundRules:
    return RoundRules.model_validate(round_.rules)


def rubric_for(session: Session, round_: Round, stage: Stage, unit_id: int | None = None) -> list[Criterion]:
    """The stage's rubric: a unit's own local rubric if it set one, else the round's."""
    rules = rules_of(round_)
    if stage == Stage.local:
        own = session.exec(select(LocalContest.rubric).where(LocalContest.round_id == round_.id,
                                                              LocalContest.unit_id == unit_id)).first()
        if own:
            return [Criterion.model_validate(c) for c in own]
        if rules.local_rubric:
            return rules.local_rubric
    return rules.rubric


def stage_settings(round_: Round, stage: Stage) -> StageSettings:
    return rules_of(round_).stages.get(stage.value) or StageSettings()


def require_setup(round_: Round, stage: Stage, now) -> None:
    """Juries, assignment plans and panels of a stage are set up until the stage's scoring ends
    (award.calendar ACTIONS "local.jury", "preliminary.setup", "final.setup"): 409 `phase_closed` after."""
    require_phase(round_, now, STAGE_ACTIONS[Stage(stage).value][0])


def require_scoring(round_: Round, stage: Stage, now) -> None:
    """Sheets of a stage are saved, submitted and reopened only in the stage's phase (local: while the unit
    takes and screens works; preliminary; final), and not once the secretariat closed the stage."""
    require_phase(round_, now, STAGE_ACTIONS[Stage(stage).value][1])
    if stage_settings(round_, Stage(stage)).closed:
        raise Conflict(f"{STAGE_LABELS[Stage(stage)].capitalize()} đã đóng, không thể lưu điểm.", code="stage_closed")


def _stage_query(query, *, round_: Round, stage: Stage, unit_id: int | None, panel: str | None):
    """`query` (over Entry or its columns) narrowed to the works judged at `stage`, in a unit or a subpanel."""
    query = query.where(Entry.round_id == round_.id, Entry.status.in_(STAGE_ENTRIES[stage]))
    if stage == Stage.local:
        query = query.where(Entry.unit_id == unit_id)
    if panel is not None:
        query = query.join(PanelPlacement, PanelPlacement.entry_id == Entry.id).where(PanelPlacement.panel_code == panel)
    return query


def stage_entries(session: Session, *, round_: Round, stage: Stage, unit_id: int | None,
                  panel: str | None = None) -> list[Entry]:
    query = _stage_query(select(Entry), round_=round_, stage=stage, unit_id=unit_id, panel=panel)
    return list(session.exec(query.order_by(Entry.id)).all())


def stage_entry_ids(session: Session, *, round_: Round, stage: Stage, panel: str) -> set[int]:
    """The ids of a subpanel's works at a central stage (what `stage_entries` lists, without loading them)."""
    query = _stage_query(select(Entry.id), round_=round_, stage=stage, unit_id=None, panel=panel)
    return set(session.exec(query).all())


def unassigned_entry_ids(session: Session, *, round_: Round, stage: Stage, panel: str) -> list[int]:
    """The ids of a subpanel's works at a central stage that no judge has been given yet, in id order (they
    follow the ranking on its page)."""
    assigned = select(Assignment.id).where(Assignment.entry_id == Entry.id, Assignment.stage == stage).exists()
    query = _stage_query(select(Entry.id), round_=round_, stage=stage, unit_id=None, panel=panel).where(~assigned)
    return list(session.exec(query.order_by(Entry.id)).all())


def ranking(session: Session, *, round_: Round, stage: Stage, method: str, unit_id: int | None = None,
            panel: str | None = None) -> list[Ranked]:
    """The stage's ranking from submitted sheets, with the number of sheets expected per entry: read from the
    per-work aggregates (judging.entry_scores), or from the sheets themselves when those do not fit."""
    rubric = rubric_for(session, round_, stage, unit_id)
    ranked = entry_scores.ranking(session, round_id=round_.id, stage=stage, method=method, rubric=rubric,
                                  unit_id=unit_id, panel=panel)
    if ranked is not None:
        return ranked
    return ranking_from_sheets(session, round_=round_, stage=stage, method=method, unit_id=unit_id, panel=panel)


def ranking_page(session: Session, *, round_: Round, stage: Stage, method: str, offset: int, limit: int,
                 unit_id: int | None = None, panel: str | None = None,
                 statuses: Sequence[str] | None = None) -> tuple[list[Ranked], int]:
    """`limit` rows of the stage's ranking from position `offset` (0-based) among the rows kept, and the number
    of rows kept: what `ranking()` gives, with the same ranks, keeping only works in `statuses` when given (a
    subpanel's page shows the works still at its stage; a finalist leaves a gap in the ranks). The database
    sorts and cuts the page from the per-work aggregates; the z-score, or aggregates that do not fit, rank
    everything first."""
    rubric = rubric_for(session, round_, stage, unit_id)
    if method != "zscore":
        page = entry_scores.ranking(session, round_id=round_.id, stage=stage, method=method, rubric=rubric,
                                    unit_id=unit_id, panel=panel, statuses=statuses,
                                    window=entry_scores.Window(offset, limit))
        if page is not None:
            return page
    rows = ranking(session, round_=round_, stage=stage, method=method, unit_id=unit_id, panel=panel)
    if statuses is not None:
        kept = set(session.exec(select(Entry.id).where(Entry.round_id == round_.id,
                                                       Entry.status.in_(statuses))).all())
        rows = [r for r in rows if r.entry_id in kept]
    return rows[offset:offset + limit], len(rows)


def rebuild_scores(session: Session, *, round_: Round, stage: Stage) -> int:
    """The stage's per-work aggregates worked out again from the sheets (after its rubric changed)."""
    return entry_scores.rebuild(session, round_id=round_.id, stage=stage,
                                rubric_of=lambda unit_id: rubric_for(session, round_, stage, unit_id))


def ranking_from_sheets(session: Session, *, round_: Round, stage: Stage, method: str, unit_id: int | None = None,
                        panel: str | None = None) -> list[Ranked]:
    """The stage's ranking worked out from every submitted sheet (what the aggregates must reproduce)."""
    # A round has tens of thousands of sheets (bench/scale.py): plain columns, the scores as the JSON
    # text they are stored as (decoded here, ~4× faster than the driver's JSON and datetime types),
    # and each distinct score string turned into a Decimal once.
    query = select(Assignment.judge_id, Assignment.entry_id, sa.cast(Assignment.scores, sa.Text),
                   Assignment.submitted_at.is_not(None)).join(
        Entry, Entry.id == Assignment.entry_id).where(Assignment.round_id == round_.id, Assignment.stage == stage)
    if unit_id is not None:
        query = query.where(Entry.unit_id == unit_id)
    if panel is not None:
        query = query.join(PanelPlacement, PanelPlacement.entry_id == Assignment.entry_id).where(
            PanelPlacement.panel_code == panel)
    expected: dict[int, int] = {}
    sheets = []
    decimals: dict[str, Decimal] = {}
    for judge_id, entry_id, scores, submitted in session.execute(query):
        expected[entry_id] = expected.get(entry_id, 0) + 1
        if submitted:
            values = {}
            for code, text in json.loads(scores).items():
                value = decimals.get(text)
                if value is None:
                    value = decimals[text] = Decimal(text)
                values[code] = value
            sheets.append(Sheet(judge_id, entry_id, values))
    return rank_entries(sheets, rubric_for(session, round_, stage, unit_id), method, expected=expected)


def progress(session: Session, *, round_: Round, stage: Stage, unit_id: int | None = None) -> tuple[int, int]:
    """(submitted sheets, assigned sheets) for the stage."""
    query = select(func.count(), func.count(Assignment.submitted_at)).join(Entry, Entry.id == Assignment.entry_id).where(
        Assignment.round_id == round_.id, Assignment.stage == stage)
    if unit_id is not None:
        query = query.where(Entry.unit_id == unit_id)
    total, submitted = session.exec(query).one()
    return submitted, total
