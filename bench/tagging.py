"""Theme-suggestion timings: build, one entry's latency, batch re-tag throughput.

    .venv/bin/python bench/tagging.py [--entries 2500] [--latency 50]

Prints plain numbers; nothing fails on timings.  "cold" = no cached embedding for
the text (the model runs), "warm" = the vector comes from the cache (what a
re-tag after an outline change, or a second process with the database cache,
sees).  Synthetic entries recombine the labelled eval rows of the same round
(title of one, summary sentences of others, a running number), so every text is
new to the cache.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from award import embeddings  # noqa: E402
from award.embeddings import MemoryEmbeddingCache  # noqa: E402
from award.tagging import DEFAULT_CONFIG, EntryText  # noqa: E402
from award.tagging_eval import load_round_taggers, load_rows  # noqa: E402

EVAL = ROOT / "tests" / "data" / "tagging_eval.jsonl"


def synthetic(rows: list[dict], n: int, seed: int = 7, body_words: int = 0) -> list[tuple[str, EntryText]]:
    rng = random.Random(seed)
    by_round: dict[str, list[dict]] = {}
    for row in rows:
        by_round.setdefault(row["round"], []).append(row)
    names = sorted(by_round)
    out = []
    for i in range(n):
        name = names[i % len(names)]
        pool = by_round[name]
        a, b, c = rng.sample(pool, 3)
        sentences = [s.strip() for s in (b["text"] + " " + c["text"]).split(". ") if s.strip()]
        rng.shuffle(sentences)
        summary = ". ".join(sentences[: rng.randint(2, 4)]).rstrip(".") + "."
        title = f"{a['title']} (kỳ {i + 1})"
        body = ""
        if body_words:  # the file's text: sentences of the round's other rows, shuffled, until long enough
            words: list[str] = [f"Kỳ {i + 1}."]
            while len(words) < body_words:
                words += rng.choice(pool)["text"].split()
            body = " ".join(words[:body_words])
        out.append((name, EntryText(title, summary, body)))
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2500)
    parser.add_argument("--latency", type=int, default=50)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--no-service", action="store_true", help="skip the tagger service rows (needs PostgreSQL)")
    parser.add_argument("--query-syllables", type=int, default=None,
                        help="override TaggerConfig.query_max_syllables (speed/quality knob)")
    parser.add_argument("--body-words", type=int, default=1500,
                        help="words of extracted text per synthetic work (read in chunks); 0: title and summary only")
    args = parser.parse_args()
    run(entries=args.entries, latency=args.latency, batch=args.batch, query_syllables=args.query_syllables,
        body_words=args.body_words, service=not args.no_service)


def run(*, entries: int = 2500, latency: int = 50, batch: int = 32, query_syllables: int | None = None,
        body_words: int = 1500, service: bool = True) -> dict:
    """Prints as it goes and returns the figures (bench/run.py puts them in the report)."""
    config = DEFAULT_CONFIG
    if query_syllables:
        config = dataclasses.replace(config, query_max_syllables=query_syllables)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {platform.processor() or platform.machine()}, cores={cores}, "
          f"load={os.getloadavg()[0]:.2f}, python={platform.python_version()}")
    print(f"model: {embeddings.MODEL_NAME}")

    t = time.perf_counter()
    embeddings.embed(["khởi động"], "query")
    model_load_s = time.perf_counter() - t
    print(f"model load + first call: {model_load_s:.2f} s")

    cache = MemoryEmbeddingCache()
    t = time.perf_counter()
    taggers = load_round_taggers(cache=cache, config=config)
    cold_build = time.perf_counter() - t
    t = time.perf_counter()
    load_round_taggers(cache=cache, config=config)
    warm_build = time.perf_counter() - t
    units = {name: len(tg.units) for name, tg in taggers.items()}
    passages = len(cache)
    print(f"build 4 rounds {units}, {passages} passages: cold {cold_build:.1f} s, warm (cached) {warm_build * 1000:.0f} ms")

    rows = load_rows(EVAL)
    texts = synthetic(rows, entries + 2 * latency, body_words=body_words)
    print(f"works: title, summary and {body_words} words of extracted text each")
    latency_set, live_set, batch_set = texts[:latency], texts[latency:2 * latency], texts[2 * latency:]

    cold, warm = [], []
    for name, entry in latency_set:
        t = time.perf_counter()
        taggers[name].suggest(entry.title, entry.summary, entry.body)
        cold.append((time.perf_counter() - t) * 1000)
    for name, entry in latency_set:
        t = time.perf_counter()
        taggers[name].suggest(entry.title, entry.summary, entry.body)
        warm.append((time.perf_counter() - t) * 1000)
    print(f"suggest one entry, {len(cold)} entries: cold p50 {pct(cold, 50):.0f} ms, p95 {pct(cold, 95):.0f} ms, "
          f"max {max(cold):.0f} ms; warm p50 {pct(warm, 50):.1f} ms, p95 {pct(warm, 95):.1f} ms")

    live = live_suggestions(taggers, live_set, cache) if service else {}

    def retag() -> float:
        by_round: dict[str, list[EntryText]] = {}
        for name, entry in batch_set:
            by_round.setdefault(name, []).append(entry)
        t = time.perf_counter()
        for name, items in by_round.items():  # as the worker's re-tag (award.themes.retag_round) asks
            batches = (items[start:start + batch] for start in range(0, len(items), batch))
            for _ in taggers[name].suggest_batches(batches, text=lambda entry: entry):
                pass
        return time.perf_counter() - t

    cold_s = seconds = retag()
    n = len(batch_set)
    print(f"re-tag {n} entries cold (batches of {batch}, model beside the rest): {seconds:.1f} s = {n / seconds:.1f} entries/s")
    warm_s = seconds = retag()
    print(f"re-tag {n} entries warm (vectors cached): {seconds:.2f} s = {n / seconds:.0f} entries/s")
    words = statistics.mean(len(taggers[nm].query_text(e.title, e.summary).split()) for nm, e in batch_set)
    print(f"mean query length embedded: {words:.0f} syllables (cap {next(iter(taggers.values())).config.query_max_syllables})")
    return {"one_entry_cold_p50_ms": round(pct(cold, 50), 1), "one_entry_cold_p95_ms": round(pct(cold, 95), 1),
            "one_entry_warm_p50_ms": round(pct(warm, 50), 1), "one_entry_warm_p95_ms": round(pct(warm, 95), 1),
            "retag_entries": n, "retag_cold_s": round(cold_s, 1), "retag_warm_s": round(warm_s, 2),
            "retag_cold_per_s": round(n / cold_s, 1), "model_load_s": round(model_load_s, 2),
            "body_words": body_words, **live}


def live_suggestions(taggers: dict, texts: list[tuple[str, EntryText]], cache) -> dict:
    """What the entry form asks while someone types (title + summary, five themes, nothing stored), one work
    at a time, every text new to the cache: through the tagger service (`award tagging serve` as its own
    process, over HTTP on the loopback, as a lean web process asks it) and computed in this process."""
    import shutil
    import subprocess
    import tempfile

    from api.suggestions import TaggerClient, compute
    from bench.common import VENV_BIN, app_env, free_port, fresh_database, migrate, wait_http

    round_ids = {name: i for i, name in enumerate(sorted(taggers), start=1)}
    work = Path(tempfile.mkdtemp(prefix="bench-tagger-"))
    env = app_env(fresh_database("bench_tagger"), work)
    migrate(env)
    port = free_port()
    log = open(work / "tagger.log", "wb")
    proc = subprocess.Popen([str(VENV_BIN / "award"), "tagging", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        t = time.perf_counter()
        wait_http(f"http://127.0.0.1:{port}/health")
        start_s = time.perf_counter() - t
        client = TaggerClient(f"http://127.0.0.1:{port}", timeout=60)
        t = time.perf_counter()
        for name, tagger in taggers.items():  # the service builds each round's tagger on its first request
            client.suggest(round_id=round_ids[name], units=tagger.units, text=EntryText("khởi động"), limit=5,
                           transient=True)
        build_s = time.perf_counter() - t
        remote = []
        for name, entry in texts:
            t = time.perf_counter()
            client.suggest(round_id=round_ids[name], units=taggers[name].units, text=entry, limit=5, transient=True)
            remote.append((time.perf_counter() - t) * 1000)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    local = []
    for name, entry in texts:
        t = time.perf_counter()
        compute(taggers[name].units, round_id=round_ids[name], text=entry, cache=cache, limit=5, transient=True)
        local.append((time.perf_counter() - t) * 1000)
    print(f"live suggestion (typing), {len(texts)} works: via tagger service p50 {pct(remote, 50):.0f} ms, "
          f"p95 {pct(remote, 95):.0f} ms; in-process p50 {pct(local, 50):.0f} ms, p95 {pct(local, 95):.0f} ms "
          f"(service start {start_s:.1f} s, first request per round {build_s:.1f} s for {len(taggers)} rounds)")
    return {"live_service_p50_ms": round(pct(remote, 50), 1), "live_service_p95_ms": round(pct(remote, 95), 1),
            "live_local_p50_ms": round(pct(local, 50), 1), "live_local_p95_ms": round(pct(local, 95), 1),
            "live_n": len(texts), "service_start_s": round(start_s, 1), "service_first_requests_s": round(build_s, 1)}


if __name__ == "__main__":
    main()
