"""The database embedding cache: shared between processes, computed once per text."""

import numpy as np
import pytest
from alembic import command

from award.embeddings import DIM
from award.themes import DbEmbeddingCache, transient_embeddings
from api.cli import alembic_config
from api.db import make_engine
from tests.support.databases import fresh_database_url


@pytest.fixture(scope="module")
def cache_engine(tmp_root):
    engine = make_engine(fresh_database_url(tmp_root, "embeddings"))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    yield engine
    engine.dispose()


def test_vector_put_by_one_process_is_read_by_another(cache_engine):
    vector = np.arange(DIM, dtype=np.float32) / DIM
    first = DbEmbeddingCache(cache_engine)
    first.put("k" * 64, vector)
    assert DbEmbeddingCache(cache_engine).get("k" * 64) is None  # not written until flushed
    assert first.flush() == 1
    other = DbEmbeddingCache(cache_engine)  # a second process has an empty memory layer
    assert np.array_equal(other.get("k" * 64), vector)
    assert other.get("z" * 64) is None


def test_same_key_twice_is_not_an_error(cache_engine):
    vector = np.ones(DIM, dtype=np.float32)
    for _ in range(2):
        cache = DbEmbeddingCache(cache_engine)
        cache.put("d" * 64, vector)
        cache.flush()
    assert np.array_equal(DbEmbeddingCache(cache_engine).get("d" * 64), vector)


def test_transient_vectors_stay_in_memory(cache_engine):
    cache = DbEmbeddingCache(cache_engine)
    with transient_embeddings():
        cache.put("t" * 64, np.zeros(DIM, dtype=np.float32))
    assert cache.flush() == 0
    assert cache.get("t" * 64) is not None
    assert DbEmbeddingCache(cache_engine).get("t" * 64) is None
