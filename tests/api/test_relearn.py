"""The worker keeps stored rankings learned, re-ranking only the works a confirmation changes: after any
sequence of confirmations, retractions and relearning passes, every work's stored ranking is what a fresh
ranking gives, and a pass over a round with many confirmed works re-ranks only some of its works."""

import json
import random
from datetime import UTC, timedelta
from pathlib import Path

from sqlmodel import select

from award import jobs, suggestions, themes
from award.models import AuditEvent, Entry, Role, Round, RoundSignalWeights, TagSource, ThemeSuggestion
from tests.factories import api_login, make_entry, make_user
from tests.support.jobs import run_jobs

DATA = Path(__file__).resolve().parents[1] / "data" / "tagging_eval.jsonl"
REALISTIC = DATA.with_name("tagging_realistic_dev.jsonl")


def _works(session, n, round_number="IX", skip=0, data=DATA):
    rows = [json.loads(line) for line in data.read_text().splitlines() if line.strip()]
    if data != DATA:
        rows = [r for r in rows if r["round"] == round_number]
    rows = rows[skip:skip + n]
    ids = []
    for row in rows:
        entry = make_entry(session, title=row["title"], round_number=round_number)
        entry.summary = row["text"]
        session.add(entry)
        session.flush()
        ids.append(entry.id)
    return ids


def _rank_all(session, clock, ids):
    for entry_id in ids:
        jobs.enqueue_suggest(session, entry_id=entry_id, cause="test", now=clock.now)
    run_jobs(session, now=clock.now)


def _assert_stored_equals_fresh(session, ids):
    from tests.conftest import _MEMORY_EMBEDDINGS

    for entry_id in ids:
        entry = session.get(Entry, entry_id)
        stored = themes.stored_suggestions(session, entry=entry)[:5]
        fresh = suggestions.rank(session, entry=entry, cache=_MEMORY_EMBEDDINGS).items[:5]
        assert [s[0] for s in stored] == [f.code for f in fresh], entry_id
        assert all(abs(s[2] - f.score) < 1e-4 for s, f in zip(stored, fresh)), entry_id
        assert [s[4] for s in stored] == [f.why for f in fresh], entry_id  # "giống N tác phẩm…" included


def _ranked_at(session, ids, at):
    """The works whose stored ranking was computed at `at` (naive UTC on SQLite, aware on PostgreSQL)."""
    rows = session.exec(select(ThemeSuggestion.entry_id, ThemeSuggestion.computed_at)
                        .where(ThemeSuggestion.entry_id.in_(ids))).all()
    return {e for e, c in rows if (c if c.tzinfo else c.replace(tzinfo=UTC)).timestamp() == at.timestamp()}


def test_stored_rankings_equal_fresh_ones_after_any_sequence_of_confirmations(client, session, clock):
    rng = random.Random(19)
    ids = _works(session, 30)
    _rank_all(session, clock, ids)
    secretariat = make_user(session, role=Role.secretariat)
    codes = [u.code for u in themes.round_units(session, session.get(Entry, ids[0]).round_id)]
    for _step in range(8):
        # one to four changes between passes: confirmations, corrections, retractions
        for _ in range(rng.randint(1, 4)):
            entry = session.get(Entry, rng.choice(ids))
            chosen = [] if rng.random() < 0.25 else rng.sample(codes, rng.randint(1, 2))
            themes.set_entry_themes(session, entry=entry, codes=chosen, actor=secretariat,
                                    source=TagSource.secretariat, now=clock.now)
            clock.now += timedelta(seconds=rng.choice([0, 30]))
        session.commit()
        run_jobs(session, now=clock.now)
        _assert_stored_equals_fresh(session, ids)
        clock.now += timedelta(minutes=1)


def test_confirmations_in_an_earlier_round_keep_the_next_rounds_stored_rankings_learned(client, session, clock):
    """Round IX learns from round VIII's confirmed works (half weight, themes mapped): a confirmation or
    retraction there queues IX's relearning pass, and IX's stored rankings stay what a fresh one gives."""
    from award.jobs import Job, JobStatus
    from award.tagging_learn import map_units
    from tests.conftest import _MEMORY_EMBEDDINGS

    rng = random.Random(8)
    past = _works(session, 24, round_number="VIII", skip=30)
    ids = _works(session, 20)
    _rank_all(session, clock, past + ids)
    secretariat = make_user(session, role=Role.secretariat)
    here = session.get(Entry, ids[0]).round_id
    past_round = session.get(Round, session.get(Entry, past[0]).round_id)
    past_round.closed_at = None  # published, not yet archived: the secretariat still curates its themes
    past_codes = [u.code for u in themes.round_units(session, past_round.id)]
    tagger = themes.tagger_for(session, here, _MEMORY_EMBEDDINGS)
    # the themes of VIII close enough to one of IX's to be mapped onto it (the others teach IX nothing)
    mapped = sorted(map_units(themes.tagger_for(session, past_round.id, _MEMORY_EMBEDDINGS), tagger))
    def confirmations() -> int:  # history rows of themes set: one per save that changed something
        return len(session.exec(select(AuditEvent.id).where(AuditEvent.action == "entry.themes")).all())

    for step in range(6):
        seen = confirmations()
        for _ in range(rng.randint(1, 3)):
            entry = session.get(Entry, rng.choice(past))
            chosen = rng.sample(mapped, 1) if not step else [] if rng.random() < 0.25 else rng.sample(past_codes, 1)
            themes.set_entry_themes(session, entry=entry, codes=chosen, actor=secretariat,
                                    source=TagSource.secretariat, now=clock.now)
        session.commit()
        changed_any = confirmations() > seen
        queued = session.exec(select(Job.payload).where(Job.kind == "round.relearn",
                                                        Job.status == JobStatus.pending)).all()
        if changed_any:
            assert {"round_id": here} in queued  # the next round's pass, not only the past round's own
        else:  # the same themes again: nothing to learn, no pass (award.themes.set_entry_themes)
            assert queued == []
        clock.now += timedelta(minutes=1)
        before = {e: themes.stored_suggestions(session, entry=session.get(Entry, e))[:5] for e in ids}
        run_jobs(session, now=clock.now)
        _assert_stored_equals_fresh(session, past + ids)
        changed = [e for e in ids if themes.stored_suggestions(session, entry=session.get(Entry, e))[:5] != before[e]]
        if step == 0:
            assert changed  # round VIII's confirmed works vote in IX: "giống 1 tác phẩm đã xác nhận…"
        clock.now += timedelta(minutes=1)


def test_a_pass_after_one_confirmation_re_ranks_only_the_works_it_changes(client, session, clock):
    ids = _works(session, 40)
    _rank_all(session, clock, ids)
    secretariat = make_user(session, role=Role.secretariat)
    codes = [u.code for u in themes.round_units(session, session.get(Entry, ids[0]).round_id)]
    for i, entry_id in enumerate(ids[:30]):  # three works in four confirmed, as the results period ends
        themes.set_entry_themes(session, entry=session.get(Entry, entry_id), codes=[codes[i % len(codes)]],
                                actor=secretariat, source=TagSource.secretariat, now=clock.now)
    session.commit()
    clock.now += timedelta(minutes=1)  # (a ranking made at the very instant of a confirmation counts as older)
    run_jobs(session, now=clock.now)  # every work learns from the 30
    _assert_stored_equals_fresh(session, ids)
    clock.now += timedelta(minutes=5)
    themes.set_entry_themes(session, entry=session.get(Entry, ids[35]), codes=[codes[0]], actor=secretariat,
                            source=TagSource.secretariat, now=clock.now)
    session.commit()
    clock.now += timedelta(minutes=1)
    run_jobs(session, now=clock.now)
    again = _ranked_at(session, ids, clock.now)
    assert 0 < len(again) < len(ids) // 2, len(again)  # the works near the confirmed one, not the round
    _assert_stored_equals_fresh(session, ids)


def test_a_confirmation_committed_while_a_pass_reads_queues_the_next_pass(client, session, clock):
    """The race a waiting job cannot cover: a request that saw the job still waiting (so queued none) commits
    its confirmation after the pass has read the round. The pass notices when it stores and queues the next."""
    from award import audit
    from award.jobs import Job, JobStatus
    from award.models import EntryTheme, OutlineNode
    from tests.conftest import _MEMORY_EMBEDDINGS

    ids = _works(session, 6)
    _rank_all(session, clock, ids)
    secretariat = make_user(session, role=Role.secretariat)
    themes.set_entry_themes(session, entry=session.get(Entry, ids[0]), codes=["2.1"], actor=secretariat,
                            source=TagSource.secretariat, now=clock.now)
    session.commit()
    clock.now += timedelta(minutes=1)
    done = themes.relearn_round(session, round_id=session.get(Entry, ids[0]).round_id, cache=_MEMORY_EMBEDDINGS)
    # the other request's commit, between the pass's reading and its writing (its job: the one running)
    late = session.get(Entry, ids[1])
    node = session.exec(select(OutlineNode).where(OutlineNode.round_id == late.round_id,
                                                  OutlineNode.code == "2.2")).one()
    session.add(EntryTheme(entry_id=late.id, outline_node_id=node.id, source=TagSource.secretariat,
                           confirmed_by=secretariat.id, created_at=clock.now))
    audit.record(session, actor_id=secretariat.id, action="entry.themes", object_type="entry", object_id=late.id,
                 now=clock.now - timedelta(seconds=30), data={"codes": ["2.2"], "source": "secretariat"})
    session.commit()
    session.exec(sa_update_jobs_done())  # the pending job was the running pass
    themes.store_relearned(session, round_id=late.round_id, done=done, now=clock.now)
    session.commit()
    waiting = session.exec(select(Job).where(Job.kind == "round.relearn", Job.status == JobStatus.pending)).all()
    assert len(waiting) == 1  # the next pass, for the confirmation the first did not read
    clock.now += timedelta(minutes=1)
    run_jobs(session, now=clock.now)
    _assert_stored_equals_fresh(session, ids)


def sa_update_jobs_done():
    import sqlalchemy as sa

    from award.jobs import Job, JobStatus

    return sa.update(Job).where(Job.kind == "round.relearn").values(status=JobStatus.done)


def _outdate(session, ids):
    """As if ranked by an earlier release: version 0, its own wording of why."""
    from sqlalchemy import update

    session.exec(update(ThemeSuggestion).where(ThemeSuggestion.entry_id.in_(ids))
                 .values(tagger_version=0, why="cách nói cũ"))
    session.commit()


def test_a_ranking_an_earlier_release_made_is_ranked_again_when_shown(client, session, clock):
    from sqlalchemy import update

    from award.tagging_units import TAGGER_VERSION

    ids = _works(session, 3)
    session.get(Entry, ids[0]).updated_at = clock.now - timedelta(days=1)  # not changed since it was ranked
    _rank_all(session, clock, ids)
    headers = api_login(client, make_user(session, role=Role.secretariat))

    def shown_why():
        shown = client.get(f"/api/v1/entries/{ids[0]}/theme-suggestions", headers=headers)
        assert shown.status_code == 200
        return {s["why"] for s in shown.json()}

    session.exec(update(ThemeSuggestion).where(ThemeSuggestion.entry_id == ids[0]).values(why="cách nói cũ"))
    session.commit()
    assert "cách nói cũ" in shown_why()  # this release's ranking, current: shown as stored
    _outdate(session, ids[:1])
    assert "cách nói cũ" not in shown_why()  # an earlier release's: ranked again
    versions = session.exec(select(ThemeSuggestion.tagger_version).where(ThemeSuggestion.entry_id == ids[0])).all()
    assert versions and set(versions) == {TAGGER_VERSION}
    _assert_stored_equals_fresh(session, ids)


def test_after_an_upgrade_the_worker_ranks_again_every_ranking_an_earlier_release_made(client, session, clock):
    """`award migrate` queues the relearning pass of each round with outdated rankings (queue_outdated_rankings);
    the pass ranks them again, however long ago the works changed, and only them."""
    from award.jobs import Job, JobStatus
    from award.tagging_units import TAGGER_VERSION

    ids = _works(session, 12)
    _rank_all(session, clock, ids)
    assert themes.queue_outdated_rankings(session, now=clock.now) == []  # nothing outdated: nothing queued
    _outdate(session, ids[:5])
    clock.now += timedelta(days=30)
    round_id = session.get(Entry, ids[0]).round_id
    assert themes.queue_outdated_rankings(session, now=clock.now) == [round_id]
    session.commit()
    assert session.exec(select(Job.payload).where(Job.kind == "round.relearn",
                                                  Job.status == JobStatus.pending)).all() == [{"round_id": round_id}]
    run_jobs(session, now=clock.now)
    assert _ranked_at(session, ids, clock.now) == set(ids[:5])
    rows = session.exec(select(ThemeSuggestion.tagger_version, ThemeSuggestion.why)
                        .where(ThemeSuggestion.entry_id.in_(ids))).all()
    assert {v for v, _ in rows} == {TAGGER_VERSION} and "cách nói cũ" not in {w for _, w in rows}
    _assert_stored_equals_fresh(session, ids)


def test_confirmed_works_teach_their_round_how_much_each_signal_counts_and_a_retraction_stops_counting(
        client, session, clock):
    """Works told in a journalist's words, confirmed on their themes: the pass fits the round's weights (the example
    pieces' words count more, the outline's less), stores them and ranks the whole round with them; the draft
    route's examples read them; retracted below eight confirmed works, the round is back to the tagger's own."""
    from tests.conftest import _MEMORY_EMBEDDINGS

    rows = [json.loads(line) for line in REALISTIC.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["round"] == "IX"][:16]
    ids = _works(session, 16, round_number="IX", data=REALISTIC)
    _rank_all(session, clock, ids)
    round_id = session.get(Entry, ids[0]).round_id
    assert session.get(RoundSignalWeights, round_id) is None
    secretariat = make_user(session, role=Role.secretariat)
    for entry_id, row in zip(ids[:12], rows):
        themes.set_entry_themes(session, entry=session.get(Entry, entry_id), codes=row["themes"][:1], actor=secretariat,
                                source=TagSource.secretariat, now=clock.now)
    session.commit()
    clock.now += timedelta(minutes=1)
    run_jobs(session, now=clock.now)
    weights = session.get(RoundSignalWeights, round_id)
    tagger = themes.tagger_for(session, round_id, _MEMORY_EMBEDDINGS)
    outline, press, meaning = tagger.signal_weights()
    assert weights is not None and weights.examples == 12
    assert weights.press > press + 0.05 and weights.outline < outline - 0.05, (weights.outline, weights.press)
    assert _ranked_at(session, ids, clock.now) == set(ids)  # every work of the round, with the new weights
    _assert_stored_equals_fresh(session, ids)
    live = themes.live_examples(session, round_id=round_id, tagger=tagger)
    assert live.signal_weights_for(None).tolist() == [weights.outline, weights.press, weights.meaning]

    clock.now += timedelta(minutes=5)
    for entry_id in ids[:6]:  # six remain: too few to teach three weights
        themes.set_entry_themes(session, entry=session.get(Entry, entry_id), codes=[], actor=secretariat,
                                source=TagSource.secretariat, now=clock.now)
    session.commit()
    clock.now += timedelta(minutes=1)
    run_jobs(session, now=clock.now)
    session.expire_all()
    weights = session.get(RoundSignalWeights, round_id)
    assert (weights.outline, weights.press, weights.meaning, weights.examples) == (outline, press, meaning, 0)
    assert _ranked_at(session, ids, clock.now) == set(ids)
    _assert_stored_equals_fresh(session, ids)
    live = themes.live_examples(session, round_id=round_id, tagger=tagger)
    assert live.signal_weights_for(None).tolist() == [outline, press, meaning]
