"""Per-work score aggregates (table `entry_score`), kept when a sheet is submitted or reopened, so that a
ranking reads one row per work instead of every sheet (issue 18, "ranking at scale").

What a row holds (`aggregate`, from the pure functions of judging.ranking, so the values are today's):
    n_sheets; the mean, median and trimmed mean in cents; the exact median × 1000 and
    ⌊first-criterion mean × 10¹²⌋ (tie-breaks 2 and 3 as integers: exact on every engine); the sample
    stdev in cents (the disagreement flag); each sheet's total as [[judge_id, "total"], …] sorted by
    judge; and `rubric_key`, a digest of the rubric the totals were worked out with.

First-criterion key: scores are stored with at most 2 decimals (judging.ranking.validate_scores), so two
different means p/n ≠ q/m differ by at least 1/(100·n·m), far above 10⁻¹²: the floored integers order
and equate exactly as the exact means do (tie_break_key's 120-digit decimals).

Z-score: it normalises per judge over the whole set being ranked (a unit, a subpanel, the round), so it
cannot be stored per work. It is worked out per request by judging.ranking.zscore from the rows'
`totals` — one light query, no JSON score decoding, no rubric arithmetic — and is therefore still
O(sheets of the set) in Python, about 3 sheets per work.

Consistency: `refresh` runs in the transaction that submits or reopens the sheet, after locking the
work's row, so two judges submitting on one work at once are serialised and the second sees the first.
Submitted sheets change nowhere else (an assignment with a submitted sheet cannot be removed). A ranking
falls back to the sheets (and stays exact) when a row was worked out with another rubric (the rubric
was edited after scoring began; `rebuild` brings the rows up to date) or when the rows do not match
the submitted sheets (rows inserted around the application).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, func, insert
from sqlmodel import Session, select

from award.models import Entry
from judging.models import Assignment, EntryScore, PanelPlacement, Stage
from judging.ranking import (
    FLAG_DISAGREEMENT,
    FLAG_MISSING,
    FLAG_NO_SHEETS,
    Ranked,
    Sheet,
    _dec,
    _first_criterion,
    _Totaller,
    max_total,
    mean,
    median,
    sample_stdev,
    trimmed_mean,
    zscore,
)

FIRST_SCALE = 10**12
METHOD_COLUMN = {"mean": "mean_cents", "median": "median_cents", "trimmed": "trimmed_cents"}


def rubric_key(rubric: Sequence[Any]) -> str:
    """A digest of what a sheet total depends on: each criterion's code, max, weight and bonus flag."""
    parts = [(c.code, str(_dec(c.max_points).normalize()),
              str(_dec(1 if getattr(c, "weight", None) is None else c.weight).normalize()), bool(c.bonus))
             for c in rubric]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Aggregate:
    entry_id: int
    n_sheets: int
    mean_cents: int
    median_cents: int
    trimmed_cents: int
    median_milli: int
    first_key: int
    stdev_cents: int | None
    totals: list  # [[judge_id, "total"], …] by judge


def _cents(value: Decimal) -> int:
    return int(value.scaleb(2))


def aggregate(entry_id: int, sheets: Sequence[Sheet], rubric: Sequence[Any]) -> Aggregate | None:
    """One work's submitted sheets of a stage → its row (None without any sheet)."""
    if not sheets:
        return None
    totaller = _Totaller(rubric)
    pairs = sorted((s.judge_id, totaller.total(s.scores)) for s in sheets)
    totals = [t for _, t in pairs]
    ordered = sorted(totals)
    middle = len(ordered) // 2
    exact_median = Fraction(ordered[middle]) if len(ordered) % 2 else (Fraction(ordered[middle - 1])
                                                                        + Fraction(ordered[middle])) / 2
    first = _first_criterion(rubric)
    first_key = 0
    if first is not None:
        high = _dec(first.max_points)
        firsts = []
        for s in sheets:
            raw = s.scores.get(first.code)
            value = Decimal(0) if raw is None else _dec(raw)
            firsts.append(Decimal(0) if value < 0 else (high if value > high else value))
        first_key = math.floor(Fraction(sum(firsts, Decimal(0))) * FIRST_SCALE / len(firsts))
    stdev = sample_stdev(totals)
    return Aggregate(entry_id, len(sheets), _cents(mean(totals)), _cents(median(totals)),
                     _cents(trimmed_mean(totals)), int(exact_median * 1000), first_key,
                     None if stdev is None else _cents(stdev), [[j, str(t)] for j, t in pairs])


@dataclass(frozen=True)
class Row:
    """What a ranking reads of an entry_score row."""

    entry_id: int
    n_sheets: int
    score_cents: int | None  # the method's score; None for the z-score (worked out from `totals`)
    median_milli: int
    first_key: int
    stdev_cents: int | None
    totals: list | None = None


_CENT_DECIMALS: dict[int, Decimal] = {}


def _from_cents(cents: int) -> Decimal:
    value = _CENT_DECIMALS.get(cents)
    if value is None:
        value = _CENT_DECIMALS[cents] = Decimal(cents).scaleb(-2)
    return value


def rank_rows(rows: Iterable[Row], *, method: str, max_points: Decimal, expected: Mapping[int, int] | None = None,
              disagreement_stdev: Decimal = Decimal(15)) -> list[Ranked]:
    """judging.ranking.rank_entries over the rows instead of the sheets: the same ranks, scores, stdevs
    and flags (TIE_BREAK on the integer keys)."""
    rows = list(rows)
    expected = expected or {}
    if method == "zscore":
        scores = zscore(((judge, row.entry_id, Decimal(total)) for row in rows for judge, total in row.totals),
                        max_points)
        rows = [Row(r.entry_id, r.n_sheets, _cents(scores[r.entry_id]), r.median_milli, r.first_key, r.stdev_cents)
                for r in rows]
    rows.sort(key=lambda r: (-r.score_cents, -r.median_milli, -r.first_key, r.entry_id))
    limit = _dec(disagreement_stdev)
    ranked: list[Ranked] = []
    for rank, row in enumerate(rows, start=1):
        flags = []
        if row.n_sheets < expected.get(row.entry_id, 0):
            flags.append(FLAG_MISSING)
        stdev = None if row.stdev_cents is None else _from_cents(row.stdev_cents)
        if stdev is not None and stdev > limit:
            flags.append(FLAG_DISAGREEMENT)
        ranked.append(Ranked(row.entry_id, rank, _from_cents(row.score_cents), row.n_sheets, stdev, tuple(flags)))
    seen = {row.entry_id for row in rows}
    for entry in sorted(e for e in expected if e not in seen):
        flags = ((FLAG_MISSING,) if expected[entry] > 0 else ()) + (FLAG_NO_SHEETS,)
        ranked.append(Ranked(entry, None, None, 0, None, flags))
    return ranked


# ---------------------------------------------------------------------------------------------------
# With the database


def _sheets(session: Session, *, stage: Stage, entry_id: int) -> list[Sheet]:
    rows = session.exec(select(Assignment.judge_id, Assignment.scores).where(
        Assignment.stage == stage, Assignment.entry_id == entry_id, Assignment.submitted_at.is_not(None))).all()
    return [Sheet(judge, entry_id, {code: Decimal(text) for code, text in (scores or {}).items()})
            for judge, scores in rows]


def store(session: Session, *, round_id: int, stage: Stage, entry_id: int, rubric: Sequence[Any],
          sheets: Sequence[Sheet]) -> EntryScore | None:
    """Write (or delete, without sheets) the work's row from its submitted sheets."""
    row = session.get(EntryScore, (entry_id, Stage(stage)))
    values = aggregate(entry_id, sheets, rubric)
    if values is None:
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    if row is None:
        row = EntryScore(entry_id=entry_id, stage=Stage(stage), round_id=round_id, n_sheets=0, mean_cents=0,
                         median_cents=0, trimmed_cents=0, median_milli=0, first_key=0, rubric_key="")
    for name in ("n_sheets", "mean_cents", "median_cents", "trimmed_cents", "median_milli", "first_key",
                 "stdev_cents", "totals"):
        setattr(row, name, getattr(values, name))
    row.round_id = round_id
    row.rubric_key = rubric_key(rubric)
    session.add(row)
    session.flush()
    return row


def refresh(session: Session, *, round_id: int, stage: Stage, entry_id: int,
            rubric: Sequence[Any]) -> EntryScore | None:
    """After a sheet of the work is submitted or reopened, in the same transaction: the work's row is
    worked out again from its submitted sheets, under a lock on the work (see the module docstring)."""
    session.exec(select(Entry.id).where(Entry.id == entry_id).with_for_update(key_share=True)).one()
    session.flush()
    return store(session, round_id=round_id, stage=stage, entry_id=entry_id, rubric=rubric,
                 sheets=_sheets(session, stage=stage, entry_id=entry_id))


def _scoped(query, *, entry_column, round_id: int, unit_id: int | None, panel: str | None,
            statuses: Sequence[str] | None = None):
    if unit_id is not None or statuses is not None:
        query = query.join(Entry, Entry.id == entry_column)
    if unit_id is not None:
        query = query.where(Entry.unit_id == unit_id)
    if statuses is not None:
        query = query.where(Entry.status.in_(statuses))
    if panel is not None:
        query = query.join(PanelPlacement, PanelPlacement.entry_id == entry_column).where(
            PanelPlacement.panel_code == panel)
    return query


@dataclass(frozen=True)
class Window:
    """A page of a ranking: `offset` rows skipped, at most `limit` returned; `total` is filled in with the
    number of rows of the whole ranking."""

    offset: int
    limit: int
    total: int | None = None


def ranking(session: Session, *, round_id: int, stage: Stage, method: str, rubric: Sequence[Any],
            unit_id: int | None = None, panel: str | None = None, statuses: Sequence[str] | None = None,
            window: Window | None = None) -> list[Ranked] | tuple[list[Ranked], int] | None:
    """The stage's ranking from the rows in one query (the works' sheet counts joined to their rows, ordered
    by TIE_BREAK in SQL except for the z-score), or None when the rows cannot be trusted for it (another
    rubric, or not matching the submitted sheets): the caller then ranks from the sheets.

    With a `window` (not for the z-score, which needs every work's scores) the database sorts and cuts the
    page, and the result is (the page's rows, the number of rows kept): ranks are the positions in the
    whole ranking, and `statuses` keeps only works in those states (their ranks unchanged). Only the
    page's rows are checked against the rubric and the sheets."""
    counts = _scoped(select(Assignment.entry_id.label("entry_id"), func.count().label("n"),
                            func.count(Assignment.submitted_at).label("n_submitted")).where(
        Assignment.round_id == round_id, Assignment.stage == stage), entry_column=Assignment.entry_id,
        round_id=round_id, unit_id=unit_id, panel=panel,
        statuses=None if window is not None else statuses).group_by(Assignment.entry_id).subquery()
    zscores = method == "zscore"
    if window is not None:
        assert not zscores, "a z-score ranking is cut after it is worked out"
        return _ranking_window(session, counts, stage=stage, method=method, rubric=rubric, window=window,
                               statuses=statuses)
    score = EntryScore.mean_cents if zscores else getattr(EntryScore, METHOD_COLUMN[method])
    query = select(counts.c.entry_id, counts.c.n, counts.c.n_submitted, EntryScore.n_sheets, score,
                   EntryScore.median_milli, EntryScore.first_key, EntryScore.stdev_cents, EntryScore.rubric_key,
                   EntryScore.totals if zscores else sa.null()).outerjoin(
        EntryScore, (EntryScore.entry_id == counts.c.entry_id) & (EntryScore.stage == stage))
    if not zscores:
        query = query.order_by(EntryScore.n_sheets.is_(None), score.desc(), EntryScore.median_milli.desc(),
                               EntryScore.first_key.desc(), counts.c.entry_id)
    key = rubric_key(rubric)
    limit = Decimal(15)  # rank_entries' default disagreement_stdev, which judging.stages ranks with
    ranked: list[Ranked] = []
    unranked: list[Ranked] = []
    rows: list[Row] = []
    expected: dict[int, int] = {}
    for entry_id, n, n_submitted, n_sheets, cents, median_milli, first_key, stdev_cents, row_key, totals in (
            session.connection().execute(query)):
        if n_sheets is None:
            if n_submitted:
                return None  # sheets submitted without their row
            unranked.append(Ranked(entry_id, None, None, 0, None,
                                   (FLAG_MISSING, FLAG_NO_SHEETS) if n > 0 else (FLAG_NO_SHEETS,)))
            continue
        if row_key != key or n_sheets != n_submitted:
            return None
        if zscores:
            expected[entry_id] = n
            rows.append(Row(entry_id, n_sheets, None, median_milli, first_key, stdev_cents, totals))
            continue
        stdev = None if stdev_cents is None else _from_cents(stdev_cents)
        flags = (FLAG_MISSING,) if n_sheets < n else ()
        if stdev is not None and stdev > limit:
            flags += (FLAG_DISAGREEMENT,)
        ranked.append(Ranked(entry_id, len(ranked) + 1, _from_cents(cents), n_sheets, stdev, flags))
    if zscores:
        ranked = rank_rows(rows, method=method, max_points=max_total(rubric), expected=expected)
    unranked.sort(key=lambda r: r.entry_id)
    return ranked + unranked


def _ranking_window(session: Session, counts, *, stage: Stage, method: str, rubric: Sequence[Any],
                    window: Window, statuses: Sequence[str] | None) -> tuple[list[Ranked], int] | None:
    score = getattr(EntryScore, METHOD_COLUMN[method])
    # Positions over every work with sheets at the stage (TIE_BREAK's order), then the works kept: a work that
    # left the stage (a finalist, a withdrawal) leaves a gap rather than moving the others up.
    ordered = select(counts.c.entry_id, counts.c.n, counts.c.n_submitted, EntryScore.n_sheets,
                     score.label("cents"), EntryScore.stdev_cents, EntryScore.rubric_key,
                     func.row_number().over(order_by=(EntryScore.n_sheets.is_(None), score.desc(),
                                                      EntryScore.median_milli.desc(), EntryScore.first_key.desc(),
                                                      counts.c.entry_id)).label("position")).outerjoin(
        EntryScore, (EntryScore.entry_id == counts.c.entry_id) & (EntryScore.stage == stage)).subquery()
    query = select(ordered.c.entry_id, ordered.c.n, ordered.c.n_submitted, ordered.c.n_sheets, ordered.c.cents,
                   ordered.c.stdev_cents, ordered.c.rubric_key, ordered.c.position, func.count().over())
    if statuses is not None:
        query = query.join(Entry, Entry.id == ordered.c.entry_id).where(Entry.status.in_(statuses))
    query = query.order_by(ordered.c.position).offset(window.offset).limit(window.limit)
    key = rubric_key(rubric)
    limit = Decimal(15)  # as in ranking()
    rows: list[Ranked] = []
    total = None
    for entry_id, n, n_submitted, n_sheets, cents, stdev_cents, row_key, position, kept in (
            session.connection().execute(query)):
        total = kept
        if n_sheets is None:
            if n_submitted:
                return None
            rows.append(Ranked(entry_id, None, None, 0, None,
                               (FLAG_MISSING, FLAG_NO_SHEETS) if n > 0 else (FLAG_NO_SHEETS,)))
            continue
        if row_key != key or n_sheets != n_submitted:
            return None
        stdev = None if stdev_cents is None else _from_cents(stdev_cents)
        flags = (FLAG_MISSING,) if n_sheets < n else ()
        if stdev is not None and stdev > limit:
            flags += (FLAG_DISAGREEMENT,)
        rows.append(Ranked(entry_id, position, _from_cents(cents), n_sheets, stdev, flags))
    if total is None:  # a page past the end: the window function had no row to count on
        total = session.execute(select(func.count()).select_from(query.order_by(None).offset(None).limit(None)
                                                                  .subquery())).scalar_one()
    return rows, total


def rebuild(session: Session, *, round_id: int, stage: Stage, rubric_of) -> int:
    """Every row of a round's stage worked out again from the submitted sheets (after a rubric change, or
    rows written around the application), in bulk; `rubric_of(unit_id)` gives the rubric of a unit's
    works. Returns the number of rows written."""
    by_entry: dict[int, list[Sheet]] = {}
    units: dict[int, int | None] = {}
    query = select(Assignment.judge_id, Assignment.entry_id, Assignment.scores, Entry.unit_id).join(
        Entry, Entry.id == Assignment.entry_id).where(Assignment.round_id == round_id, Assignment.stage == stage,
                                                      Assignment.submitted_at.is_not(None))
    for judge, entry_id, scores, unit_id in session.execute(query):
        by_entry.setdefault(entry_id, []).append(
            Sheet(judge, entry_id, {code: Decimal(text) for code, text in (scores or {}).items()}))
        units[entry_id] = unit_id
    rubrics: dict[int | None, tuple[Sequence[Any], str]] = {}
    values = []
    for entry_id, sheets in by_entry.items():
        unit_id = units[entry_id]
        if unit_id not in rubrics:
            rubric = rubric_of(unit_id)
            rubrics[unit_id] = (rubric, rubric_key(rubric))
        rubric, key = rubrics[unit_id]
        row = aggregate(entry_id, sheets, rubric)
        values.append({"entry_id": entry_id, "stage": Stage(stage), "round_id": round_id, "n_sheets": row.n_sheets,
                       "mean_cents": row.mean_cents, "median_cents": row.median_cents,
                       "trimmed_cents": row.trimmed_cents, "median_milli": row.median_milli,
                       "first_key": row.first_key, "stdev_cents": row.stdev_cents, "totals": row.totals,
                       "rubric_key": key})
    session.flush()
    session.execute(delete(EntryScore).where(EntryScore.round_id == round_id, EntryScore.stage == stage))
    for start in range(0, len(values), 5000):
        session.execute(insert(EntryScore), values[start:start + 5000])
    session.expire_all()
    return len(values)
