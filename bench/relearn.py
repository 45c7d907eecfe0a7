"""The relearning pass at scale (job `round.relearn`, award.themes.relearn_round) and drafts that learn.

    .venv/bin/python -m bench.relearn [--works 25000] [--confirmed 0.1]

A fresh PostgreSQL database `bench_relearn` (migrated: round IX and its outline), N works of round IX with a
title and a summary each (recombined from the labelled rows of tests/data, as bench/tagging.py does), a tenth
of them confirmed on a theme by the secretariat, every work ranked (with learning) and stored; then one more
confirmation and the `round.relearn` job it queues, run as `award worker` runs it.

Work vectors are not computed by the model (25,000 works would take ~10 minutes of set-up): each work's
query vector is the normalised mean of the real e5 query vectors of the three labelled rows its text is
made of (title of one, sentences of two others) plus a little noise, stored in `embedding_cache` under the
key of its query text, so the application finds it there as it would a computed one. Nearest-neighbour
cosines come out as printed (`nn_cos`), in the range measured between real ledes.

Figures are ratios to a reference measured in the same run: `rank_once_s`, the time to rank the same works
once without learning (vectors cached, nothing stored). `full_pass_s` is what the relearning did before
issue 19's change (every work whose ranking predates the confirmation, ranked with learning, read in batches
of 32 as relearn_round did; nothing stored), `pass_s` the job now (reading, ranking what the confirmation
changed, storing it). The drafts row: the draft endpoint's ranking (title + summary, five themes, nothing
stored) with the round's confirmed works loaded, p50/p95 over `--drafts` texts new to the cache.
Nothing fails on a timing."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# the held-out file stays unread by anything but its measurement (README, Theme suggestions)
DATA = sorted(p for p in (ROOT / "tests" / "data").glob("tagging*.jsonl") if "heldout" not in p.name)
T0 = datetime(2024, 9, 10, 2, 0, tzinfo=UTC)  # the confirmations so far (round IX, themes may be curated)


def _rows() -> list[dict]:
    rows = []
    for path in DATA:
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("themes")]  # labelled rows: tagging_offtopic.jsonl's have no theme


def build(engine, *, works: int, confirmed: float, seed: int = 19) -> dict:
    """The round's works, their cached vectors, the confirmations so far; returns what the measure needs."""
    import numpy as np
    import sqlalchemy as sa
    from sqlmodel import Session, select

    from award import audit, embeddings, themes
    from award.embedding_cache import DbEmbeddingCache
    from award.models import EmbeddingCache, Entry, EntryTheme, OutlineNode, Role, Round, Unit, User

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    cache = DbEmbeddingCache(engine)
    with Session(engine) as s:
        round_ = s.exec(select(Round).where(Round.number == "IX")).one()
        tagger = themes.tagger_for(s, round_.id, cache)
        unit_id = s.exec(select(Unit.id).order_by(Unit.id)).first()
        owner = User(email="tacgia@bench.vn", full_name="Tác giả thử", password_hash="x", role=Role.journalist,
                     unit_id=unit_id, is_active=True)
        secretariat = User(email="bithu@bench.vn", full_name="Thư ký thử", password_hash="x", role=Role.secretariat,
                           is_active=True)
        s.add(owner)
        s.add(secretariat)
        s.commit()
        owner_id, secretariat_id, round_id = owner.id, secretariat.id, round_.id
        node_ids = dict(s.exec(select(OutlineNode.code, OutlineNode.id).where(OutlineNode.round_id == round_id)).all())
    themes.flush_cache(cache)
    codes = [u.code for u in tagger.units]
    rows = _rows()
    t = time.perf_counter()
    base = embeddings.embed([tagger.query_text(r["title"], r["text"]) for r in rows], "query")
    base_s = time.perf_counter() - t
    # Noise calibrated so the works' cosines to one another are those of real ledes (the mean of three rows'
    # vectors alone is closer to the others than any real lede)
    real = base @ base.T
    real_median = float(np.median(real[np.triu_indices(len(base), 1)]))
    picks = [rng.sample(range(len(rows)), 3) for _ in range(300)]
    mixed = np.vstack([0.5 * base[a] + 0.25 * base[b] + 0.25 * base[c] for a, b, c in picks])
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    mixed_median = float(np.median((mixed @ mixed.T)[np.triu_indices(len(mixed), 1)]))
    sigma = (max(mixed_median / real_median - 1.0, 0.0) / base.shape[1]) ** 0.5
    entries, vectors, labels = [], {}, {}
    for i in range(works):
        a, b, c = rng.sample(range(len(rows)), 3)
        sentences = [x.strip() for x in (rows[b]["text"] + " " + rows[c]["text"]).split(". ") if x.strip()]
        rng.shuffle(sentences)
        title = f"{rows[a]['title']} (kỳ {i + 1})"
        summary = ". ".join(sentences[: rng.randint(2, 4)]).rstrip(".") + "."
        vector = 0.5 * base[a] + 0.25 * base[b] + 0.25 * base[c]
        vector = vector / np.linalg.norm(vector) + nprng.normal(0, max(sigma, 0.004), base.shape[1])
        vectors[i] = (vector / np.linalg.norm(vector)).astype(np.float32)
        label = rows[a]["themes"][0] if rows[a]["round"] == "IX" and rows[a]["themes"][0] in codes else rng.choice(codes)
        labels[i] = label
        entries.append({"round_id": round_id, "unit_id": unit_id, "owner_id": owner_id, "title": title,
                        "title_folded": title.lower(), "media_type": "print", "genre": "phóng sự", "summary": summary,
                        "language": "vi", "hardship": False, "hardship_note": "", "prior_awards": [],
                        "transcript": "", "extracted_text": "", "status": "eligible", "version": 1,
                        "created_at": T0 - timedelta(days=30), "updated_at": T0 - timedelta(days=30),
                        "submitted_at": T0 - timedelta(days=30)})
    with engine.begin() as conn:
        ids = conn.execute(sa.insert(Entry.__table__).returning(Entry.__table__.c.id), entries).scalars().all()
        cached = {}
        for i, entry in enumerate(entries):
            key = embeddings.cache_key(tagger.query_text(entry["title"], entry["summary"]), "query")
            cached[key] = {"key": key, "model": embeddings.MODEL_NAME, "dim": embeddings.DIM,
                           "vector": vectors[i].tobytes()}
        rows_ = list(cached.values())
        for start in range(0, len(rows_), 2000):
            conn.execute(sa.insert(EmbeddingCache.__table__), rows_[start:start + 2000])
    chosen = sorted(rng.sample(range(works), int(works * confirmed)))
    with Session(engine) as s:
        s.execute(sa.insert(EntryTheme.__table__), [
            {"entry_id": ids[i], "outline_node_id": node_ids[labels[i]], "source": "secretariat",
             "confirmed_by": secretariat_id, "created_at": T0} for i in chosen])
        for i in chosen:
            audit.record(s, actor_id=secretariat_id, action="entry.themes", object_type="entry", object_id=ids[i],
                         now=T0, data={"codes": [labels[i]], "source": "secretariat"})
        s.commit()
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
    unconfirmed = [ids[i] for i in range(works) if i not in set(chosen)]
    return {"round_id": round_id, "ids": ids, "secretariat_id": secretariat_id, "labels": labels,
            "next": (rng.choice(unconfirmed), rng.choice(codes)), "base_embed_s": round(base_s, 1),
            "real_ledes_cos_p50": round(real_median, 3),
            "confirmed": len(chosen), "cache": cache, "tagger": tagger}


def _rank_all(engine, built: dict, *, learn: bool, store_at: datetime | None = None) -> float:
    """Every work ranked once (batches of 32, read as relearn_round reads them); stored at `store_at` if given
    (in bulk: the set-up, not what is measured)."""
    import sqlalchemy as sa
    from sqlmodel import Session, select

    from award import themes
    from award.models import Entry, ThemeSuggestion
    from award.tagging_units import TAGGER_VERSION

    tagger, ids = built["tagger"], built["ids"]
    t = time.perf_counter()
    with Session(engine) as s:
        examples = themes.learned_examples(s, round_id=built["round_id"], tagger=tagger, budget=None) if learn else None
        nodes = themes._node_ids(s, built["round_id"], include_retired=False)
        rows: list[dict] = []
        for start in range(0, len(ids), 32):
            chunk = s.exec(select(Entry).where(Entry.id.in_(ids[start:start + 32]))).all()
            results = tagger.suggest_many([themes.entry_text(e) for e in chunk], learned=examples,
                                          keys=[e.id for e in chunk])
            if store_at is not None:
                rows += [{"entry_id": entry.id, "outline_node_id": nodes[item.code], "rank": rank,
                          "score": float(item.score), "weak": result.weak, "computed_at": store_at,
                          "why": (item.why or "")[:500], "tagger_version": TAGGER_VERSION,
                          "off_outline": result.off_outline}
                         for entry, result in zip(chunk, results) for rank, item in enumerate(result.items, 1)]
        for start in range(0, len(rows), 5000):
            s.execute(sa.insert(ThemeSuggestion.__table__), rows[start:start + 5000])
        s.commit()
    return time.perf_counter() - t


def _nn_cos(built: dict, sample: int = 500) -> dict:
    """Median cosine of a work to its nearest and its tenth nearest other work, and to any other (500 works)."""
    import numpy as np

    from award.embeddings import cache_key

    tagger, cache = built["tagger"], built["cache"]
    m = np.vstack([cache.get(cache_key(tagger.query_text(title, summary), "query"))
                   for title, summary in built["vector_rows"][:sample]])
    sims = m @ m.T
    np.fill_diagonal(sims, -1)
    nearest = np.sort(sims, axis=1)[:, ::-1]
    return {"nn1_p50": round(float(np.median(nearest[:, 0])), 3), "nn10_p50": round(float(np.median(nearest[:, 9])), 3),
            "all_p50": round(float(np.median(sims[sims > -1])), 3)}


def measure(works: int, confirmed: float, drafts: int) -> dict:
    import logging

    from sqlmodel import Session, select

    import award.job_handlers  # noqa: F401  (registers the handlers)
    from award import jobs, themes
    from award.models import Entry, ThemeSuggestion, User
    from api.db import get_engine

    logging.disable(logging.INFO)
    engine = get_engine()
    t = time.perf_counter()
    built = build(engine, works=works, confirmed=confirmed)
    with Session(engine) as s:
        built["vector_rows"] = [(e.title, e.summary) for e in
                                s.exec(select(Entry).where(Entry.id.in_(built["ids"][:500]))).all()]
    build_s = time.perf_counter() - t
    t1 = T0 + timedelta(minutes=10)
    # the round's signal weights as the passes so far left them (award.themes.refit_signal_weights): the newest
    # 400 confirmed works' signals computed (cold: none is in this process yet) and fitted
    t = time.perf_counter()
    with Session(engine) as s:
        examples = themes.learned_examples(s, round_id=built["round_id"], tagger=built["tagger"], budget=None)
        fitted = themes.refit_signal_weights(s, round_id=built["round_id"], tagger=built["tagger"], examples=examples)
        refit_s = time.perf_counter() - t
        if fitted is not None:
            seen = set(themes.confirmations_seen(s, round_id=built["round_id"]))  # a pass that saw them all
            themes.store_relearned(s, round_id=built["round_id"], done=themes.RelearnPass([], seen, fitted), now=t1)
            s.commit()
    stored_s = _rank_all(engine, built, learn=True, store_at=t1)  # the rankings as the worker left them
    rank_once_s = _rank_all(engine, built, learn=False)  # the reference (vectors in memory, as for the others)
    full_pass_s = _rank_all(engine, built, learn=True)  # the pass before the change, without its writes

    # one more confirmation, and the job it queues, run as `award worker` runs it
    t2 = T0 + timedelta(minutes=20)
    entry_id, code = built["next"]
    with Session(engine) as s:
        themes.set_entry_themes(s, entry=s.get(Entry, entry_id), codes=[code], actor=s.get(User, built["secretariat_id"]),
                                source=themes.TagSource.secretariat, now=t2)
        s.commit()
    t3 = T0 + timedelta(minutes=21)
    t = time.perf_counter()
    report = jobs.run_due(engine, lambda: Session(engine, expire_on_commit=False), worker="bench", now=t3, limit=10,
                          services={"cache": built["cache"], "store": None})
    pass_s = time.perf_counter() - t
    with Session(engine) as s:
        reranked = s.exec(select(ThemeSuggestion.entry_id).where(ThemeSuggestion.computed_at == t3)
                          .distinct()).all()
    # a second pass with nothing new: what a job costs when the round has not changed since
    t = time.perf_counter()
    with Session(engine) as s:
        noop = themes.relearn_round(s, round_id=built["round_id"], cache=built["cache"])
    noop_s = time.perf_counter() - t

    result = {"works": works, "confirmed": built["confirmed"], "build_s": round(build_s, 1),
              "rank_once_s": round(rank_once_s, 2), "setup_rank_learned_s": round(stored_s, 2),
              "refit_cold_s": round(refit_s, 2), "weights": fitted,
              "full_pass_s": round(full_pass_s, 2), "pass_s": round(pass_s, 2), "pass_reranked": len(reranked),
              "noop_pass_s": round(noop_s, 2), "noop_reranked": len(noop.ranked),
              "full_pass_ratio": round(full_pass_s / rank_once_s, 2), "pass_ratio": round(pass_s / rank_once_s, 3),
              "jobs": {"done": report.done, "failed": report.failed},
              "cos": {**_nn_cos(built), "real_ledes_p50": built["real_ledes_cos_p50"]}}
    if drafts:
        result["drafts"] = _drafts(engine, built, drafts)
    return result


def _drafts(engine, built: dict, n: int) -> dict:
    """The draft endpoint's ranking in this process (as `api.suggestions.compute`, which the tagger service
    runs too), with and without the round's confirmed works, every text new to the cache."""
    from sqlmodel import Session

    from award import themes
    from award.tagging_units import EntryText
    from api import suggestions as live
    from bench.common import pct

    rows = _rows()
    rng = random.Random(7)
    times: dict[str, list[float]] = {"outline_only": [], "learned": []}
    for i in range(n):  # the two modes alternate, so a change of load on the machine weighs on both alike
        for mode in times:
            a, b = rng.sample(rows, 2)
            text = EntryText(f"{a['title']} (bản nháp {mode} {i})", b["text"][:600])  # new to the cache
            t = time.perf_counter()
            with Session(engine) as s:
                units = themes.round_units(s, built["round_id"])
                live.compute(units, round_id=built["round_id"], text=text, cache=built["cache"], limit=5,
                             transient=True, session=s if mode == "learned" else None)
            times[mode].append((time.perf_counter() - t) * 1000)
    out = {mode: {"p50_ms": round(pct(ts, 50), 1), "p95_ms": round(pct(ts, 95), 1), "max_ms": round(max(ts), 1)}
           for mode, ts in times.items()}
    return out


def run(*, works: int = 25000, confirmed: float = 0.1, drafts: int = 50) -> dict:
    """In a child process over a fresh database (as bench/scale.py), so the app's settings are the bench's."""
    from bench.common import app_env, fresh_database, migrate

    work = Path(tempfile.mkdtemp(prefix="bench-relearn-"))
    env = app_env(fresh_database("bench_relearn"), work, AWARD_STORAGE="local")
    migrate(env)
    out = work / "result.json"
    subprocess.run([sys.executable, "-m", "bench.relearn", "--child", str(out), "--works", str(works),
                    "--confirmed", str(confirmed), "--drafts", str(drafts)], env=env, cwd=ROOT, check=True)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=25000)
    parser.add_argument("--confirmed", type=float, default=0.1)
    parser.add_argument("--drafts", type=int, default=50)
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        result = measure(args.works, args.confirmed, args.drafts)
        args.child.write_text(json.dumps(result, ensure_ascii=False))
        return
    cores = len(os.sched_getaffinity(0))
    result = run(works=args.works, confirmed=args.confirmed, drafts=args.drafts)
    result["machine"] = {"cores": cores, "load_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
