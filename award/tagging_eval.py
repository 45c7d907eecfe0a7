"""Measure theme suggestions against labelled entries.

A row is ``{"round": "VIII", "title": ..., "text": ..., "themes": ["1.3", ...]}``
(``text`` is the summary; an optional ``body`` is the file's text).  ``themes``
are the acceptable codes of that round's outline: a row counts as a hit at rank
k when any acceptable code is among the first k suggestions.

    evaluate(rows, load_round_taggers()) -> {"n": 69, "top1": 0.8, "top3": 0.95, "mrr": 0.87}

``python -m award.tagging_eval FILE.jsonl [--detail] [--learn]`` prints that as one JSON
line (``--detail`` adds per-round figures and the misses; ``--learn`` runs leave-one-out within
each round, every other row counting as a confirmed work, and adds ``"learn": true``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping

from award.embeddings import EmbeddingCache, MemoryEmbeddingCache
from award.outline_parser import parse_outline
from award.reference import OUTLINE_DIR, OUTLINE_FILES
from award.tagging import DEFAULT_CONFIG, RoundTagger, TaggerConfig

__all__ = ["ROUND_FILES", "evaluate", "evaluate_detailed", "load_round_taggers", "load_rows"]

#: The shipped rounds' outlines (award/data/outlines/), by round numeral.
ROUND_FILES = OUTLINE_FILES


def _outline_text(filename: str) -> str:
    return (OUTLINE_DIR / filename).read_text(encoding="utf-8")


#: Used when no cache is given, so repeated calls in one process embed the
#: shipped outlines once.
_SHARED_CACHE = MemoryEmbeddingCache()


def load_round_taggers(
    cache: EmbeddingCache | None = None,
    config: TaggerConfig = DEFAULT_CONFIG,
    rounds: Iterable[str] | None = None,
    **kwargs: Any,
) -> dict[str, RoundTagger]:
    """A RoundTagger for each shipped round, parsed from award/data/outlines/.

    Without ``cache`` a process-wide in-memory one is used.
    """
    cache = cache if cache is not None else _SHARED_CACHE
    wanted = list(rounds) if rounds is not None else list(ROUND_FILES)
    return {
        name: RoundTagger.from_outline(
            parse_outline(_outline_text(ROUND_FILES[name])), cache=cache, config=config, **kwargs
        )
        for name in wanted
    }


def load_rows(path: str | Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                row = json.loads(line)
                if not row.get("themes"):
                    raise ValueError(f"{path}:{number}: a row needs at least one theme code")
                rows.append(row)
    return rows


def _ranks(rows: list[Mapping], taggers: Mapping[str, RoundTagger], learn: Any = False) -> list[int | None]:
    """1-based rank of the first acceptable code for each row (None: not ranked).

    ``learn`` (True or an ``award.tagging_learn.LearnConfig``): leave-one-out within each round,
    every other row of the round counting as a work confirmed (by its author) on its themes."""
    ranks: list[int | None] = [None] * len(rows)
    by_round: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_round.setdefault(str(row["round"]), []).append(i)
    for name, indexes in by_round.items():
        if name not in taggers:
            raise KeyError(f"no tagger for round {name!r}")
        entries = [
            (rows[i].get("title", ""), rows[i].get("text", rows[i].get("summary", "")), rows[i].get("body", ""))
            for i in indexes
        ]
        tagger = taggers[name]
        results = tagger.suggest_many(entries)
        if learn:
            from award.tagging_learn import DEFAULT_LEARN, ExampleSet

            config = DEFAULT_LEARN if learn is True else learn
            examples = ExampleSet(tagger, [r.vector for r in results], [rows[i]["themes"] for i in indexes],
                                  [1.0] * len(indexes), indexes, config, signals=[r.signals for r in results])
            results = tagger.suggest_many(entries, learned=examples, keys=indexes)
        for i, result in zip(indexes, results):
            good = set(rows[i]["themes"])
            ranks[i] = next((k for k, code in enumerate(result.codes, start=1) if code in good), None)
    return ranks


def _summary(ranks: list[int | None]) -> dict:
    n = len(ranks)
    if not n:
        return {"n": 0, "top1": 0.0, "top3": 0.0, "mrr": 0.0}
    return {
        "n": n,
        "top1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "top3": round(sum(1 for r in ranks if r is not None and r <= 3) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
    }


def evaluate(rows: Iterable[Mapping], taggers: Mapping[str, RoundTagger], learn: Any = False) -> dict:
    """{"n", "top1", "top3", "mrr"} of the taggers' suggestions over ``rows``; with ``learn`` also
    ``"learn": true`` (leave-one-out, see :func:`_ranks`)."""
    out = _summary(_ranks(list(rows), taggers, learn))
    if learn:
        out["learn"] = True
    return out


def evaluate_detailed(rows: Iterable[Mapping], taggers: Mapping[str, RoundTagger], learn: Any = False) -> dict:
    """:func:`evaluate` plus per-round figures and the rows not ranked first."""
    rows = list(rows)
    ranks = _ranks(rows, taggers, learn)
    out = _summary(ranks)
    if learn:
        out["learn"] = True
    rounds = sorted({str(r["round"]) for r in rows})
    out["by_round"] = {
        name: _summary([rank for row, rank in zip(rows, ranks) if str(row["round"]) == name])
        for name in rounds
    }
    out["misses"] = [
        {"round": row["round"], "title": row["title"], "themes": row["themes"], "rank": rank}
        for row, rank in zip(rows, ranks)
        if rank != 1
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    detail = "--detail" in args
    learn = "--learn" in args
    paths = [a for a in args if not a.startswith("--")]
    if len(paths) != 1:
        print("usage: python -m award.tagging_eval FILE.jsonl [--detail] [--learn]", file=sys.stderr)
        return 2
    rows = load_rows(paths[0])
    taggers = load_round_taggers(rounds=sorted({str(r["round"]) for r in rows}))
    result = evaluate_detailed(rows, taggers, learn) if detail else evaluate(rows, taggers, learn)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
