"""judging.entry_scores: the per-work aggregates give exactly the ranking judging.ranking.rank_entries gives
from the sheets (every method, reopen and resubmit included), and submitting or reopening a sheet
updates them."""

from datetime import UTC, datetime
from decimal import Decimal as D

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic import TypeAdapter
from sqlmodel import select

from award.models import Entry, EntryStatus
from judging import entry_scores, stages
from judging.models import Assignment, EntryScore, Stage
from judging.ranking import METHODS, Criterion, Sheet, max_total, rank_entries
from api.routers.judging import RankedOut
from tests.api.test_judging_api import setup_local
from tests.factories import api_login

NOW = datetime(2024, 9, 20, 2, 0, tzinfo=UTC)

# Scores as judges type them: whole points mostly (ties on totals, medians and the first criterion are
# then frequent), sometimes with cents.
cents = st.one_of(st.integers(0, 30).map(D), st.integers(0, 3000).map(lambda c: D(c).scaleb(-2)))
rubrics = st.sampled_from([
    [Criterion("content", D(30)), Criterion("discovery", D(25)), Criterion("form", D(25)), Criterion("effect", D(20)),
     Criterion("hardship", D(5), bonus=True)],
    [Criterion("content", D(30), weight=D(2)), Criterion("discovery", D(25)), Criterion("form", D(25), weight=D(3)),
     Criterion("effect", D(20))],
    [Criterion("content", D(10))],
])


@st.composite
def histories(draw):
    """A rubric and a history of sheets: each (judge, entry) submitted, maybe reopened and resubmitted with
    other scores, maybe left reopened; what counts is the last state."""
    rubric = draw(rubrics)
    n_entries = draw(st.integers(1, 7))
    n_judges = draw(st.integers(1, 7))
    history = []
    for entry in range(1, n_entries + 1):
        for judge in draw(st.lists(st.integers(1, n_judges), unique=True, max_size=n_judges)):
            for _ in range(draw(st.integers(1, 3))):  # submit, (reopen, resubmit)…
                scores = {c.code: draw(cents).min(c.max_points) for c in rubric if draw(st.booleans()) or not c.bonus}
                history.append((judge, entry, scores, True))
            if draw(st.integers(0, 4)) == 0:
                history.append((judge, entry, None, False))  # reopened and not submitted again
    expected = {e: draw(st.integers(0, n_judges)) for e in range(1, n_entries + 2)}
    return rubric, history, expected


def last_sheets(history) -> list[Sheet]:
    state: dict[tuple[int, int], dict | None] = {}
    for judge, entry, scores, submitted in history:
        state[(judge, entry)] = scores if submitted else None
    return [Sheet(j, e, s) for (j, e), s in state.items() if s is not None]


@settings(max_examples=300, deadline=None)
@given(histories(), st.sampled_from(METHODS))
def test_rows_rank_exactly_like_the_sheets(case, method):
    rubric, history, expected = case
    sheets = last_sheets(history)
    by_entry: dict[int, list[Sheet]] = {}
    for s in sheets:
        by_entry.setdefault(s.entry_id, []).append(s)
    for s in sheets:
        expected[s.entry_id] = max(expected.get(s.entry_id, 0), 1)
    rows = []
    for entry, its in by_entry.items():
        agg = entry_scores.aggregate(entry, its, rubric)
        score = None if method == "zscore" else getattr(agg, entry_scores.METHOD_COLUMN[method])
        rows.append(entry_scores.Row(entry, agg.n_sheets, score, agg.median_milli, agg.first_key, agg.stdev_cents,
                                     agg.totals))
    got = entry_scores.rank_rows(rows, method=method, max_points=max_total(rubric), expected=expected,
                                 disagreement_stdev=D(3))
    assert got == rank_entries(sheets, rubric, method, expected=expected, disagreement_stdev=D(3))


# ---------------------------------------------------------------------------------------------------
# With the database (SQLite or PostgreSQL, as the suite runs)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_submit_reopen_resubmit_in_the_database_ranks_like_the_sheets(client, session, clock, data):
    """Sheets submitted, reopened and resubmitted through entry_scores.refresh (what judging.sheets calls in
    the same transaction); the stage's ranking read from the rows equals the one worked out from the sheets."""
    round_, unit_id, ids, _manager, judges = _local_setup(client, session)
    rubric = stages.rubric_for(session, round_, Stage.local, unit_id)
    rows = {}
    for entry_id in ids:
        for judge in judges:
            a = Assignment(round_id=round_.id, stage=Stage.local, entry_id=entry_id, judge_id=judge.id)
            session.add(a)
            rows[(judge.id, entry_id)] = a
    session.flush()
    steps = data.draw(st.lists(st.tuples(st.sampled_from(sorted(rows)), st.booleans(),
                                         st.lists(st.integers(0, 20), min_size=4, max_size=4)), max_size=25))
    for key, submit, points in steps:
        a = rows[key]
        if submit:
            a.scores = {c.code: str(min(D(p), c.max_points)) for c, p in zip(
                [c for c in rubric if not c.bonus], points, strict=False)}
            a.submitted_at = NOW
        else:
            a.submitted_at = None
        session.add(a)
        session.flush()
        entry_scores.refresh(session, round_id=round_.id, stage=Stage.local, entry_id=key[1], rubric=rubric)
    for method in METHODS:
        from_rows = entry_scores.ranking(session, round_id=round_.id, stage=Stage.local, method=method, rubric=rubric,
                                         unit_id=unit_id)
        assert from_rows is not None
        assert from_rows == stages.ranking_from_sheets(session, round_=round_, stage=Stage.local, method=method,
                                                       unit_id=unit_id)
    # A page cut by the database is the same page of the whole ranking, ranks included; a work that left the
    # stage (withdrawn here) leaves its rank empty rather than moving the others up.
    left = data.draw(st.sets(st.sampled_from(ids), max_size=len(ids) - 1))
    session.execute(sa.update(Entry).where(Entry.id.in_(left)).values(status=EntryStatus.withdrawn))
    still = stages.STAGE_ENTRIES[Stage.local]
    for method in METHODS:
        whole = [r for r in stages.ranking(session, round_=round_, stage=Stage.local, method=method, unit_id=unit_id)
                 if r.entry_id not in left]
        for offset, limit in ((0, 1), (0, 2), (1, 1), (1, 5), (0, 50), (7, 3)):
            page = stages.ranking_page(session, round_=round_, stage=Stage.local, method=method, unit_id=unit_id,
                                       offset=offset, limit=limit, statuses=still)
            assert page == (whole[offset:offset + limit], len(whole)), (method, offset, limit)
            if method != "zscore":  # the database's own cut, not the fallback to the whole ranking
                assert entry_scores.ranking(session, round_id=round_.id, stage=Stage.local, method=method,
                                            rubric=rubric, unit_id=unit_id, statuses=still,
                                            window=entry_scores.Window(offset, limit)) == page
    session.execute(sa.update(Entry).where(Entry.id.in_(left)).values(status=EntryStatus.submitted))


_SETUP: dict = {}


def _local_setup(client, session):
    """setup_local once per test (hypothesis runs the body many times in one transaction)."""
    if session not in _SETUP:
        _SETUP.clear()
        _SETUP[session] = setup_local(client, session, n_entries=3)
    round_, unit_id, ids, manager, judges = _SETUP[session]
    session.exec(Assignment.__table__.delete())
    session.exec(EntryScore.__table__.delete())
    session.flush()
    return round_, unit_id, ids, manager, judges


def test_submitting_and_reopening_a_sheet_update_the_work_s_row(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=1)
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=manager,
                       json={"judges_per_entry": 3}).json()
    client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=manager,
                json={"plan_id": plan["plan_id"]})
    sheets = {a.judge_id: a.id for a in session.exec(select(Assignment).where(Assignment.entry_id == ids[0]))}

    def submit(judge, content):
        r = client.put(f"/api/v1/judging/assignments/{sheets[judge.id]}/score", headers=api_login(client, judge),
                       json={"scores": {"content": content, "discovery": 20, "form": 20, "effect": 15},
                             "submit": True})
        assert r.status_code == 200, r.text

    def row():
        session.expire_all()
        return session.exec(select(EntryScore).where(EntryScore.entry_id == ids[0])).first()

    assert row() is None
    submit(judges[0], 25)  # 80
    assert (row().n_sheets, row().mean_cents, row().stdev_cents) == (1, 8000, None)
    submit(judges[1], 30)  # 85
    assert (row().n_sheets, row().mean_cents, row().median_milli) == (2, 8250, 82500)
    ranking = client.get(f"/api/v1/rounds/{round_.id}/stages/local/ranking", headers=manager).json()
    assert [(r["rank"], r["score"], r["n_scores"], r["flags"]) for r in ranking] == [
        (1, "82.50", 2, ["missing_sheets"])]

    assert client.post(f"/api/v1/judging/assignments/{sheets[judges[1].id]}/reopen",
                       headers=manager).status_code == 200
    assert (row().n_sheets, row().mean_cents) == (1, 8000)
    assert client.post(f"/api/v1/judging/assignments/{sheets[judges[0].id]}/reopen",
                       headers=manager).status_code == 200
    assert row() is None  # no submitted sheet left: no row, and the work is listed without a rank
    ranking = client.get(f"/api/v1/rounds/{round_.id}/stages/local/ranking", headers=manager).json()
    assert [(r["rank"], r["score"], r["flags"]) for r in ranking] == [(None, None, ["missing_sheets", "no_sheets"])]

    submit(judges[1], 27)  # 82: the API writes the rows as RankedOut would
    body = client.get(f"/api/v1/rounds/{round_.id}/stages/local/ranking?method=median", headers=manager).content
    ranked = stages.ranking(session, round_=round_, stage=Stage.local, method="median", unit_id=unit_id)
    assert body == TypeAdapter(list[RankedOut]).dump_json([RankedOut(
        entry_id=r.entry_id, rank=r.rank, score=r.score, n_scores=r.n_sheets, stdev=r.stdev, flags=list(r.flags))
        for r in ranked])
    assert client.post(f"/api/v1/judging/assignments/{sheets[judges[1].id]}/reopen",
                       headers=manager).status_code == 200
    submit(judges[0], 10)  # resubmitted with other scores: 65
    assert (row().n_sheets, row().mean_cents, row().totals) == (1, 6500, [[judges[0].id, "65.00"]])


def test_a_rubric_changed_after_scoring_falls_back_to_the_sheets_until_rebuilt(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=2)
    for entry_id, content in zip(ids, (10, 20), strict=True):
        session.add(Assignment(round_id=round_.id, stage=Stage.local, entry_id=entry_id, judge_id=judges[0].id,
                               scores={"content": str(content), "discovery": "20", "form": "1", "effect": "1"},
                               submitted_at=NOW))
    session.flush()
    stages.rebuild_scores(session, round_=round_, stage=Stage.local)
    rubric = stages.rubric_for(session, round_, Stage.local, unit_id)
    assert [r.score for r in stages.ranking(session, round_=round_, stage=Stage.local, method="mean",
                                            unit_id=unit_id)] == [D("42.00"), D("32.00")]
    # "discovery" now weighs triple: the stored totals no longer fit, the ranking reads the sheets
    rules = dict(round_.rules)
    rules["rubric"] = [dict(c.model_dump(mode="json"), weight="3" if c.code == "discovery" else str(c.weight))
                       for c in rubric]
    round_.rules = rules
    session.add(round_)
    session.flush()
    new = stages.rubric_for(session, round_, Stage.local, unit_id)
    assert entry_scores.ranking(session, round_id=round_.id, stage=Stage.local, method="mean", rubric=new,
                                unit_id=unit_id) is None
    expected = stages.ranking_from_sheets(session, round_=round_, stage=Stage.local, method="mean", unit_id=unit_id)
    assert stages.ranking(session, round_=round_, stage=Stage.local, method="mean", unit_id=unit_id) == expected
    assert stages.rebuild_scores(session, round_=round_, stage=Stage.local) == 2
    assert entry_scores.ranking(session, round_id=round_.id, stage=Stage.local, method="mean", rubric=new,
                                unit_id=unit_id) == expected


def test_rows_written_around_the_application_are_not_trusted(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=1)
    session.add(Assignment(round_id=round_.id, stage=Stage.local, entry_id=ids[0], judge_id=judges[0].id,
                           scores={"content": "30", "discovery": "25", "form": "25", "effect": "20"}, submitted_at=NOW))
    session.flush()  # a sheet inserted without refresh: no row for it
    rubric = stages.rubric_for(session, round_, Stage.local, unit_id)
    assert entry_scores.ranking(session, round_id=round_.id, stage=Stage.local, method="mean", rubric=rubric,
                                unit_id=unit_id) is None
    ranked = stages.ranking(session, round_=round_, stage=Stage.local, method="mean", unit_id=unit_id)
    assert [(r.rank, r.score) for r in ranked] == [(1, D("100.00"))]
