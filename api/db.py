"""Engine and the per-request session: one transaction per request, committed at the edge."""

from collections.abc import AsyncIterator
from functools import lru_cache

import anyio
import anyio.to_thread
from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from award.models import READ_ONLY
from api.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; let SQLAlchemy
        # emit BEGIN itself (the documented recipe), so transactions and savepoints are real.
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        # IMMEDIATE: a transaction takes the write lock when it starts. With a deferred BEGIN, two
        # processes that both read and then write fail at once (SQLITE_BUSY_SNAPSHOT) instead of
        # waiting; serialising transactions is the price of the embedded default.
        # Connections marked read-only (see READ_ONLY) begin deferred: they never wait for a writer.
        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    # pre_ping: after a PostgreSQL restart, stale pooled connections are replaced, not served.
    settings = get_settings()
    return create_engine(url, pool_pre_ping=True, pool_size=settings.db_pool_size,
                         max_overflow=settings.db_pool_overflow)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(url)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, committed (or rolled back) after the endpoint.

    Commit and rollback run in threads of their own (`teardown` limiter, made in api/main.py's
    lifespan), not the endpoints' pool: a request that holds a connection must never wait for a
    thread that endpoints waiting for a connection hold. That wait is how a deadline surge of
    logins exhausted the pool (bench/surge.py)."""
    limiter = getattr(request.app.state, "teardown_limiter", None)
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
        await anyio.to_thread.run_sync(session.commit, limiter=limiter)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(session.rollback, limiter=limiter)
        raise
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(session.close, limiter=limiter)
