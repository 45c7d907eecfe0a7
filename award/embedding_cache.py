"""Where embedding vectors are kept: in memory (:class:`MemoryEmbeddingCache`) and in the
`embedding_cache` table behind it (:class:`DbEmbeddingCache`).

numpy-free at import: a web process builds the cache for its routes' dependencies, and only loads
numpy (and the model, award.embeddings) once it actually computes a suggestion. Vectors are
float32 numpy arrays of award.embeddings.DIM values; keys are award.embeddings.cache_key().
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from award.models import READ_ONLY, EmbeddingCache

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DbEmbeddingCache", "MemoryEmbeddingCache", "flush_cache", "transient_embeddings"]

_persist: ContextVar[bool] = ContextVar("persist_embeddings", default=True)


class MemoryEmbeddingCache:
    """In-memory :class:`EmbeddingCache` (tests, CLI, benchmarks).

    Thread-safe; counts hits and misses.  ``max_items`` bounds memory (oldest
    entries are dropped first); None keeps everything (384 floats = 1.5 KB each).
    """

    def __init__(self, max_items: int | None = None) -> None:
        self._data: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.max_items = max_items
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vector = self._data.get(key)
            if vector is None:
                self.misses += 1
            else:
                self.hits += 1
            return vector

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors of `keys` (the misses left out)."""
        return {k: v for k in keys if (v := self.get(k)) is not None}

    def put(self, key: str, vector: np.ndarray) -> None:
        import numpy as np  # present already: the caller holds a vector

        vector = np.array(vector, dtype=np.float32, copy=True)
        vector.setflags(write=False)
        with self._lock:
            self._data[key] = vector
            if self.max_items is not None:
                while len(self._data) > self.max_items:
                    self._data.pop(next(iter(self._data)))

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: str) -> bool:
        return key in self._data


class DbEmbeddingCache:
    """Embeddings in the `embedding_cache` table, behind a bounded in-process layer.

    New vectors are kept in memory and written by `flush()` in a session of its own, which callers
    run after their own transaction has committed: on SQLite, a write from another connection in the
    middle of a request would invalidate the request's read snapshot (SQLITE_BUSY_SNAPSHOT), and a
    cached vector is worth keeping even when the request that computed it fails."""

    def __init__(self, engine: Engine, memory_items: int = 20_000):
        if engine.dialect.name != "sqlite":
            # A pool of its own: a lookup runs inside a request that already holds one of the request
            # pool's connections; taking a second from the same pool deadlocks once every request
            # thread holds one and waits for another (a deadline surge of submissions did).
            engine = sa.create_engine(engine.url, pool_pre_ping=True, pool_size=2, max_overflow=6)
        self.engine = engine
        # Lookups happen inside requests that may hold SQLite's write lock: they must not wait for it.
        self.read_engine = engine.execution_options(**{READ_ONLY: True})
        self.memory = MemoryEmbeddingCache(max_items=memory_items)
        self._pending: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        hit = self.memory.get(key)
        if hit is not None:
            return hit
        with Session(self.read_engine) as s:
            row = s.get(EmbeddingCache, key)
            if row is None:
                return None
            import numpy as np  # only once a vector is wanted: a web process that never tags never loads it

            vector = np.frombuffer(row.vector, dtype=np.float32).copy()
        self.memory.put(key, vector)
        return vector

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors of `keys` (the misses left out): memory first, then one query per 500 keys
        (a relearning pass reads the vectors of a whole round's works, 25,000 single lookups took seconds)."""
        out = {k: v for k in keys if (v := self.memory.get(k)) is not None}
        missing = [k for k in keys if k not in out]
        if not missing:
            return out
        import numpy as np

        with Session(self.read_engine) as s:
            for start in range(0, len(missing), 500):
                for key, data in s.exec(select(EmbeddingCache.key, EmbeddingCache.vector)
                                        .where(EmbeddingCache.key.in_(missing[start:start + 500]))).all():
                    vector = np.frombuffer(data, dtype=np.float32).copy()
                    self.memory.put(key, vector)
                    out[key] = vector
        return out

    def put(self, key: str, vector: np.ndarray) -> None:
        self.memory.put(key, vector)
        if _persist.get():
            with self._lock:
                self._pending[key] = vector.astype("float32", copy=False).tobytes()

    def flush(self) -> int:
        """Write the vectors computed since the last flush; returns how many were new."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        from award.embeddings import DIM, MODEL_NAME  # vectors were computed: the model module is loaded

        written = 0
        with Session(self.engine) as s:
            known = set(s.exec(select(EmbeddingCache.key).where(EmbeddingCache.key.in_(list(pending)))).all())
            for key, data in pending.items():
                if key not in known:
                    s.add(EmbeddingCache(key=key, model=MODEL_NAME, dim=DIM, vector=data))
                    written += 1
            try:
                s.commit()
            except IntegrityError:  # another process stored some of them first; they stay in memory
                s.rollback()
                written = 0
        return written


def flush_cache(cache) -> None:
    """Write what `cache` computed since its last flush, if it is a :class:`DbEmbeddingCache`."""
    flush = getattr(cache, "flush", None)
    if flush is not None:
        flush()


@contextmanager
def transient_embeddings():
    """For suggestions while someone types: keep vectors in memory only, never in the table."""
    token = _persist.set(False)
    try:
        yield
    finally:
        _persist.reset(token)
