"""Theme suggestions that learn from confirmed works (kNN over work embeddings).

Every theme confirmed on a work (table ``entry_theme``: who set it is ``source``, author or
secretariat, and ``confirmed_by``; the ``entry.themes`` audit row keeps the history) is a labelled
example.  For another work, the nearest confirmed works vote for their themes::

    examples = ExampleSet(tagger, vectors, codes, weights, keys)   # vectors: (m, 384) e5 query vectors
    tagger.suggest(title, summary, body, learned=examples, key=own_key)

How the votes are made (:meth:`ExampleSet.scores`)
--------------------------------------------------
The work's e5 query vector (what :class:`award.tagging.RoundTagger` embeds anyway: title and the
start of the summary) is compared by cosine with every example's; each of the ``k`` = 5 nearest
(its own row left out; 10 until the second realistic development file: there the tenth-nearest stories, on other
themes, cost a row at top-1 that 5 or 3 do not, with top-3 and the tests' behaviour unchanged) has strength
``s = w·exp((cos − 1)/T)``, T = 0.03, ``w`` being the example's
weight: a secretariat's correction counts ``SECRETARIAT_WEIGHT`` = 2, the author's own choice 1, a
confirmed work of one of the three earlier rounds ``past_weight`` = 0.5 (its theme mapped, below).
A unit gets ``weight · Σ s (neighbours confirmed on it) / (1 + Σ s)``, weight = 5 (2 until the example press
pieces joined the outline signals in December 2026: three z-scored signals instead of two spread the sum wider,
and eight confirmed copies of a work no longer lifted its third theme to first below 4; below 5 once the pieces
doubled and weighed 1.25),
added to the tagger's z-scored outline signals before the final scaling: a near-duplicate that was
confirmed moves its theme up by about two standard deviations, eight of them by nearly four, while
works merely on the same subject (e5 cosines 0.82-0.88 whatever the theme, measured on the dev
files) add next to nothing - on the dev files they carried no signal, so the votes are kept sharp.
A retracted confirmation is a deleted ``entry_theme`` row: it is simply not read again
(:func:`round_examples` reads the rows on every call).

Across rounds, a past round's unit is mapped to this round's unit whose text is closest (cosine of
the means of the units' title and point vectors, centred over both outlines, at least
``map_min_cos`` = 0.15, see :func:`map_units`); a past unit with no close unit is dropped.

How much each signal counts (:func:`fit_signal_weights`)
-------------------------------------------------------
The round's confirmed works also set the weights of the tagger's three signals (the outline's words, the example
pieces' words, meaning: ``award.tagging.SIGNALS``): those that best rank their themes first, kept near the
tagger's own.  The worker fits them for the round and stores them (``award.themes.refit_signal_weights``); an
``ExampleSet`` carries them (``signal_weights``), or each example's signals to fit them here leaving out the work
ranked (the eval's leave-one-out).

Tuned on ``tests/data/tagging_dev.jsonl`` and ``tagging_realistic_dev.jsonl`` (leave-one-out within each round:
``award tagging eval FILE --learn``), the weights' penalty on the second realistic file too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Sequence

import numpy as np

__all__ = ["LearnConfig", "ExampleSet", "fit_signal_weights", "SECRETARIAT_WEIGHT", "AUTHOR_WEIGHT", "map_units",
           "round_examples", "unit_vectors", "round_work_vectors", "touched_by"]

SECRETARIAT_WEIGHT = 2.0
AUTHOR_WEIGHT = 1.0
SOURCE_WEIGHTS = {"secretariat": SECRETARIAT_WEIGHT, "author": AUTHOR_WEIGHT}


@dataclass(frozen=True)
class LearnConfig:
    k: int = 5
    temperature: float = 0.03
    weight: float = 5.0
    past_weight: float = 0.5
    map_min_cos: float = 0.15
    # A confirmed work is named as one the work resembles ("giống 2 tác phẩm đã xác nhận chủ đề 2.3") only from
    # this cosine: e5 puts a lede's nearest *other* story at 0.90 (median) to 0.92 (9 in 10) of the labelled
    # ledes, the same story retold at ~0.97, a rice-harvest story 0.80. Below it the vote is small and unnamed.
    resemble_cos: float = 0.94
    # How firmly a round's signal weights keep to the tagger's own (fit_signal_weights: the L2 penalty on their
    # change, against the summed log-likelihood of its confirmed works' themes). Chosen on the two realistic
    # development files and tagging_dev.jsonl (leave-one-out, votes included; top-1 at 1 / 3 / 10: realistic dev
    # 0.892 / 0.900 / 0.892 against 0.883, the second 0.900 / 0.892 / 0.867 against 0.842, tagging_dev
    # 0.962 / 0.981 / 0.981 against 0.981).
    weight_prior: float = 3.0
    # Below this many confirmed works of its own a round keeps the tagger's weights; above the cap, the newest
    # are fitted (three numbers need no more, and the fit stays ~0.2 s: 1,000 steps over 400 works).
    weight_min_examples: int = 8
    weight_max_examples: int = 400


DEFAULT_LEARN = LearnConfig()


def unit_vectors(tagger: Any) -> np.ndarray:
    """(units, 384): each unit's mean title-and-points vector, L2-normalised."""
    out = np.zeros((len(tagger.units), tagger._passages.shape[1]), dtype=np.float32)
    np.add.at(out, tagger._owner, tagger._passages)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def map_units(past: Any, current: Any, min_cos: float = DEFAULT_LEARN.map_min_cos) -> dict[str, tuple[str, float]]:
    """past unit code -> (closest current unit code, cosine), for cosines >= ``min_cos``.

    The units' vectors are centred first (the mean over both outlines removed): e5 puts every theme
    of these outlines within 0.92-0.95 of every other, so raw cosines cannot tell a match from a
    miss; centred, a theme carried over to the next round scores 0.2-0.65 and an unrelated one
    below 0.1 (rounds VII -> VIII)."""
    a, b = unit_vectors(past), unit_vectors(current)
    mean = np.vstack([a, b]).mean(axis=0)
    a, b = a - mean, b - mean
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-9)
    b /= np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-9)
    sims = a @ b.T
    out = {}
    for i, unit in enumerate(past.units):
        j = int(np.argmax(sims[i]))
        if sims[i, j] >= min_cos:
            out[unit.code] = (current.units[j].code, float(sims[i, j]))
    return out


def fit_signal_weights(signals: np.ndarray, labels: np.ndarray, prior: np.ndarray, *,
                       strength: float = DEFAULT_LEARN.weight_prior, sample_weights: np.ndarray | None = None,
                       steps: int = 1000) -> np.ndarray:
    """(3,): the weights of a round's three signals (award.tagging.SIGNALS) that best rank its confirmed works'
    themes first, kept near ``prior`` (the tagger's own weights).

    ``signals``: (m, 3, units), each confirmed work's ``SuggestionResult.signals``; ``labels``: (m, units),
    True on its confirmed themes; ``sample_weights``: (m,), a secretariat correction counting double.
    Maximises Σ sample_weight · log P(a confirmed theme), P = softmax over units of a · (w · signals), minus
    ``strength`` · |w − prior|² (a: a free scale, so that only the ratio of the weights is taught; Σ w stays
    Σ prior), by gradient ascent from ``prior`` (``steps`` steps, deterministic; 300 left the fit short of its
    optimum by up to 0.1 at strength 1).  Works in press words lean on the
    example pieces' index (realistic development ledes, per round: outline 0.55-0.97, pieces 1.5-1.84, meaning
    0.38-0.86 against 1 / 1.25 / 0.75), works in the outline's words keep nearly the prior (tagging_dev.jsonl:
    within 0.15)."""
    signals = np.asarray(signals, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    prior = np.asarray(prior, dtype=np.float64)
    keep = labels.any(axis=1)
    signals, labels = signals[keep], labels[keep]
    m = len(signals)
    if not m:
        return prior.copy()
    sw = np.ones(m) if sample_weights is None else np.asarray(sample_weights, dtype=np.float64)[keep]
    # A signal absent from every work (a new outline has no example pieces) keeps its weight; the others keep
    # their sum, so that the weights share out the ranking rather than shrink or grow it against the nearest
    # works' votes, which are added on their own scale (a random labelling would otherwise halve all three).
    active = np.abs(signals).sum(axis=(0, 2)) > 0
    rate = 0.05 / m
    log_scale, delta = 0.0, np.zeros_like(prior)
    for _ in range(steps):
        scale = np.exp(log_scale)
        fused = scale * np.einsum("s,msu->mu", prior + delta, signals)
        shifted = fused - fused.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        q = p * labels
        q /= q.sum(axis=1, keepdims=True)
        g = (q - p) * sw[:, None]  # d log P(confirmed) / d fused, per work and unit
        delta += rate * (scale * np.einsum("mu,msu->s", g, signals) - 2.0 * strength * delta)
        delta[~active] = 0.0
        delta[active] -= delta[active].mean()
        log_scale += rate * float(np.einsum("mu,mu->", g, fused))
    return prior + delta


class ExampleSet:
    """Confirmed works of (and mapped onto) one round's units.

    ``codes[i]``: example i's confirmed codes in *this* round's units (unknown codes are ignored);
    ``weights[i]``: its weight (source, past round); ``keys[i]``: what identifies it (entry id, row
    number) so that a work is never its own neighbour."""

    def __init__(self, tagger: Any, vectors: np.ndarray, codes: Sequence[Sequence[str]],
                 weights: Sequence[float], keys: Sequence[Hashable],
                 config: LearnConfig = DEFAULT_LEARN, *, signals: Sequence[np.ndarray | None] | None = None,
                 signal_weights: np.ndarray | None = None) -> None:
        index = {u.code: j for j, u in enumerate(tagger.units)}
        self.config = config
        self.n_units = len(tagger.units)
        self.keys = list(keys)
        self.vectors = np.asarray(vectors, dtype=np.float32).reshape(len(self.keys), -1) if self.keys \
            else np.zeros((0, 384), dtype=np.float32)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.labels = np.zeros((len(self.keys), self.n_units), dtype=np.float32)
        for i, cs in enumerate(codes):
            for code in cs:
                if code in index:
                    self.labels[i, index[code]] = 1.0
        self._position = {key: i for i, key in enumerate(self.keys)}
        self.left_out = 0
        self.prior = tagger.signal_weights()
        # Either the round's weights as the worker last fitted and stored them (award.themes), the same for every
        # work, or each example's signals (None: not one of the round's own works) to fit them here, leaving out
        # the work being ranked (award tagging eval --learn)
        self.stored_weights = None if signal_weights is None else np.asarray(signal_weights, dtype=np.float64)
        self.signals = list(signals) if signals is not None else None
        self._fitted: dict[Hashable, np.ndarray | None] = {}
        self.own: set[Hashable] = set(self.keys)  # the keys of the round's own works (round_examples: not the past's)

    def __len__(self) -> int:
        return len(self.keys)

    def fit_weights(self, exclude: Hashable | None = None,
                    signals: Sequence[np.ndarray | None] | None = None) -> np.ndarray | None:
        """(3,) signal weights fitted on the examples' own signals (``signals``, aligned with the keys, default
        those given at construction; :func:`fit_signal_weights`; ``exclude`` left out, the newest
        ``weight_max_examples`` at most), or None with fewer than ``weight_min_examples``."""
        cfg = self.config
        signals = self.signals if signals is None else list(signals)
        if signals is None:
            return None
        rows = [i for i, sig in enumerate(signals)
                if sig is not None and self.labels[i].any() and self.keys[i] != exclude][-cfg.weight_max_examples:]
        if len(rows) < cfg.weight_min_examples:
            return None
        return fit_signal_weights(np.stack([signals[i] for i in rows]), self.labels[rows] > 0, self.prior,
                                  strength=cfg.weight_prior, sample_weights=self.weights[rows])

    def signal_weights_for(self, key: Hashable | None = None) -> np.ndarray | None:
        """The weights of the three signals to rank work ``key`` with: the stored ones, else fitted here
        without the work itself (None: the tagger's own)."""
        if self.stored_weights is not None:
            return self.stored_weights
        if self.signals is None:
            return None
        own = key if key in self._position else None
        if own not in self._fitted:
            self._fitted[own] = self.fit_weights(own)
        return self._fitted[own]

    def scores(self, vector: np.ndarray, exclude: Hashable | None = None) -> tuple[np.ndarray, list[int]]:
        """(values to add per unit, how many of the nearest works confirmed each unit among those it resembles:
        cosine ≥ ``resemble_cos``)."""
        cfg = self.config
        zeros = np.zeros(self.n_units, dtype=np.float32)
        if not len(self.keys):
            return zeros, [0] * self.n_units
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        usable = self.labels.any(axis=1)
        if exclude is not None and exclude in self._position:
            usable = usable.copy()
            usable[self._position[exclude]] = False
        m = int(usable.sum())
        if not m:
            return zeros, [0] * self.n_units
        sims = np.where(usable, sims, -np.inf)
        near = np.argsort(-sims, kind="stable")[: min(cfg.k, m)]
        strength = self.weights[near] * np.exp((np.minimum(sims[near], 1.0) - 1.0) / cfg.temperature)
        votes = strength @ self.labels[near]
        alike = near[sims[near] >= cfg.resemble_cos]  # the why names only works it really resembles
        counts = (self.labels[alike] > 0).sum(axis=0).astype(int).tolist()
        return (cfg.weight * votes / (1.0 + float(strength.sum()))).astype(np.float32), counts


# --------------------------------------------------------------------------
# From the database
# --------------------------------------------------------------------------

PAST_ROUNDS = 3  # earlier rounds whose confirmed works count, newest first
#: Characters of each text field read for a work's query text: enough for its first
#: ``TaggerConfig.query_max_syllables`` words (the query embeds no more).
HEAD_CHARS = 400


#: (query cut, title, heads of summary, transcript, extracted text) -> vector: a work read before is
#: not re-cut and re-hashed on every suggestion (2,500 confirmed works cost ~100 ms of Python that way).
_memo: dict[tuple, np.ndarray] = {}
_memo_lock = threading.Lock()
MAX_MEMO = 50_000


def _work_vectors(tagger, heads: dict[int, tuple], budget: int | None) -> tuple[dict[int, np.ndarray], int]:
    """entry id -> e5 query vector of its query text (``tagger.query_text``), from the work's
    (title, summary, transcript, extracted text) heads.

    A vector is found in this process's memo, else by its text in the tagger's cache (memory, then
    the database); at most ``budget`` missing ones are computed per call (None: all), so that one
    page view stays fast; the others are read on a later call (a re-tag computes them all). Also returns
    how many were left out that way."""
    from award import embeddings

    cut = tagger.config.query_max_syllables
    cache = tagger.cache
    out: dict[int, np.ndarray] = {}
    texts: dict[int, str] = {}
    with _memo_lock:
        for entry_id, head in heads.items():
            hit = _memo.get((cut,) + head)
            if hit is not None:
                out[entry_id] = hit
    for entry_id, (title, summary, transcript, extracted) in heads.items():
        if entry_id in out:
            continue
        body = "\n".join(t for t in (transcript, extracted) if t)
        text = tagger.query_text(title, summary or "", body)
        if not text.strip():
            continue
        texts[entry_id] = text
    if texts and cache is not None:  # one query per 500 keys where the cache can (DbEmbeddingCache.get_many)
        keys = {e: embeddings.cache_key(t, "query") for e, t in texts.items()}
        get_many = getattr(cache, "get_many", None)
        hits = get_many(list(keys.values())) if get_many is not None else {
            k: v for k in keys.values() if (v := cache.get(k)) is not None}
        for entry_id, key in keys.items():
            if key in hits:
                out[entry_id] = hits[key]
                del texts[entry_id]
    missing = list(texts)
    left = 0
    if budget is not None:
        left = max(len(missing) - budget, 0)
        missing = missing[:budget]
    if missing:
        vectors = embeddings.embed_cached([texts[e] for e in missing], "query", cache, tagger._embedder)
        out.update(zip(missing, vectors))
    with _memo_lock:
        for entry_id, vector in out.items():
            _memo.setdefault((cut,) + heads[entry_id], vector)
        while len(_memo) > MAX_MEMO:
            _memo.pop(next(iter(_memo)))
    return out, left


def round_examples(session, *, round_id: int, tagger, tagger_for: Callable[[int], Any] | None = None,
                   budget: int | None = 32, config: LearnConfig = DEFAULT_LEARN,
                   signal_weights: np.ndarray | None = None) -> ExampleSet:
    """The confirmed works of the round and of its ``PAST_ROUNDS`` predecessors, as examples for
    ``tagger`` (the round's).  Reads ``entry_theme`` on every call: a new confirmation counts at
    once and a retracted one no more.  ``tagger_for(round_id)`` gives a past round's tagger (to
    map its themes); without it only the round's own works count.  Keys are entry ids; ``own`` the keys of
    the round's own works.  ``signal_weights``: the round's stored weights of the tagger's signals (None: its own)."""
    from sqlalchemy import func
    from sqlmodel import select

    from award.models import Entry, EntryTheme, OutlineNode

    round_ids = example_rounds(session, round_id) if tagger_for is not None else [round_id]
    head = [func.substr(c, 1, HEAD_CHARS) for c in (Entry.summary, Entry.transcript, Entry.extracted_text)]
    rows = session.exec(
        select(EntryTheme.entry_id, OutlineNode.code, EntryTheme.source, Entry.round_id, Entry.title, *head)
        .join(OutlineNode, OutlineNode.id == EntryTheme.outline_node_id)
        .join(Entry, Entry.id == EntryTheme.entry_id)
        .where(Entry.round_id.in_(round_ids))
        .order_by(Entry.round_id.desc(), EntryTheme.entry_id)).all()
    per_entry: dict[int, dict] = {}
    for entry_id, code, source, rid, title, summary, transcript, extracted in rows:
        if entry_id not in per_entry:
            per_entry[entry_id] = {"round": rid, "codes": [], "weight": 0.0,
                                   "head": (title or "", summary or "", transcript or "", extracted or "")}
        item = per_entry[entry_id]
        item["codes"].append(code)
        item["weight"] = max(item["weight"], SOURCE_WEIGHTS.get(str(getattr(source, "value", source)), 1.0))
    # the round's own works first, so a small budget is spent on them
    vectors, left = _work_vectors(tagger, {e: v["head"] for e, v in per_entry.items()}, budget)
    maps: dict[int, dict[str, tuple[str, float]]] = {}
    keys, codes, weights, vecs = [], [], [], []
    for entry_id, item in per_entry.items():
        if entry_id not in vectors:
            continue
        weight = item["weight"]
        entry_codes = item["codes"]
        if item["round"] != round_id:
            if item["round"] not in maps:
                past = tagger_for(item["round"]) if tagger_for is not None else None
                maps[item["round"]] = map_units(past, tagger, config.map_min_cos) if past is not None else {}
                # (a past round without an outline maps nothing)
            mapping = maps[item["round"]]
            mapped = [mapping[c] for c in entry_codes if c in mapping]
            if not mapped:
                continue
            entry_codes = [c for c, _ in mapped]
            weight *= config.past_weight
        keys.append(entry_id)
        codes.append(entry_codes)
        weights.append(weight)
        vecs.append(vectors[entry_id])
    matrix = np.vstack(vecs) if vecs else np.zeros((0, 384), dtype=np.float32)
    examples = ExampleSet(tagger, matrix, codes, weights, keys, config, signal_weights=signal_weights)
    examples.own = {e for e in keys if per_entry[e]["round"] == round_id}
    examples.left_out = left  # confirmed works whose vector the budget left to a later call
    return examples


def example_rounds(session, round_id: int) -> list[int]:
    """The rounds whose confirmed works teach round ``round_id``: itself, then its ``PAST_ROUNDS``
    predecessors (by id, newest first)."""
    from sqlmodel import select

    from award.models import Round

    return [round_id] + list(session.exec(select(Round.id).where(Round.id < round_id)
                                          .order_by(Round.id.desc()).limit(PAST_ROUNDS)).all())


def learning_rounds(session, round_id: int) -> list[int]:
    """The rounds a confirmation on a work of round ``round_id`` teaches (those whose
    :func:`example_rounds` include it): itself and the ``PAST_ROUNDS`` rounds after it, oldest first."""
    from sqlmodel import select

    from award.models import Round

    return [round_id] + list(session.exec(select(Round.id).where(Round.id > round_id)
                                          .order_by(Round.id).limit(PAST_ROUNDS)).all())


def round_work_vectors(session, *, round_id: int, tagger, entry_ids: Sequence[int] = ()) -> dict[int, np.ndarray]:
    """entry id -> e5 query vector of every work of the round, and of the works ``entry_ids`` (of any
    round), from this process's memo, else the embedding cache in one query per 500 works; computed by
    the model only for works never ranked."""
    from sqlalchemy import func, or_
    from sqlmodel import select

    from award.models import Entry

    head = [func.substr(c, 1, HEAD_CHARS) for c in (Entry.summary, Entry.transcript, Entry.extracted_text)]
    which = Entry.round_id == round_id
    if entry_ids:
        which = or_(which, Entry.id.in_(list(entry_ids)))
    rows = session.exec(select(Entry.id, Entry.title, *head).where(which)).all()
    heads = {entry_id: (title or "", s or "", t or "", x or "") for entry_id, title, s, t, x in rows}
    return _work_vectors(tagger, heads, None)[0]


#: A cosine this much below a work's k-th nearest confirmed work still counts as "among the nearest":
#: the matrix product below and ExampleSet.scores round differently.
COS_SLACK = 1e-5


def touched_by(examples: ExampleSet, vectors: dict[int, np.ndarray], changed: dict[int, float],
               ranked_at: dict[int, float], *, chunk: int = 4096) -> set[int]:
    """The works whose learned votes may differ from those their stored ranking was made with.

    ``vectors``: entry id -> query vector of every work considered; ``changed``: entry id -> when its
    themes were last confirmed or retracted; ``ranked_at``: entry id -> when the work's stored ranking
    was computed (both as POSIX seconds; works with no ranking are not asked about). A work W's votes
    come from its ``k`` nearest usable examples (itself left out); a change on work C alters them only if
    C is among them now, or would be were it confirmed again (a retraction: C was among them before).
    So W is touched iff some C changed at or after W's ranking and cos(W, C) ≥ the k-th largest cosine
    between W and the usable examples (−∞ with fewer than k). Exact, no tolerance on the vote strength:
    after several changes, if none of them is among W's nearest now, W's nearest are unchanged works that
    were its nearest before as well (the removed ones ranked below them, the added ones too).
    One matrix product of the works by the examples, in chunks of ``chunk`` works."""
    cfg = examples.config
    changed_ids = [c for c in changed if c in vectors]
    if not changed_ids:
        return set()
    latest = max(changed[c] for c in changed_ids)
    candidates = [e for e, at in ranked_at.items() if e in vectors and at <= latest]
    if not candidates:
        return set()
    usable = examples.labels.any(axis=1) if len(examples) else np.zeros(0, dtype=bool)
    ex_vectors = examples.vectors[usable]
    ex_position = {key: i for i, key in enumerate(k for k, u in zip(examples.keys, usable) if u)}
    m, k = len(ex_position), cfg.k
    changed_vectors = np.vstack([vectors[c] for c in changed_ids]).astype(np.float32)
    changed_at = np.array([changed[c] for c in changed_ids], dtype=np.float64)
    changed_keys = np.array(changed_ids)
    out: set[int] = set()
    for start in range(0, len(candidates), chunk):
        ids = candidates[start:start + chunk]
        block = np.vstack([vectors[e] for e in ids]).astype(np.float32)
        kth = np.full(len(ids), -np.inf, dtype=np.float32)
        if m >= k:
            sims = block @ ex_vectors.T
            own = np.array([ex_position.get(e, -1) for e in ids])
            rows = np.nonzero(own >= 0)[0]
            sims[rows, own[rows]] = -np.inf  # a work is never its own neighbour
            part = np.partition(sims, m - k, axis=1)[:, m - k]
            kth = np.where(m - (own >= 0) >= k, part, -np.inf).astype(np.float32)
        near = (block @ changed_vectors.T) >= (kth[:, None] - COS_SLACK)
        since = changed_at[None, :] >= np.array([ranked_at[e] for e in ids])[:, None]
        other = changed_keys[None, :] != np.array(ids)[:, None]
        hit = (near & since & other).any(axis=1)
        out.update(e for e, h in zip(ids, hit) if h)
    return out
