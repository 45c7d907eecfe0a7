"""Engine and the per-request session: one transaction per request, committed at the edge."""

from collections.abc import Iterator
from functools import lru_cache

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
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(url)


def get_session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
