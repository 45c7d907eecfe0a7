"""The database embedding cache: shared between processes, computed once per text."""

import numpy as np
import pytest
from alembic import command

from api.cli import alembic_config
from api.db import make_engine
from award.embeddings import DIM
from award.themes import DbEmbeddingCache, transient_embeddings
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
    DbEmbeddingCache(cache_engine).put("k" * 64, vector)
    other = DbEmbeddingCache(cache_engine)  # a second process has an empty memory layer
    assert np.array_equal(other.get("k" * 64), vector)
    assert other.get("z" * 64) is None


def test_same_key_twice_is_not_an_error(cache_engine):
    vector = np.ones(DIM, dtype=np.float32)
    DbEmbeddingCache(cache_engine).put("d" * 64, vector)
    DbEmbeddingCache(cache_engine).put("d" * 64, vector)
    assert np.array_equal(DbEmbeddingCache(cache_engine).get("d" * 64), vector)


def test_transient_vectors_stay_in_memory(cache_engine):
    cache = DbEmbeddingCache(cache_engine)
    with transient_embeddings():
        cache.put("t" * 64, np.zeros(DIM, dtype=np.float32))
    assert cache.get("t" * 64) is not None
    assert DbEmbeddingCache(cache_engine).get("t" * 64) is None
